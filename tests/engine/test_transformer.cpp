// WanTransformer3DModel against the reference (cases a1 and a2): outputs and intermediates within 1e-4.
#include "engine/error.h"
#include "engine/transformer.h"
#include "parity.h"

#include <QtTest>

using namespace kinora::engine;
using namespace kinora::test;

class TestTransformer : public QObject {
    Q_OBJECT

    void checkCase(const std::string& name) {
        at::InferenceMode guard;
        const auto ref = SafetensorsFile::open(referenceCase(name));
        auto model = loadTransformer(referenceModel() + "/transformer");
        TransformerTrace trace;
        const auto out = model->forward(ref->tensor("hidden_states"), ref->tensor("timestep"),
                                        ref->tensor("encoder_hidden_states"), &trace);
        KINORA_COMPARE_TENSORS(trace.patch_embedding, ref->tensor("patch_embedding"), 1e-4);
        KINORA_COMPARE_TENSORS(trace.rope_cos, ref->tensor("rope_cos"), 1e-4);
        KINORA_COMPARE_TENSORS(trace.rope_sin, ref->tensor("rope_sin"), 1e-4);
        KINORA_COMPARE_TENSORS(trace.temb, ref->tensor("temb"), 1e-4);
        KINORA_COMPARE_TENSORS(trace.timestep_proj, ref->tensor("timestep_proj"), 1e-4);
        KINORA_COMPARE_TENSORS(trace.text_embeds, ref->tensor("text_embeds"), 1e-4);
        KINORA_COMPARE_TENSORS(trace.block0_out, ref->tensor("block0_out"), 1e-4);
        KINORA_COMPARE_TENSORS(out, ref->tensor("sample"), 1e-4);
    }

private slots:
    void singleSquareMatchesTheReference() { checkCase("a1_transformer"); }
    void batchTwoNonSquareMatchesTheReference() { checkCase("a2_transformer_batch2_nonsquare"); }

    // Attention computed over blocks of query rows (to bound memory) equals the whole-matrix result; the
    // budget of a 1.3B-size call is never exceeded by one block.
    void blockedAttentionEqualsWholeAttention() {
        at::manual_seed(3);
        const auto q = at::randn({2, 3, 301, 16}), k = at::randn({2, 3, 257, 16}), v = at::randn({2, 3, 257, 16});
        const auto whole = kinora::engine::dotProductAttention(q, k, v, int64_t(1) << 40);
        for (int64_t budget : {int64_t(1), int64_t(2 * 3 * 257 * 4 * 7), int64_t(2 * 3 * 257 * 4 * 100)}) {
            const auto blocked = kinora::engine::dotProductAttention(q, k, v, budget);
            QCOMPARE(blocked.sizes(), whole.sizes());
            QVERIFY2(at::allclose(blocked, whole, 1e-6, 1e-6), qPrintable(QString::number((blocked - whole).abs().max().item<double>())));
        }
        // Gradients flow through the blocks as through the whole (the trainer uses this path).
        auto qg = q.clone().requires_grad_(true);
        kinora::engine::dotProductAttention(qg, k, v, 2 * 3 * 257 * 4 * 7).sum().backward();
        auto qw = q.clone().requires_grad_(true);
        kinora::engine::dotProductAttention(qw, k, v, int64_t(1) << 40).sum().backward();
        QVERIFY(at::allclose(qg.grad(), qw.grad(), 1e-5, 1e-6));
    }

    // The batched products give softmax(q kᵀ / sqrt(d)) v as the formula reads, for the strided q, k, v
    // the attention module hands over (heads split from [B, S, H*D] and transposed).
    void attentionEqualsTheFormula() {
        at::manual_seed(5);
        const auto q = at::randn({2, 301, 3, 16}).transpose(1, 2), k = at::randn({2, 257, 3, 16}).transpose(1, 2);
        const auto v = at::randn({2, 257, 3, 16}).transpose(1, 2);
        QVERIFY(!q.is_contiguous());
        const auto formula = at::matmul(at::softmax(at::matmul(q, k.transpose(-1, -2)) / 4.0, -1), v);
        const auto out = kinora::engine::dotProductAttention(q, k, v);
        QCOMPARE(out.sizes(), formula.sizes());
        QVERIFY2(at::allclose(out, formula, 1e-6, 1e-6), qPrintable(QString::number((out - formula).abs().max().item<double>())));
    }

    void batchedCallEqualsSeparateCalls() {
        // Classifier-free guidance runs cond and uncond in one batch: it must equal two calls.
        at::InferenceMode guard;
        const auto ref = SafetensorsFile::open(referenceCase("a2_transformer_batch2_nonsquare"));
        auto model = loadTransformer(referenceModel() + "/transformer");
        const auto x = ref->tensor("hidden_states"), t = ref->tensor("timestep"), text = ref->tensor("encoder_hidden_states");
        const auto both = model->forward(x, t, text);
        for (int64_t b = 0; b < 2; ++b) {
            const auto one = model->forward(x.narrow(0, b, 1), t.narrow(0, b, 1), text.narrow(0, b, 1));
            QVERIFY(maxAbsDiff(one, both.narrow(0, b, 1)) < 1e-5);
        }
    }

    void cancelBetweenBlocksPropagates() {
        at::InferenceMode guard;
        const auto ref = SafetensorsFile::open(referenceCase("a1_transformer"));
        auto model = loadTransformer(referenceModel() + "/transformer");
        int calls = 0;
        QVERIFY_THROWS_EXCEPTION(Cancelled, model->forward(ref->tensor("hidden_states"), ref->tensor("timestep"),
                                                           ref->tensor("encoder_hidden_states"), nullptr, [&] {
                                                               if (++calls == 2) throw Cancelled();
                                                           }));
        QCOMPARE(calls, 2);
    }

    void badShapesAreClearErrors() {
        at::InferenceMode guard;
        auto model = loadTransformer(referenceModel() + "/transformer");
        const auto text = at::zeros({1, 8, 32});
        const auto t = at::full({1}, 500.0);
        QVERIFY_THROWS_EXCEPTION(EngineError, model->forward(at::zeros({1, 3, 1, 8, 8}), t, text));   // channels
        QVERIFY_THROWS_EXCEPTION(EngineError, model->forward(at::zeros({1, 4, 1, 7, 8}), t, text));   // odd height
        QVERIFY_THROWS_EXCEPTION(EngineError, model->forward(at::zeros({1, 4, 1, 8, 8}), t, at::zeros({1, 8, 31})));
        QVERIFY_THROWS_EXCEPTION(EngineError, model->forward(at::zeros({1, 4, 1, 2, 66}), t, text));  // past rope length
    }

    void configErrorsNameTheKey() {
        QTemporaryDir dir;
        auto write = [&](const QByteArray& json) {
            QFile f(dir.path() + "/config.json");
            f.open(QIODevice::WriteOnly | QIODevice::Truncate);
            f.write(json);
            f.close();
            return (dir.path() + "/config.json").toStdString();
        };
        QFile orig(QString::fromStdString(referenceModel() + "/transformer/config.json"));
        QVERIFY(orig.open(QIODevice::ReadOnly));
        const auto good = QJsonDocument::fromJson(orig.readAll()).object();
        auto expectError = [&](QJsonObject o, const char* key) {
            const auto path = write(QJsonDocument(o).toJson());
            try {
                TransformerConfig::fromFile(path);
                QFAIL(qPrintable(QStringLiteral("no error for %1").arg(QLatin1String(key))));
            } catch (const EngineError& e) {
                const QString msg = QString::fromUtf8(e.what());
                QVERIFY2(msg.contains(QLatin1String(key)) && msg.contains(QString::fromStdString(path)), e.what());
            }
        };
        QJsonObject o = good;
        o.remove("num_layers");
        expectError(o, "num_layers");
        o = good;
        o["num_attention_heads"] = "two";
        expectError(o, "num_attention_heads");
        o = good;
        o["_class_name"] = "UNet3DConditionModel";
        expectError(o, "_class_name");
        o = good;
        o["image_dim"] = 1280;
        expectError(o, "image_dim");
        o = good;
        o["eps"] = -1;
        expectError(o, "eps");
        o = good;
        o["patch_size"] = QJsonArray{1, 2};
        expectError(o, "patch_size");
        // Unknown keys are ignored.
        o = good;
        o["some_future_key"] = 3;
        TransformerConfig::fromFile(write(QJsonDocument(o).toJson()));
    }
};

QTEST_GUILESS_MAIN(TestTransformer)
#include "test_transformer.moc"
