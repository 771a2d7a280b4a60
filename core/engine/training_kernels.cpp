#include "engine/training_kernels.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

namespace kinora::engine {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

bool isCpuFloat(const at::Tensor& t) { return t.defined() && t.device().is_cpu() && t.scalar_type() == at::kFloat; }

// Sums in double over eight independent accumulators: the additions do not wait on each other, and the
// order (hence the result) is fixed, whatever the thread that runs it.
template <typename Term>
double rowSum(int64_t n, const Term& term) {
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int j = 0; j < 8; ++j) acc[j] += term(i + j);
    }
    for (; i < n; ++i) acc[i % 8] += term(i);
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// Rows handled per task; the weight's gradient is summed per block of rows (then over the blocks), so
// it does not depend on how many threads ran.
constexpr int64_t kRowsPerBlock = 64;

struct RmsNormFunction : torch::autograd::Function<RmsNormFunction> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, const at::Tensor& weight, double eps) {
        const auto x = input.contiguous();
        const auto w = weight.contiguous();
        const int64_t D = x.size(-1), R = x.numel() / D;
        auto y = at::empty(x.sizes(), x.options());
        auto inv = at::empty({R}, x.options());
        const float* xp = x.data_ptr<float>();
        const float* wp = w.data_ptr<float>();
        float* yp = y.data_ptr<float>();
        float* ip = inv.data_ptr<float>();
        at::parallel_for(0, R, kRowsPerBlock, [&](int64_t r0, int64_t r1) {
            for (int64_t r = r0; r < r1; ++r) {
                const float* a = xp + r * D;
                const double squares = rowSum(D, [&](int64_t d) { return double(a[d]) * a[d]; });
                const float iv = static_cast<float>(1.0 / std::sqrt(squares / double(D) + eps));
                ip[r] = iv;
                float* o = yp + r * D;
                for (int64_t d = 0; d < D; ++d) o[d] = (a[d] * iv) * wp[d];
            }
        });
        ctx->save_for_backward({x, w, inv});
        return y;
    }

    // y = x·iv·w with iv = (mean(x²) + eps)^(-1/2), so per row
    //   dx = g·w·iv − x·iv³/D · Σ g·w·x,   dw = Σ_rows g·x·iv.
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto& x = saved[0];
        const auto& w = saved[1];
        const auto& inv = saved[2];
        const auto g = grads[0].contiguous();
        const int64_t D = x.size(-1), R = x.numel() / D;
        const int64_t blocks = (R + kRowsPerBlock - 1) / kRowsPerBlock;
        auto dx = at::empty(x.sizes(), x.options());
        auto dwBlocks = at::zeros({blocks, D}, x.options());
        const float* xp = x.data_ptr<float>();
        const float* wp = w.data_ptr<float>();
        const float* gp = g.data_ptr<float>();
        const float* ip = inv.data_ptr<float>();
        float* dxp = dx.data_ptr<float>();
        float* dwp = dwBlocks.data_ptr<float>();
        at::parallel_for(0, blocks, 1, [&](int64_t b0, int64_t b1) {
            for (int64_t b = b0; b < b1; ++b) {
                float* dw = dwp + b * D;
                for (int64_t r = b * kRowsPerBlock; r < std::min(R, (b + 1) * kRowsPerBlock); ++r) {
                    const float* a = xp + r * D;
                    const float* gr = gp + r * D;
                    const float iv = ip[r];
                    const double s = rowSum(D, [&](int64_t d) { return double(gr[d]) * wp[d] * a[d]; });
                    const float c = static_cast<float>(s * iv * iv * iv / double(D));
                    float* o = dxp + r * D;
                    for (int64_t d = 0; d < D; ++d) {
                        o[d] = gr[d] * wp[d] * iv - a[d] * c;
                        dw[d] += gr[d] * a[d] * iv;
                    }
                }
            }
        });
        return {dx, dwBlocks.sum(0), at::Tensor()};
    }
};

// [rows, cols] matrix (b, h) of a [B, H, rows, cols] tensor.
at::Tensor matrix(const at::Tensor& t, int64_t b, int64_t h) { return t.select(0, b).select(0, h); }

// BLAS reads a matrix through its strides when one of them is 1.
at::Tensor unitLastStride(const at::Tensor& t) { return t.stride(-1) == 1 ? t : t.contiguous(); }

struct AttentionFunction : torch::autograd::Function<AttentionFunction> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& query, const at::Tensor& key,
                              const at::Tensor& value) {
        const auto q = unitLastStride(query), k = unitLastStride(key), v = unitLastStride(value);
        const int64_t B = q.size(0), H = q.size(1), L = q.size(2), S = k.size(2), Dv = v.size(3);
        const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(3)));
        // [B, L, H, Dv] memory seen as [B, H, L, Dv]: a tensor of its own (not a view), so autograd
        // treats it as any other output.
        auto out = at::empty_strided({B, H, L, Dv}, {L * H * Dv, Dv, H * Dv, 1}, q.options());
        auto probs = at::empty({B * H, L, S}, q.options());
        at::parallel_for(0, B * H, 1, [&](int64_t i0, int64_t i1) {
            // The pool's threads start with grad mode on (it is thread-local), whatever the caller has.
            const at::NoGradGuard noGrad;
            for (int64_t i = i0; i < i1; ++i) {
                const int64_t b = i / H, h = i % H;
                auto p = probs.select(0, i);
                at::mm_out(p, matrix(q, b, h), matrix(k, b, h).t());
                p.mul_(scale);
                at::_softmax_out(p, p, 1, false);
                auto o = matrix(out, b, h);
                at::mm_out(o, p, matrix(v, b, h));
            }
        });
        ctx->save_for_backward({q, k, v, probs});
        ctx->saved_data["scale"] = scale;
        return out;
    }

    // With P = softmax(s), s = scale·q kᵀ, o = P v and g = dL/do, per matrix:
    //   dv = Pᵀ g,  dP = g vᵀ,  ds = P ∘ (dP − rowsum(dP ∘ P)),  dq = scale·ds k,  dk = scale·dsᵀ q.
    static variable_list backward(AutogradContext* ctx, variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto &q = saved[0], &k = saved[1], &v = saved[2], &probs = saved[3];
        const double scale = ctx->saved_data["scale"].toDouble();
        const auto g = unitLastStride(grads[0]);
        const int64_t H = q.size(1);
        auto dq = at::empty_like(q), dk = at::empty_like(k), dv = at::empty_like(v);
        at::parallel_for(0, q.size(0) * H, 1, [&](int64_t i0, int64_t i1) {
            const at::NoGradGuard noGrad;
            for (int64_t i = i0; i < i1; ++i) {
                const int64_t b = i / H, h = i % H;
                const auto p = probs.select(0, i);
                const auto gi = matrix(g, b, h);
                auto dvi = matrix(dv, b, h);
                at::mm_out(dvi, p.t(), gi);
                auto ds = at::mm(gi, matrix(v, b, h).t());
                const auto rows = (ds * p).sum(1, /*keepdim=*/true);
                ds.sub_(rows).mul_(p).mul_(scale);
                auto dqi = matrix(dq, b, h);
                at::mm_out(dqi, ds, matrix(k, b, h));
                auto dki = matrix(dk, b, h);
                at::mm_out(dki, ds.t(), matrix(q, b, h));
            }
        });
        return {dq, dk, dv};
    }
};

}  // namespace

bool rmsNormTrainingApplies(const at::Tensor& x, const at::Tensor& weight) {
    return at::GradMode::is_enabled() && (x.requires_grad() || weight.requires_grad()) && isCpuFloat(x) &&
           isCpuFloat(weight) && x.dim() >= 1 && x.numel() > 0 && weight.dim() == 1 &&
           weight.size(0) == x.size(-1);
}

at::Tensor rmsNormTraining(const at::Tensor& x, const at::Tensor& weight, double eps) {
    return RmsNormFunction::apply(x, weight, eps);
}

bool attentionTrainingApplies(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
    if (!at::GradMode::is_enabled() || !(q.requires_grad() || k.requires_grad() || v.requires_grad())) return false;
    if (!isCpuFloat(q) || !isCpuFloat(k) || !isCpuFloat(v) || q.dim() != 4 || k.dim() != 4 || v.dim() != 4) return false;
    return q.numel() > 0 && k.numel() > 0 && v.numel() > 0 && k.size(0) == q.size(0) && v.size(0) == q.size(0) &&
           k.size(1) == q.size(1) && v.size(1) == q.size(1) && k.size(3) == q.size(3) && v.size(2) == k.size(2);
}

at::Tensor attentionTraining(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
    return AttentionFunction::apply(q, k, v);
}

}  // namespace kinora::engine
