// Wan2.1's causal VAE against the reference outputs of Diffusers' AutoencoderKLWan (tests/data/wan-tiny),
// plus the behaviour the pipeline relies on: chunked decoding of long clips, cancellation between
// chunks, input and config validation, autograd, and the two convolution paths agreeing.
#include "engine/error.h"
#include "engine/safetensors.h"
#include "engine/vae.h"
#include "engine/vae_bench.h"
#include "engine/vae_conv.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>

#include <QtTest>

#include <fstream>
#include <nlohmann/json.hpp>

using namespace kinora::engine;

namespace {

const std::string kData = KINORA_TEST_DATA_DIR "/wan-tiny";
const std::string kVaeFolder = kData + "/tiny-wan2.1-t2v/vae";

at::Tensor caseTensor(const std::string& file, const std::string& name) {
    return SafetensorsFile::open(kData + "/cases/" + file + ".safetensors")->tensor(name).clone();
}

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) {
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

std::shared_ptr<WanVAE> tinyVae() {
    static const auto vae = loadVae(kVaeFolder);
    return vae;
}

at::Tensor randomTensor(at::IntArrayRef shape, uint64_t seed) {
    auto gen = at::detail::createCPUGenerator(seed);
    return at::randn(shape, gen);
}

// The EngineError message of `f`, or "" when it throws none.
template <typename F>
std::string engineErrorOf(F&& f) {
    try {
        f();
    } catch (const EngineError& e) {
        return e.what();
    }
    return {};
}

}  // namespace

class TestVae : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { at::set_num_threads(2); }

    void encodeMatchesReference() {
        at::InferenceMode guard;
        const auto video = caseTensor("b1_vae_encode", "sample");
        const auto [mean, logvar] = tinyVae()->encode(video);
        const auto refMean = caseTensor("b1_vae_encode", "latent_mean");
        const auto refLogvar = caseTensor("b1_vae_encode", "latent_logvar");
        QCOMPARE(mean.sizes().vec(), refMean.sizes().vec());
        QCOMPARE(logvar.sizes().vec(), refLogvar.sizes().vec());
        const double eMean = maxAbsDiff(mean, refMean), eLogvar = maxAbsDiff(logvar, refLogvar);
        qInfo("b1_vae_encode: max abs error mean %.3g, logvar %.3g", eMean, eLogvar);
        QVERIFY(eMean <= 1e-4);
        QVERIFY(eLogvar <= 1e-4);
    }

    void decodeMatchesReference_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("b2 three latent frames") << "b2_vae_decode";
        QTest::newRow("b3 one frame, non-square") << "b3_vae_decode_one_frame";
    }
    void decodeMatchesReference() {
        QFETCH(QString, name);
        at::InferenceMode guard;
        const auto latents = caseTensor(name.toStdString(), "latents");
        const auto ref = caseTensor(name.toStdString(), "sample");
        const auto sample = tinyVae()->decode(latents);
        QCOMPARE(sample.sizes().vec(), ref.sizes().vec());
        const double err = maxAbsDiff(sample, ref);
        qInfo("%s: max abs error %.3g", qPrintable(name), err);
        QVERIFY(err <= 1e-4);
    }

    void bothConvolutionPathsMatchReference() {
        // The whole VAE through each path, not just one layer.
        at::InferenceMode guard;
        const auto latents = caseTensor("b2_vae_decode", "latents");
        const auto ref = caseTensor("b2_vae_decode", "sample");
        for (auto path : {VaeConvPath::Conv3d, VaeConvPath::FrameConv2d}) {
            setVaeConvPath(path);
            const double err = maxAbsDiff(tinyVae()->decode(latents), ref);
            setVaeConvPath(VaeConvPath::Auto);
            QVERIFY2(err <= 1e-4, qPrintable(QString::number(err)));
        }
    }

    void decodesALongerClipCausally() {
        at::InferenceMode guard;
        const auto latents = randomTensor({1, 4, 5, 4, 6}, 7);
        const auto video = tinyVae()->decode(latents);
        QCOMPARE(video.sizes().vec(), (std::vector<int64_t>{1, 3, 17, 32, 48}));
        QVERIFY(at::isfinite(video).all().item<bool>());
        QVERIFY(video.abs().max().item<double>() <= 1.0);
        // Causal: the first frames do not depend on later latents, so decoding a prefix gives them.
        const auto prefix = tinyVae()->decode(latents.narrow(2, 0, 3));
        QCOMPARE(maxAbsDiff(prefix, video.narrow(2, 0, 9)), 0.0);
    }

    void encodesALongerClip() {
        at::InferenceMode guard;
        const auto video = randomTensor({2, 3, 13, 16, 24}, 8).clamp(-1, 1);
        const auto [mean, logvar] = tinyVae()->encode(video);
        QCOMPARE(mean.sizes().vec(), (std::vector<int64_t>{2, 4, 4, 2, 3}));
        QCOMPARE(logvar.sizes().vec(), mean.sizes().vec());
        // Batch elements are independent.
        const auto [mean1, logvar1] = tinyVae()->encode(video.narrow(0, 1, 1));
        QVERIFY(maxAbsDiff(mean1, mean.narrow(0, 1, 1)) <= 1e-5);
    }

    void frameConvolutionEqualsConv3d_data() {
        QTest::addColumn<int>("cin");
        QTest::addColumn<int>("cout");
        QTest::addColumn<int>("frames");
        QTest::addColumn<int>("kt");
        QTest::addColumn<int>("ks");
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("batch");
        QTest::newRow("3->8, 1 frame") << 3 << 8 << 1 << 3 << 3 << 1 << 1;
        QTest::newRow("8->8, 3 frames") << 8 << 8 << 3 << 3 << 3 << 1 << 1;
        QTest::newRow("16->32, 4 frames") << 16 << 32 << 4 << 3 << 3 << 1 << 1;
        QTest::newRow("32->32, 6 frames, batch 2") << 32 << 32 << 6 << 3 << 3 << 1 << 2;
        QTest::newRow("64->16, 2 frames") << 64 << 16 << 2 << 3 << 3 << 1 << 1;
        QTest::newRow("time conv 16->32 (3x1x1)") << 16 << 32 << 3 << 3 << 1 << 1 << 1;
        QTest::newRow("time conv stride 2, 5 frames") << 16 << 16 << 5 << 3 << 1 << 2 << 2;
        QTest::newRow("pointwise 8->16") << 8 << 16 << 4 << 1 << 1 << 1 << 1;
    }
    void frameConvolutionEqualsConv3d() {
        QFETCH(int, cin);
        QFETCH(int, cout);
        QFETCH(int, frames);
        QFETCH(int, kt);
        QFETCH(int, ks);
        QFETCH(int, stride);
        QFETCH(int, batch);
        at::InferenceMode guard;
        const auto x = randomTensor({batch, frames, cin, 12, 10}, 1);
        const auto w = randomTensor({cout, cin, kt, ks, ks}, 2) / std::sqrt(double(cin * kt * ks * ks));
        const auto b = randomTensor({cout}, 3);
        const int64_t pad = ks / 2;
        for (int64_t zeros = 0; zeros < kt; ++zeros) {
            if (zeros + frames < kt) continue;
            const auto a = causalConv3dFrames(x, w, b, zeros, stride, pad, pad, VaeConvPath::Conv3d);
            const auto f = causalConv3dFrames(x, w, b, zeros, stride, pad, pad, VaeConvPath::FrameConv2d);
            // Independent reference: conv3d over explicitly zero-padded channel-major input.
            const auto padded = at::constant_pad_nd(x.permute({0, 2, 1, 3, 4}), {0, 0, 0, 0, zeros, 0});
            const auto r = at::conv3d(padded, w, b, {stride, 1, 1}, {0, pad, pad}).permute({0, 2, 1, 3, 4});
            QCOMPARE(f.sizes().vec(), r.sizes().vec());
            QCOMPARE(a.sizes().vec(), r.sizes().vec());
            QVERIFY2(maxAbsDiff(f, r) <= 1e-5, qPrintable(QString::number(maxAbsDiff(f, r))));
            QVERIFY2(maxAbsDiff(a, r) <= 1e-5, qPrintable(QString::number(maxAbsDiff(a, r))));
        }
    }

    void upsampleConvolutionEqualsUpsampleThenConv() {
        at::InferenceMode guard;
        for (int c : {3, 16, 40}) {
            const auto x = randomTensor({2, c, 5, 7}, 20 + c);
            const auto w = randomTensor({c / 2 + 1, c, 3, 3}, 30 + c) / std::sqrt(9.0 * c);
            const auto b = randomTensor({c / 2 + 1}, 40 + c);
            const auto ref = at::conv2d(at::upsample_nearest2d(x, {10, 14}), w, b, 1, 1);
            const auto y = upsample2xConv3x3(x, w, b);
            QCOMPARE(y.sizes().vec(), ref.sizes().vec());
            QVERIFY2(maxAbsDiff(y, ref) <= 1e-5, qPrintable(QString::number(maxAbsDiff(y, ref))));
        }
    }

    void frameConvolutionSupportsAutograd() {
        const auto x = randomTensor({1, 3, 8, 6, 6}, 4).requires_grad_(true);
        const auto w = (randomTensor({8, 8, 3, 3, 3}, 5) * 0.1).requires_grad_(true);
        const auto b = randomTensor({8}, 6).requires_grad_(true);
        const auto seed = randomTensor({1, 3, 8, 6, 6}, 9);
        std::vector<at::Tensor> grads;
        for (auto path : {VaeConvPath::Conv3d, VaeConvPath::FrameConv2d}) {
            const auto y = causalConv3dFrames(x, w, b, 2, 1, 1, 1, path);
            const auto g = torch::autograd::grad({(y * seed).sum()}, {x, w, b});
            grads.insert(grads.end(), g.begin(), g.end());
        }
        for (int i = 0; i < 3; ++i) QVERIFY(maxAbsDiff(grads[i], grads[i + 3]) <= 1e-4);
    }

    void decodeWorksWithAutograd() {
        // Loaded outside InferenceMode: weights made inside it are inference tensors autograd refuses.
        const auto vae = loadVae(kVaeFolder);
        const auto latents = caseTensor("b2_vae_decode", "latents").requires_grad_(true);
        const auto video = vae->decode(latents);
        QVERIFY(video.requires_grad());
        video.pow(2).sum().backward();
        QVERIFY(latents.grad().defined());
        QVERIFY(at::isfinite(latents.grad()).all().item<bool>());
        QVERIFY(latents.grad().abs().sum().item<double>() > 0);
        // The graph-recording code path computes the same numbers as the in-place inference path.
        QVERIFY(maxAbsDiff(video.detach(), caseTensor("b2_vae_decode", "sample")) <= 1e-4);
        const auto [mean, logvar] = vae->encode(caseTensor("b1_vae_encode", "sample"));
        QVERIFY(mean.requires_grad());
        QVERIFY(maxAbsDiff(mean.detach(), caseTensor("b1_vae_encode", "latent_mean")) <= 1e-4);
    }

    void decodesInBfloat16() {
        at::InferenceMode guard;
        const auto vae = loadVae(kVaeFolder, at::kBFloat16);
        QCOMPARE(vae->dtype(), at::kBFloat16);
        const auto latents = caseTensor("b2_vae_decode", "latents");
        const auto video = vae->decode(latents);
        QCOMPARE(video.scalar_type(), at::kBFloat16);
        // bfloat16 keeps 8 bits of mantissa: a coarse agreement, but clearly the same picture.
        const double err = maxAbsDiff(video, caseTensor("b2_vae_decode", "sample"));
        qInfo("bfloat16 decode: max abs error %.3g", err);
        QVERIFY(err < 0.1);
    }

    void float16IsUsedOrRefusedClearly() {
        // LibTorch 1.13 has no float16 convolution on the CPU; a later one may. Either the VAE decodes
        // like float32 or loading says why it cannot, never a crash in the middle of a decode.
        at::InferenceMode guard;
        std::shared_ptr<WanVAE> vae;
        const std::string msg = engineErrorOf([&] { vae = loadVae(kVaeFolder, at::kHalf); });
        if (!msg.empty()) {
            QVERIFY2(msg.find("Half") != std::string::npos, msg.c_str());
            return;
        }
        const auto video = vae->decode(caseTensor("b3_vae_decode_one_frame", "latents"));
        QVERIFY(maxAbsDiff(video, caseTensor("b3_vae_decode_one_frame", "sample")) < 0.05);
    }

    void betweenChunksRunsBetweenLatentFramesAndCancels() {
        at::InferenceMode guard;
        const auto latents = caseTensor("b2_vae_decode", "latents");  // 3 latent frames
        int calls = 0;
        tinyVae()->decode(latents, [&] { ++calls; });
        QCOMPARE(calls, 2);

        calls = 0;
        bool cancelled = false;
        try {
            tinyVae()->decode(latents, [&] {
                if (++calls == 1) throw Cancelled();
            });
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QCOMPARE(calls, 1);
        // A cancelled decode leaves nothing behind: the next one gives the reference numbers.
        QVERIFY(maxAbsDiff(tinyVae()->decode(latents), caseTensor("b2_vae_decode", "sample")) <= 1e-4);
    }

    void wrongInputShapesAreEngineErrors() {
        at::InferenceMode guard;
        const auto vae = tinyVae();
        const std::vector<std::pair<std::string, std::function<void()>>> cases = {
            {"frame count", [&] { vae->encode(at::zeros({1, 3, 8, 32, 32})); }},
            {"4k+1", [&] { vae->encode(at::zeros({1, 3, 3, 32, 32})); }},
            {"multiples of 8", [&] { vae->encode(at::zeros({1, 3, 5, 36, 32})); }},
            {"multiples of 8", [&] { vae->encode(at::zeros({1, 3, 5, 32, 20})); }},
            {"[batch, 3", [&] { vae->encode(at::zeros({1, 4, 5, 32, 32})); }},
            {"[batch, 3", [&] { vae->encode(at::zeros({3, 5, 32, 32})); }},
            {"[batch, 4", [&] { vae->decode(at::zeros({1, 3, 2, 4, 4})); }},
            {"[batch, 4", [&] { vae->decode(at::zeros({4, 2, 4, 4})); }},
            {"[batch, 4", [&] { vae->decode(at::zeros({1, 4, 0, 4, 4})); }},
            {"4 channels", [&] { vae->denormalizeLatents(at::zeros({1, 3, 2, 4, 4})); }},
        };
        for (const auto& [expected, call] : cases) {
            const std::string msg = engineErrorOf(call);
            QVERIFY2(msg.find(expected) != std::string::npos, (expected + " / got: " + msg).c_str());
        }
    }

    void configErrorsNameTheFileAndKey_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("json");  // replacement value; empty: the key is removed
        QTest::newRow("missing z_dim") << "z_dim" << "";
        QTest::newRow("missing dim_mult") << "dim_mult" << "";
        QTest::newRow("wrong class") << "_class_name" << "\"AutoencoderKL\"";
        QTest::newRow("Wan2.2 residual") << "is_residual" << "true";
        QTest::newRow("Wan2.2 patch size") << "patch_size" << "2";
        QTest::newRow("latents_std length") << "latents_std" << "[1.0, 2.0, 3.0]";
        QTest::newRow("latents_mean length") << "latents_mean" << "[0.0]";
        QTest::newRow("latents_std zero") << "latents_std" << "[1.0, 0.0, 1.0, 1.0]";
        QTest::newRow("temperal_downsample length") << "temperal_downsample" << "[false, true]";
        QTest::newRow("empty dim_mult") << "dim_mult" << "[]";
        QTest::newRow("negative base_dim") << "base_dim" << "-8";
        QTest::newRow("string z_dim") << "z_dim" << "\"4\"";
        QTest::newRow("attention in down blocks") << "attn_scales" << "[0.5]";
        QTest::newRow("inconsistent scale factor") << "scale_factor_spatial" << "16";
    }
    void configErrorsNameTheFileAndKey() {
        QFETCH(QString, key);
        QFETCH(QString, json);
        std::ifstream in(kVaeFolder + "/config.json");
        auto config = nlohmann::json::parse(in);
        if (json.isEmpty()) {
            config.erase(key.toStdString());
        } else {
            config[key.toStdString()] = nlohmann::json::parse(json.toStdString());
        }
        QTemporaryDir dir;
        const std::string path = dir.filePath("config.json").toStdString();
        std::ofstream(path) << config.dump(2);
        const std::string msg = engineErrorOf([&] { VaeConfig::fromFile(path); });
        QVERIFY2(msg.find(path) != std::string::npos, msg.c_str());
        QVERIFY2(msg.find("'" + key.toStdString() + "'") != std::string::npos, msg.c_str());
    }

    void theReferenceConfigReads() {
        const auto c = VaeConfig::fromFile(kVaeFolder + "/config.json");
        QCOMPARE(c.base_dim, int64_t{8});
        QCOMPARE(c.z_dim, int64_t{4});
        QCOMPARE(c.spatialFactor(), int64_t{8});
        QCOMPARE(c.temporalFactor(), int64_t{4});
        QCOMPARE(c.latents_std.at(3), 2.7035);
    }

    void latentsNormaliseWithTheConfigStatistics() {
        at::InferenceMode guard;
        const auto vae = tinyVae();
        const auto z = randomTensor({1, 4, 2, 3, 3}, 11);
        const auto d = vae->denormalizeLatents(z);
        // channel 3: std 2.7035, mean 0.2238 (vae/config.json)
        QVERIFY(maxAbsDiff(d.select(1, 3), z.select(1, 3) * 2.7035 + 0.2238) <= 1e-6);
        QVERIFY(maxAbsDiff(vae->normalizeLatents(d), z) <= 1e-5);
    }

    void benchmarkRunsAndCountsWork() {
        const auto r = benchVaeDecode(8, 5, 32, 32, 1);
        QVERIFY(r.seconds > 0);
        QVERIFY(r.gflop > 0);
        QVERIFY(r.gflops > 0);
        QCOMPARE(r.conv, std::string("auto"));
        QVERIFY(!engineErrorOf([] { benchVaeDecode(8, 4, 32, 32, 1); }).empty());
    }
};

QTEST_GUILESS_MAIN(TestVae)
#include "test_vae.moc"
