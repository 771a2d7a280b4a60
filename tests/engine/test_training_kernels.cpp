// The hand-written forward/backward pairs the trainer runs (engine/training_kernels.h): their results and
// gradients against the formulas computed in double, the dispatch (training only, generation unchanged),
// and their independence from the thread count.
#include "engine/nn.h"
#include "engine/transformer.h"
#include "engine/training_kernels.h"
#include "parity.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/function.h>

#include <QtTest>

using namespace kinora::engine;
using namespace kinora::test;

namespace {

// max |a - b| / max |b|: float32 results against a double reference.
double relativeError(const at::Tensor& a, const at::Tensor& b) {
    return maxAbsDiff(a, b) / std::max(1e-30, b.abs().max().item<double>());
}

#define KINORA_VERIFY_RELATIVE(actual, expected, tol)                                                      \
    do {                                                                                                   \
        const double kinora_rel_ = relativeError((actual), (expected));                                    \
        QVERIFY2(kinora_rel_ < (tol), qPrintable(QStringLiteral("%1: relative error %2 (tolerance %3)")    \
                                                     .arg(QLatin1String(#actual))                          \
                                                     .arg(kinora_rel_)                                     \
                                                     .arg(tol)));                                          \
    } while (0)

std::string gradFnName(const at::Tensor& t) { return t.grad_fn() ? t.grad_fn()->name() : std::string("(none)"); }

at::Tensor rmsFormula(const at::Tensor& x, const at::Tensor& w, double eps) {
    return x * at::rsqrt(x.pow(2).mean(-1, true) + eps) * w;
}

at::Tensor attentionFormula(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
    return at::matmul(at::softmax(at::matmul(q, k.transpose(-1, -2)) / std::sqrt(double(q.size(-1))), -1), v);
}

struct Grads {
    at::Tensor out;
    std::vector<at::Tensor> grads;
};

}  // namespace

class TestTrainingKernels : public QObject {
    Q_OBJECT

    // The module's RMS norm under autograd on x [3, 37, 67] (rows not a multiple of the kernel's blocks,
    // a width not a multiple of its eight accumulators), given through a transposed view.
    Grads rmsNormWithGrads(const at::Tensor& x0, const at::Tensor& w0, const at::Tensor& g, bool xGrad, bool wGrad) {
        RMSNorm norm(w0.size(0), 1e-6);
        {
            at::NoGradGuard ng;
            norm.weight.copy_(w0);
        }
        norm.weight.requires_grad_(wGrad);
        auto x = x0.clone().requires_grad_(xGrad);
        const auto y = norm.forward(x.transpose(0, 1));
        if (gradFnName(y).find("RmsNormFunction") == std::string::npos) {
            qWarning("RMS norm ran through %s", gradFnName(y).c_str());
            return {};
        }
        y.backward(g);
        return {y.detach(), {xGrad ? x.grad() : at::Tensor(), wGrad ? norm.weight.grad() : at::Tensor()}};
    }

private slots:
    void rmsNormMatchesTheFormulaAndItsGradients() {
        at::manual_seed(11);
        const auto x0 = at::randn({37, 3, 67}) * 3, w0 = at::rand({67}) + 0.5, g = at::randn({3, 37, 67});
        const auto xd = x0.to(at::kDouble).requires_grad_(), wd = w0.to(at::kDouble).requires_grad_();
        const auto ref = rmsFormula(xd.transpose(0, 1), wd, 1e-6);
        ref.backward(g.to(at::kDouble));
        for (auto [xGrad, wGrad] : {std::pair{true, true}, std::pair{true, false}, std::pair{false, true}}) {
            const auto got = rmsNormWithGrads(x0, w0, g, xGrad, wGrad);
            QVERIFY(got.out.defined());
            KINORA_VERIFY_RELATIVE(got.out, ref.detach(), 1e-6);
            if (xGrad) KINORA_VERIFY_RELATIVE(got.grads[0], xd.grad(), 1e-5);
            if (wGrad) KINORA_VERIFY_RELATIVE(got.grads[1], wd.grad(), 1e-5);
        }
    }

    // Generation (no gradient recorded) keeps the plain formula to the bit, so the evaluation reports
    // made before the kernels existed stay reproducible.
    void rmsNormWithoutGradientsKeepsTheFormula() {
        at::manual_seed(12);
        RMSNorm norm(64, 1e-6);
        {
            at::NoGradGuard ng;
            norm.weight.copy_(at::rand({64}) + 0.5);
        }
        const auto x = at::randn({4, 9, 64});
        const auto formula = (x * at::rsqrt(x.pow(2).mean(-1, true) + 1e-6)) * norm.weight.detach();
        {
            at::InferenceMode guard;
            QVERIFY(at::equal(norm.forward(x), formula));
        }
        {
            at::NoGradGuard ng;
            QVERIFY(at::equal(norm.forward(x), formula));
        }
        QVERIFY(!rmsNormTrainingApplies(x.to(at::kDouble), norm.weight.to(at::kDouble)));
        QVERIFY(!rmsNormTrainingApplies(x, at::rand({63}).requires_grad_()));
    }

    // q as the attention module hands it over ([B, S, H, D] transposed to [B, H, S, D]), keys fewer than
    // queries (cross-attention), a value width of its own.
    void attentionMatchesTheFormulaAndItsGradients() {
        at::manual_seed(13);
        const auto q0 = at::randn({2, 37, 3, 16}), k0 = at::randn({2, 23, 3, 16}) * 2, v0 = at::randn({2, 23, 3, 12});
        const auto g = at::randn({2, 3, 37, 12});
        std::vector<at::Tensor> ref;
        at::Tensor refOut;
        {
            auto q = q0.to(at::kDouble).requires_grad_(), k = k0.to(at::kDouble).requires_grad_();
            auto v = v0.to(at::kDouble).requires_grad_();
            refOut = attentionFormula(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2));
            refOut.backward(g.to(at::kDouble));
            ref = {q.grad(), k.grad(), v.grad()};
        }
        auto q = q0.clone().requires_grad_(), k = k0.clone().requires_grad_(), v = v0.clone().requires_grad_();
        const auto out = dotProductAttention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2));
        QVERIFY2(gradFnName(out).find("AttentionFunction") != std::string::npos, gradFnName(out).c_str());
        // Laid out as [B, L, H, D], so the module's transpose and flatten need no copy.
        QVERIFY(out.transpose(1, 2).is_contiguous());
        out.backward(g);
        KINORA_VERIFY_RELATIVE(out.detach(), refOut.detach(), 1e-6);
        KINORA_VERIFY_RELATIVE(q.grad(), ref[0], 1e-5);
        KINORA_VERIFY_RELATIVE(k.grad(), ref[1], 1e-5);
        KINORA_VERIFY_RELATIVE(v.grad(), ref[2], 1e-5);
    }

    // With only the values requiring a gradient (a frozen projection), the others' gradients are not
    // asked for and the values' is still right.
    void attentionWithOneInputRequiringGrad() {
        at::manual_seed(14);
        const auto q = at::randn({1, 2, 9, 8}), k = at::randn({1, 2, 5, 8});
        auto v = at::randn({1, 2, 5, 8}).requires_grad_();
        const auto out = dotProductAttention(q, k, v);
        QVERIFY2(gradFnName(out).find("AttentionFunction") != std::string::npos, gradFnName(out).c_str());
        out.sum().backward();
        auto vd = v.detach().to(at::kDouble).requires_grad_();
        attentionFormula(q.to(at::kDouble), k.to(at::kDouble), vd).sum().backward();
        KINORA_VERIFY_RELATIVE(v.grad(), vd.grad(), 1e-5);
    }

    // Without gradients the attention is the batched products' result to the bit, as before.
    void attentionWithoutGradientsIsUnchanged() {
        at::manual_seed(15);
        const auto q = at::randn({2, 3, 40, 16}), k = at::randn({2, 3, 40, 16}), v = at::randn({2, 3, 40, 16});
        const auto plain = dotProductAttention(q, k, v);
        QVERIFY(!plain.requires_grad());
        const auto qs = (q * 0.25).reshape({6, 40, 16});
        const auto expected = at::bmm(at::softmax(at::bmm(qs, k.reshape({6, 40, 16}).transpose(1, 2)), -1),
                                      v.reshape({6, 40, 16}))
                                  .view({2, 3, 40, 16});
        QVERIFY(at::equal(plain, expected));
    }

    // One thread or two: the same bits (the weight's gradient is summed per block of rows, each score
    // matrix computed whole by one thread), so a training run does not depend on the machine's cores.
    void resultsDoNotDependOnTheThreadCount() {
        at::manual_seed(16);
        const auto x0 = at::randn({64, 5, 48}), w0 = at::rand({48}) + 0.5, g = at::randn({5, 64, 48});
        const auto q0 = at::randn({4, 3, 33, 16}), k0 = at::randn({4, 3, 33, 16}), v0 = at::randn({4, 3, 33, 16});
        const auto ga = at::randn({4, 3, 33, 16});
        const int before = at::get_num_threads();
        std::vector<std::vector<at::Tensor>> runs;
        for (int threads : {1, 2}) {
            at::set_num_threads(threads);
            auto rms = rmsNormWithGrads(x0, w0, g, true, true);
            auto q = q0.clone().requires_grad_(), k = k0.clone().requires_grad_(), v = v0.clone().requires_grad_();
            auto out = dotProductAttention(q, k, v);
            out.backward(ga);
            runs.push_back({rms.out, rms.grads[0], rms.grads[1], out.detach(), q.grad(), k.grad(), v.grad()});
        }
        at::set_num_threads(before);
        for (size_t i = 0; i < runs[0].size(); ++i) QVERIFY2(at::equal(runs[0][i], runs[1][i]), qPrintable(QString::number(i)));
    }

    // The whole transformer of the reference model under autograd (both kernels in every block) against
    // the same model in double, which takes the plain formulas: its output and the gradients of all its
    // parameters. The double model still rounds where the model computes in float32 on purpose (norms).
    void transformerGradientsMatchThePlainFormulas() {
        const auto ref = SafetensorsFile::open(referenceCase("a2_transformer_batch2_nonsquare"));
        const auto x = ref->tensor("hidden_states"), t = ref->tensor("timestep"), text = ref->tensor("encoder_hidden_states");
        at::manual_seed(17);
        auto model = loadTransformer(referenceModel() + "/transformer");
        auto modelD = loadTransformer(referenceModel() + "/transformer", at::kDouble);
        const auto out = model->forward(x, t, text);
        const auto outD = modelD->forward(x.to(at::kDouble), t, text.to(at::kDouble));
        const auto g = at::randn(out.sizes());
        out.backward(g);
        outD.backward(g.to(at::kDouble));
        KINORA_VERIFY_RELATIVE(out.detach(), outD.detach(), 1e-4);
        const auto params = model->named_parameters(), paramsD = modelD->named_parameters();
        int compared = 0;
        for (const auto& p : params) {
            const auto& pd = paramsD[p.key()];
            QVERIFY2(p.value().grad().defined() && pd.grad().defined(), p.key().c_str());
            const double err = relativeError(p.value().grad(), pd.grad());
            QVERIFY2(err < 1e-3, qPrintable(QStringLiteral("%1: relative error %2").arg(QString::fromStdString(p.key())).arg(err)));
            ++compared;
        }
        QVERIFY(compared > 20);
    }
};

QTEST_GUILESS_MAIN(TestTrainingKernels)
#include "test_training_kernels.moc"
