// The whole Wan pipeline against the reference (case e_pipeline): tokens, embeddings, every step's
// latents and noise predictions, final frames; plus validation, progress, previews and cancel.
#include "engine/error.h"
#include "engine/frame_noise.h"
#include "engine/runtime.h"
#include "engine/wan_pipeline.h"
#include "parity.h"

#include <QtTest>

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

using namespace kinora::engine;
using namespace kinora::test;

class TestPipeline : public QObject {
    Q_OBJECT

    std::unique_ptr<Pipeline> pipeline_;

    GenerationRequest referenceRequest() {
        const auto c = manifestCase(QStringLiteral("e_pipeline"));
        GenerationRequest r;
        r.prompt = c["prompt"].toString().toStdString();
        r.negative_prompt = c["negative_prompt"].toString().toStdString();
        r.width = c["width"].toInt();
        r.height = c["height"].toInt();
        r.frames = c["num_frames"].toInt();
        r.steps = c["num_inference_steps"].toInt();
        r.guidance = c["guidance_scale"].toDouble();
        r.seed = static_cast<uint64_t>(c["seed"].toInt());
        return r;
    }

private slots:
    void initTestCase() {
        pipeline_ = Pipeline::load(referenceModel());
        QCOMPARE(manifestCase(QStringLiteral("e_pipeline"))["max_sequence_length"].toInt(), 32);
    }

    void wholePipelineMatchesTheReference() {
        const auto ref = SafetensorsFile::open(referenceCase("e_pipeline"));
        auto& impl = pipeline_->impl();
        PipelineTrace trace;
        const auto r = impl.resolve(referenceRequest());
        const auto clip = impl.run(r, {}, &trace);
        auto& t = trace.tensors;
        QVERIFY(at::equal(t["input_ids"], ref->tensor("input_ids")));
        QVERIFY(at::equal(t["attention_mask"], ref->tensor("attention_mask")));
        KINORA_COMPARE_TENSORS(t["prompt_embeds"], ref->tensor("prompt_embeds"), 1e-4);
        KINORA_COMPARE_TENSORS(t["negative_prompt_embeds"], ref->tensor("negative_prompt_embeds"), 1e-4);
        // The seed's noise is bit-identical to torch.randn with a CPU generator.
        QVERIFY(at::equal(t["initial_latents"], ref->tensor("initial_latents")));
        for (int i = 0; i < r.steps; ++i) {
            const std::string s = "step" + std::to_string(i) + "_";
            KINORA_COMPARE_TENSORS(t[s + "timestep"].to(at::kDouble), ref->tensor(s + "timestep").to(at::kDouble), 1e-4);
            KINORA_COMPARE_TENSORS(t[s + "latent_model_input"], ref->tensor(s + "latent_model_input"), 1e-4);
            KINORA_COMPARE_TENSORS(t[s + "noise_pred_cond"], ref->tensor(s + "noise_pred_cond"), 1e-4);
            KINORA_COMPARE_TENSORS(t[s + "noise_pred_uncond"], ref->tensor(s + "noise_pred_uncond"), 1e-4);
            KINORA_COMPARE_TENSORS(t[s + "latents_after"], ref->tensor(s + "latents_after"), 1e-4);
        }
        KINORA_COMPARE_TENSORS(t["final_latents"], ref->tensor("final_latents"), 1e-4);
        KINORA_COMPARE_TENSORS(t["frames"], ref->tensor("frames"), 1e-3);
        const auto ours = t["frames_uint8"].to(at::kInt), theirs = ref->tensor("frames_uint8").to(at::kInt);
        QCOMPARE(ours.sizes(), theirs.sizes());
        QVERIFY((ours - theirs).abs().max().item<int>() <= 1);
        // The facade's bytes are the same frames.
        QCOMPARE(clip.video.frames, 5);
        QCOMPARE(clip.video.width, 32);
        QCOMPARE(clip.video.rgb.size(), size_t(5 * 32 * 32 * 3));
        QCOMPARE(at::from_blob(const_cast<uint8_t*>(clip.video.rgb.data()), {1, 5, 32, 32, 3}, at::kByte).to(at::kInt).equal(ours), true);
    }

    void sameSeedSameClipAndSeedIsReported() {
        auto r = referenceRequest();
        r.steps = 2;
        const auto a = pipeline_->generate(r), b = pipeline_->generate(r);
        QVERIFY(a.video.rgb == b.video.rgb);
        r.seed.reset();
        const auto c = pipeline_->generate(r);
        QVERIFY(c.request.seed.has_value());
        auto again = r;
        again.seed = c.request.seed;
        QVERIFY(pipeline_->generate(again).video.rgb == c.video.rgb);
    }

    void frameNoiseHasTheShareInCommon() {
        auto gen = at::detail::createCPUGenerator(11);
        const auto own = at::randn({2, 16, 5, 32, 32}, gen, at::kFloat);
        // Share 0 is Wan2.1's noise: the same tensor, and nothing drawn from the generator.
        QVERIFY(mixFrameNoise(own, 0.0, gen).is_same(own));
        auto fresh = at::detail::createCPUGenerator(11);
        at::randn({2, 16, 5, 32, 32}, fresh, at::kFloat);
        QVERIFY(at::equal(at::randn({4}, gen), at::randn({4}, fresh)));
        // Share 0.5: unit variance, and any two frames correlate by 0.5 (1.6e5 samples a pair).
        const auto mixed = mixFrameNoise(own, 0.5, gen);
        QCOMPARE(mixed.sizes(), own.sizes());
        QVERIFY2(std::abs(mixed.var().item<double>() - 1) < 0.02, qPrintable(QString::number(mixed.var().item<double>())));
        for (int64_t a = 0; a < 5; ++a) {
            for (int64_t b = a + 1; b < 5; ++b) {
                const double corr = (mixed.select(2, a) * mixed.select(2, b)).mean().item<double>();
                QVERIFY2(std::abs(corr - 0.5) < 0.02, qPrintable(QStringLiteral("frames %1, %2: %3").arg(a).arg(b).arg(corr)));
            }
        }
        // Outside [0, 1), or noise without a frame axis: the reason.
        for (const double bad : {-0.1, 1.0, std::numeric_limits<double>::quiet_NaN()}) {
            try {
                mixFrameNoise(own, bad, gen);
                QFAIL("accepted a bad share");
            } catch (const EngineError& e) {
                QVERIFY2(QString(e.what()).contains("want 0 <= share < 1"), e.what());
            }
        }
        QVERIFY_THROWS_EXCEPTION(EngineError, mixFrameNoise(at::zeros({2, 16, 32, 32}), 0.5, gen));
    }

    void modelFolderDeclaresItsFrameNoise() {
        // A copy of the reference model whose model_index.json declares frame_noise_share.
        QTemporaryDir dir;
        namespace fs = std::filesystem;
        auto withShare = [&](const std::string& name, const nlohmann::json& share) {
            const fs::path to = fs::path(dir.path().toStdString()) / name;
            fs::copy(referenceModel(), to, fs::copy_options::recursive);
            std::ifstream in(to / "model_index.json");
            auto j = nlohmann::json::parse(in);
            j["kinora"]["frame_noise_share"] = share;
            std::ofstream(to / "model_index.json") << j.dump(2);
            return to.string();
        };
        auto r = referenceRequest();
        r.steps = 2;
        PipelineTrace plain, mixed;
        auto& impl = pipeline_->impl();
        const auto a = impl.run(impl.resolve(r), {}, &plain);
        const auto other = Pipeline::load(withShare("mixed", 0.5));
        QCOMPARE(other->impl().model().defaults.frame_noise_share, 0.5);
        const auto b = other->impl().run(other->impl().resolve(r), {}, &mixed);
        // The seed's own noise plus one frame common to all: (mixed - sqrt(.5) own) / sqrt(.5) is the
        // same in every latent frame.
        const auto own = plain.tensors["initial_latents"];
        const auto common = (mixed.tensors["initial_latents"] - std::sqrt(0.5) * own) / std::sqrt(0.5);
        QVERIFY(common.size(2) > 1);
        for (int64_t f = 1; f < common.size(2); ++f) {
            QVERIFY(at::allclose(common.select(2, f), common.select(2, 0), 1e-5, 1e-5));
        }
        QVERIFY(a.video.rgb != b.video.rgb);
        QVERIFY(other->generate(r).video.rgb == b.video.rgb);  // still one clip per seed
        // A share the engine cannot sample from: the folder is refused with the key and the range.
        const std::vector<nlohmann::json> bads{1.0, -0.5, "half"};
        for (size_t i = 0; i < bads.size(); ++i) {
            const auto& bad = bads[i];
            const auto folder = withShare("bad-" + std::to_string(i), bad);
            try {
                Pipeline::load(folder);
                QFAIL(qPrintable("loaded a folder with frame_noise_share " + QString::fromStdString(bad.dump())));
            } catch (const EngineError& e) {
                QVERIFY2(QString(e.what()).contains("frame_noise_share"), e.what());
            }
        }
    }

    void progressAndPreviewsAfterEveryStep() {
        auto r = referenceRequest();
        r.steps = 3;
        GenerationCallbacks cb;
        std::vector<StepProgress> steps;
        std::vector<RgbVideo> previews;
        std::vector<std::string> stages;
        cb.on_step = [&](const StepProgress& p) { steps.push_back(p); };
        cb.on_preview = [&](const RgbVideo& v) { previews.push_back(v); };
        cb.on_stage = [&](const std::string& s) { stages.push_back(s); };
        pipeline_->generate(r, cb);
        QCOMPARE(steps.size(), size_t(3));
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(steps[i].step, i + 1);
            QCOMPARE(steps[i].total, 3);
            QVERIFY(steps[i].elapsed >= 0 && steps[i].seconds_per_step >= 0);
        }
        QCOMPARE(steps.back().eta, 0.0);
        QCOMPARE(previews.size(), size_t(3));
        QCOMPARE(previews[0].frames, 2);  // latent frames
        QCOMPARE(previews[0].width, 4);   // latent width
        QCOMPARE(previews[0].rgb.size(), size_t(2 * 4 * 4 * 3));
        QCOMPARE(stages, (std::vector<std::string>{"encoding prompt", "denoising", "decoding"}));
    }

    void cancelStopsWithinOneStep() {
        auto r = referenceRequest();
        r.steps = 10;
        std::atomic<bool> cancel{false};
        int stepsSeen = 0;
        GenerationCallbacks cb;
        cb.cancel = &cancel;
        cb.on_step = [&](const StepProgress& p) {
            stepsSeen = p.step;
            if (p.step == 2) cancel = true;
        };
        QVERIFY_THROWS_EXCEPTION(Cancelled, pipeline_->generate(r, cb));
        QCOMPARE(stepsSeen, 2);
        // The pipeline is usable again afterwards.
        cancel = false;
        r.steps = 1;
        QCOMPARE(pipeline_->generate(r, cb).video.frames, 5);
    }

    void guidanceOneSkipsTheUnconditionalBranch() {
        auto& impl = pipeline_->impl();
        auto r = impl.resolve(referenceRequest());
        r.guidance = 1.0;
        r.steps = 1;
        PipelineTrace trace;
        impl.run(r, {}, &trace);
        QVERIFY(trace.tensors.count("negative_prompt_embeds") == 0);
        QVERIFY(trace.tensors.count("step0_noise_pred_uncond") == 0);
    }

    void invalidRequestsAreRejectedBeforeWork_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("expect");
        QTest::newRow("width 30") << "width" << 30.0 << "multiple of 16";
        QTest::newRow("height 0 is default, -16 bad") << "height" << -16.0 << "multiple of 16";
        QTest::newRow("frames 6") << "frames" << 6.0 << "4k+1";
        QTest::newRow("frames -3") << "frames" << -3.0 << "4k+1";
        QTest::newRow("steps -1") << "steps" << -1.0 << "steps";
        QTest::newRow("guidance -2") << "guidance" << -2.0 << "guidance";
        QTest::newRow("guidance nan") << "guidance" << std::nan("") << "guidance";
        QTest::newRow("guidance 0.5") << "guidance" << 0.5 << "guidance";
        QTest::newRow("shift 0") << "shift" << 0.0 << "shift";
        QTest::newRow("fps 1000") << "fps" << 1000.0 << "fps";
        QTest::newRow("width past rope") << "width" << 16.0 * 33 << "larger than this model";
    }
    void invalidRequestsAreRejectedBeforeWork() {
        QFETCH(QString, field);
        QFETCH(double, value);
        QFETCH(QString, expect);
        auto r = referenceRequest();
        if (field == "width") r.width = static_cast<int>(value);
        if (field == "height") r.height = static_cast<int>(value);
        if (field == "frames") r.frames = static_cast<int>(value);
        if (field == "steps") r.steps = static_cast<int>(value);
        if (field == "guidance") r.guidance = value;
        if (field == "shift") r.shift = value;
        if (field == "fps") r.fps = static_cast<int>(value);
        try {
            pipeline_->resolve(r);
            QFAIL("accepted");
        } catch (const EngineError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(expect), e.what());
        }
    }

    void unknownSamplerIsRejected() {
        auto r = referenceRequest();
        r.sampler = "ddim";
        QVERIFY_THROWS_EXCEPTION(EngineError, pipeline_->resolve(r));
    }

    void eulerSamplerRuns() {
        auto r = referenceRequest();
        r.sampler = "euler";
        r.steps = 2;
        const auto clip = pipeline_->generate(r);
        QCOMPARE(clip.video.frames, 5);
    }

    void bfloat16WithoutHardwareSupportIsSaid() {
        // Emulated bfloat16 is far slower than float32 (runtime.h): a user who asks for it on such a
        // processor is told why the clip takes so long, and what to use instead.
        PipelineOptions o;
        o.dtype = "bfloat16";
        const auto bf16 = Pipeline::load(referenceModel(), o);
        auto r = referenceRequest();
        r.steps = 1;
        auto mentions = [](const GeneratedClip& c) {
            for (const auto& w : c.warnings) {
                if (w.find("no bfloat16 instructions") != std::string::npos && w.find("--dtype float32") != std::string::npos) return true;
            }
            return false;
        };
        QCOMPARE(mentions(bf16->generate(r)), !nativeBfloat16());
        QVERIFY(!mentions(pipeline_->generate(r)));  // float32: nothing to say
    }

    void deviceChecks() {
        QVERIFY_THROWS_EXCEPTION(EngineError, checkDeviceSupport("tpu", "float32"));
        QVERIFY_THROWS_EXCEPTION(EngineError, checkDeviceSupport("cpu", "float64"));
        QVERIFY_THROWS_EXCEPTION(EngineError, checkDeviceSupport("cpu", "float16"));
        checkDeviceSupport("cpu", "bfloat16");
        if (!runtimeInfo().cuda_available) QVERIFY_THROWS_EXCEPTION(EngineError, checkDeviceSupport("cuda", "float32"));
    }
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "test_pipeline.moc"
