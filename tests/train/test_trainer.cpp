// The trainer on tiny configurations: a few steps reduce the loss, an interrupted run resumed from its
// checkpoint ends exactly where an uninterrupted one does, and what it writes is a model the engine
// loads and runs.
#include "engine/error.h"
#include "engine/model_folder.h"
#include "engine/pipeline.h"
#include "engine/safetensors.h"
#include "engine/tokenizer.h"
#include "train/chinese_words.h"
#include "train/contact_sheet.h"
#include "train/dit_stage.h"
#include "train/flow_loss.h"
#include "train/generalisation_gap.h"
#include "train/model_spec.h"
#include "train/recipe.h"
#include "train/tokenizer_stage.h"
#include "train/train_state.h"
#include "train/vae_stage.h"
#include "worldgen/captions.h"

#include <ATen/autocast_mode.h>
#include <QFileInfo>
#include <QProcess>
#include <QtTest>

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>

using namespace kinora;

namespace {

train::ModelSpec tinySpec(int64_t vocab) {
    train::ModelSpec s;
    s.text.vocab_size = vocab;
    s.text.d_model = 32;
    s.text.d_kv = 8;
    s.text.d_ff = 64;
    s.text.num_layers = 1;
    s.text.num_heads = 4;
    s.text.num_buckets = 8;
    s.transformer.num_heads = 2;
    s.transformer.head_dim = 16;
    s.transformer.in_channels = 4;
    s.transformer.out_channels = 4;
    s.transformer.text_dim = 32;
    s.transformer.freq_dim = 16;
    s.transformer.ffn_dim = 64;
    s.transformer.num_layers = 1;
    s.vae.base_dim = 8;
    s.vae.decoder_base_dim = 8;
    s.vae.z_dim = 4;
    s.vae.dim_mult = {1, 2, 2, 2};
    s.vae.num_res_blocks = 1;
    s.vae.latents_mean = {0, 0, 0, 0};
    s.vae.latents_std = {1, 1, 1, 1};
    s.width = 64;
    s.height = 64;
    s.frames = 5;
    s.steps = 2;
    s.max_sequence_length = 24;
    return s;
}

train::WorldBatchOptions smallWorld() {
    train::WorldBatchOptions w;
    w.frames = 5;
    w.width = 64;
    w.height = 64;
    return w;
}

// A whole recipe small enough for a test: the tiny spec written to `root`, the run folder `root/run`,
// 2 VAE steps, 8 latent clips, a 32x32 first phase, batch 2; each test sets its own DiT steps.
train::RecipeOptions tinyRecipe(const std::filesystem::path& root, const std::string& run) {
    std::filesystem::create_directories(root);
    auto spec = tinySpec(320);
    spec.steps = 1;
    const std::string specPath = (root / "spec.json").string();
    std::ofstream(specPath) << spec.toJson().dump(2);
    train::RecipeOptions o;
    o.run = (root / run).string();
    o.spec = specPath;
    o.vocab_size = 450;
    o.vae_steps = 2;
    o.latent_clips = 8;
    o.dit_low_size = 32;
    o.dit_batch = 2;
    return o;
}

nlohmann::json jsonAt(const std::filesystem::path& f) {
    std::ifstream in(f);
    return nlohmann::json::parse(in);
}

double meanOf(const std::vector<double>& v, size_t from, size_t to) {
    double s = 0;
    for (size_t i = from; i < to; ++i) s += v[i];
    return s / static_cast<double>(to - from);
}

}  // namespace

class TestTrainer : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::shared_ptr<engine::Tokenizer> tokenizer_;
    std::string tokDir_;

private slots:
    void initTestCase() {
        train::TokenizerStageOptions to;
        to.dir = tokDir_ = (dir_.path() + "/tokenizer").toStdString();
        to.vocab_size = 450;  // room for the Chinese-words edit (its multi-character pieces make way for the words)
        to.corpus_size = 3000;
        to.max_length = 24;
        train::runTokenizerStage(to);
        tokenizer_ = engine::Tokenizer::load(tokDir_);
    }

    void tokenizerCoversEnglishAndChinese() {
        QVERIFY(tokenizer_->vocabSize() <= 450);
        QCOMPARE(tokenizer_->modelMaxLength(), int64_t(24));
        for (const char* prompt : {"a red circle moving left on a black background", "黑色背景上一个红色的圆向左移动"}) {
            const auto ids = tokenizer_->encode(engine::cleanPrompt(prompt));
            QVERIFY(!ids.empty());
            for (int id : ids) QVERIFY2(id != 2, prompt);  // no <unk>
        }
    }

    void vaeStageReducesTheLoss() {
        auto spec = tinySpec(320);
        engine::WanVAE vae(spec.vae);
        train::initVae(vae, 1);
        train::VaeStageOptions o;
        o.dir = (dir_.path() + "/vae").toStdString();
        o.steps = 40;
        o.batch = 2;
        o.frames = 5;
        o.size = 32;
        o.render_size = 64;
        o.lr = 2e-3;
        o.warmup = 5;
        o.log_every = 1;
        o.checkpoint_every = 20;
        o.psnr_every = 20;
        o.psnr_clips = 1;
        std::vector<double> losses, psnrs;
        train::runVaeStage(vae, o, [&](const train::VaeStageReport& r) {
            if (r.psnr_db > 0) psnrs.push_back(r.psnr_db);
            else losses.push_back(r.loss);
        });
        QCOMPARE(losses.size(), size_t(40));
        // PSNR measured along the way (EMA weights, an unseen clip), logged at steps 20 and 40.
        QCOMPARE(psnrs.size(), size_t(2));
        qInfo("VAE PSNR at steps 20 and 40: %.2f, %.2f dB", psnrs[0], psnrs[1]);
        for (double p : psnrs) QVERIFY(p > 5 && p < 60);
        {
            std::ifstream csv((dir_.path() + "/vae/psnr.csv").toStdString());
            std::string header, a, b, none;
            std::getline(csv, header);
            std::getline(csv, a);
            std::getline(csv, b);
            QCOMPARE(header, std::string("step,psnr_db"));
            QVERIFY(a.rfind("20,", 0) == 0 && b.rfind("40,", 0) == 0);
            QVERIFY(!std::getline(csv, none));
        }
        qInfo("VAE loss first 5 %.4f, last 5 %.4f", meanOf(losses, 0, 5), meanOf(losses, 35, 40));
        QVERIFY(meanOf(losses, 35, 40) < 0.7 * meanOf(losses, 0, 5));
        QVERIFY(QFile::exists(dir_.path() + "/vae/loss.csv"));
        QVERIFY(QFile::exists(dir_.path() + "/vae/ckpt/state.json"));
    }

    // The decoder stage's object weight: on the objects and the 2 pixels around them, an error costs
    // `weight` times what it costs elsewhere; weight 1 is the plain mean of L1 + L2.
    void reconstructionLossWeighsTheObjects() {
        at::manual_seed(3);
        const auto video = at::rand({1, 3, 2, 16, 16}) * 2 - 1;
        const auto recon = at::rand({1, 3, 2, 16, 16}) * 2 - 1;
        auto mask = at::zeros({1, 1, 2, 16, 16});
        mask.narrow(3, 6, 4).narrow(4, 6, 4).fill_(1);  // rows and columns 6-9, both frames
        const auto d = recon - video;
        const double plain = (d.abs().mean() + d.pow(2).mean()).item<double>();
        QCOMPARE(train::reconstructionLoss(recon, video, mask, 1.0).item<double>(), plain);
        // One channel of one pixel off by 0.5: inside the object, 2 pixels below it (the rim), 3 below.
        auto errorAt = [&](int64_t row, double weight) {
            auto off = video.clone();
            off[0][1][1][row][8] += 0.5;
            return train::reconstructionLoss(off, video, mask, weight).item<double>();
        };
        const double inside = errorAt(8, 4.0), rim = errorAt(11, 4.0), outside = errorAt(12, 4.0);
        QVERIFY2(std::abs(inside / outside - 4.0) < 1e-6, qPrintable(QString::number(inside / outside)));
        QVERIFY2(std::abs(rim / inside - 1.0) < 1e-6, qPrintable(QString::number(rim / inside)));
        // A weighted mean: the weights sum to 3 channels x (2 frames x (64 rim-and-object cells x 4 +
        // 192 others)) = 2688, and the error costs 0.5 + 0.25.
        QVERIFY2(std::abs(outside - 0.75 / 2688) < 1e-9, qPrintable(QString::number(outside)));
        // The same error with no weight: 0.75 over the 1536 values.
        QVERIFY(std::abs(errorAt(8, 1.0) - 0.75 / 1536) < 1e-9);
    }

    void ditStageReducesTheLossAndResumesExactly() {
        auto spec = tinySpec((tokenizer_->vocabSize() + 63) / 64 * 64);
        engine::WanVAE vae(spec.vae);
        train::initVae(vae, 1);
        const auto cache = train::buildLatentCache(vae, 5, 16, smallWorld(), (dir_.path() + "/latents.safetensors").toStdString());
        QCOMPARE(cache.latents.size(0), int64_t(16));
        QCOMPARE(cache.latents.size(2), int64_t(2));  // 5 frames -> 2 latent frames
        const auto reloaded = train::loadLatentCache((dir_.path() + "/latents.safetensors").toStdString());
        QVERIFY(at::equal(reloaded.latents, cache.latents));

        // A build interrupted after two shards goes on from them (not encoding them again) and ends with
        // the same cache as one that never stopped; shards of another stream are not taken.
        {
            namespace fs = std::filesystem;
            const std::string path = (dir_.path() + "/latents-resumed.safetensors").toStdString();
            const fs::path parts = path + ".parts";
            // Builds seed 5's 16 clips in shards of 8 and stops after the first shard.
            auto interruptedBuild = [&](const std::string& at) {
                struct Interrupted {};
                try {
                    train::buildLatentCache(vae, 5, 16, smallWorld(), at, [](int64_t n) {
                        if (n == 8) throw Interrupted{};
                    }, nullptr, 8);
                } catch (const Interrupted&) {
                }
            };
            interruptedBuild(path);
            QVERIFY(!fs::exists(path));
            QVERIFY(fs::exists(parts / "00000000.safetensors"));
            const auto stamp = fs::file_time_type::clock::now() - std::chrono::hours(24);
            fs::last_write_time(parts / "00000000.safetensors", stamp);
            std::vector<int64_t> reported;
            const auto resumed = train::buildLatentCache(vae, 5, 16, smallWorld(), path, [&](int64_t n) {
                reported.push_back(n);
                if (n == 8) QVERIFY(fs::last_write_time(parts / "00000000.safetensors") == stamp);  // taken as it was
            }, nullptr, 8);
            QCOMPARE(reported, (std::vector<int64_t>{8, 16}));
            QVERIFY(at::equal(resumed.latents, cache.latents));
            QVERIFY(at::equal(resumed.masks, cache.masks));
            QCOMPARE(resumed.mean, cache.mean);
            QVERIFY(!fs::exists(parts));  // the shards go once the cache is whole
            QVERIFY(at::equal(train::loadLatentCache(path).latents, cache.latents));

            const std::string other = (dir_.path() + "/latents-other.safetensors").toStdString();
            interruptedBuild(other);
            const auto seed6 = train::buildLatentCache(vae, 6, 16, smallWorld(), other, {}, nullptr, 8);
            // ...nor shards of other VAE weights.
            const std::string otherVae = (dir_.path() + "/latents-other-vae.safetensors").toStdString();
            interruptedBuild(otherVae);
            engine::WanVAE vae2(spec.vae);
            train::initVae(vae2, 2);
            const auto byVae2 = train::buildLatentCache(vae2, 5, 16, smallWorld(), otherVae, {}, nullptr, 8);
            const auto straightVae2 =
                train::buildLatentCache(vae2, 5, 16, smallWorld(), (dir_.path() + "/latents-vae2.safetensors").toStdString());
            QVERIFY(at::equal(byVae2.latents, straightVae2.latents));
            QVERIFY(!at::equal(byVae2.latents, cache.latents));
            const auto straight6 = train::buildLatentCache(vae, 6, 16, smallWorld(), (dir_.path() + "/latents-6.safetensors").toStdString());
            QVERIFY(at::equal(seed6.latents, straight6.latents));
            QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                     train::buildLatentCache(vae, 5, 16, smallWorld(), other + "-x", {}, nullptr, 12));
        }

        // A low-resolution cache of the same clips for a first phase: normalised with the full cache's
        // statistics (the ones the model ships with), on its own smaller grid.
        train::WorldBatchOptions lowWorld = smallWorld();
        lowWorld.width = lowWorld.height = 32;
        const auto low = train::buildLatentCache(vae, 5, 16, lowWorld, (dir_.path() + "/latents-low.safetensors").toStdString(), {}, &cache);
        QCOMPARE(low.mean, cache.mean);
        QCOMPARE(low.std, cache.std);
        QCOMPARE(low.latents.size(3), int64_t(4));  // 32 / 8
        {
            at::InferenceMode guard;
            const auto batch = train::makeWorldBatch(5, {3}, 0, lowWorld);
            const auto raw = vae.encode(batch.video).first;
            const auto m = at::tensor(cache.mean, at::kDouble).to(at::kFloat).view({1, -1, 1, 1, 1});
            const auto sd = at::tensor(cache.std, at::kDouble).to(at::kFloat).view({1, -1, 1, 1, 1});
            const auto expected = ((raw - m) / sd).to(at::kHalf);
            QVERIFY(at::allclose(low.latents.narrow(0, 3, 1).to(at::kFloat), expected.to(at::kFloat), 1e-3, 1e-3));
        }
        QCOMPARE(train::loadLatentCache((dir_.path() + "/latents-low.safetensors").toStdString()).world.width, 32);

        // `interrupt_at`: the run dies right after the checkpoint of that step (as a killed process would);
        // `tweak` changes the options from the shared ones.
        using Tweak = std::function<void(train::DitStageOptions&)>;
        const Tweak inBf16 = [](train::DitStageOptions& o) { o.bf16 = true; };
        auto runTo = [&](const std::string& dir, int64_t steps, std::vector<double>* losses, int64_t interrupt_at = -1,
                         const Tweak& tweak = {}) {
            engine::Umt5Encoder text(spec.text);
            engine::WanTransformer transformer(spec.transformer);
            train::initTextEncoder(text, 2);
            train::initTransformer(transformer, 3);
            train::DitStageOptions o;
            o.dir = dir;
            o.steps = steps;
            o.batch = 4;
            o.lr = 2e-3;
            o.warmup = 5;
            o.max_length = 24;
            o.log_every = 1;
            o.checkpoint_every = 3;
            if (tweak) tweak(o);
            train::runDitStage(
                text, transformer, *tokenizer_, cache, o,
                [&](const train::DitStageReport& r) {
                    if (losses) losses->push_back(r.loss);
                },
                [&](int64_t step, const std::function<void()>&) {
                    if (step == interrupt_at) throw std::runtime_error("interrupted");
                });
            return train::namedWeights(transformer, at::kFloat);
        };
        std::vector<double> losses;
        const auto straight = runTo((dir_.path() + "/dit-a").toStdString(), 60, &losses);
        qInfo("DiT loss first 5 %.4f, last 5 %.4f", meanOf(losses, 0, 5), meanOf(losses, 55, 60));
        // The transformer starts with a zero output projection, so its first losses are those of
        // predicting zero, E[v^2] = E[noise^2] + E[x0^2] = 2 for normalised latents; it must beat that.
        QVERIFY(std::abs(meanOf(losses, 0, 5) - 2.0) < 0.3);
        QVERIFY(meanOf(losses, 55, 60) < 0.9 * meanOf(losses, 0, 5));

        // A 12-step run interrupted after the checkpoint of step 9, then resumed from scratch objects.
        const std::string b = (dir_.path() + "/dit-b").toStdString();
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, runTo(b, 12, nullptr, 9));
        auto secondsAt = [](const std::string& ckpt) {
            std::ifstream in(ckpt + "/ckpt/state.json");
            return nlohmann::json::parse(in).at("seconds").get<double>();
        };
        const double before = secondsAt(b);
        QVERIFY(before > 0);
        const auto resumed = runTo(b, 12, nullptr);
        QVERIFY2(secondsAt(b) > before, qPrintable(QString::number(secondsAt(b))));  // the compute clock goes on
        const auto uninterrupted = runTo((dir_.path() + "/dit-c").toStdString(), 12, nullptr);
        QCOMPARE(resumed.size(), uninterrupted.size());
        double worst = 0;
        for (size_t i = 0; i < resumed.size(); ++i) {
            worst = std::max(worst, (resumed[i].second - uninterrupted[i].second).abs().max().item<double>());
        }
        qInfo("resume vs uninterrupted: max weight difference %.3g", worst);
        QCOMPARE(worst, 0.0);

        // A setting switched on at step 6: the logged losses before `sameUntil` are the plain run's,
        // the later ones differ, and the checkpoint records the setting it trained with last (`key`).
        std::vector<double> plain;
        runTo((dir_.path() + "/dit-plain").toStdString(), 9, &plain);
        auto switchedOnAtStep6 = [&](const char* run, const Tweak& tweak, size_t sameUntil, const char* key, const char* recorded) {
            std::vector<double> losses;
            runTo((dir_.path() + "/" + run).toStdString(), 9, &losses, -1, tweak);
            QCOMPARE(losses.size(), size_t(9));
            for (size_t i = 0; i < sameUntil; ++i) QCOMPARE(losses[i], plain[i]);
            for (size_t i = sameUntil; i < 9; ++i) QVERIFY2(losses[i] != plain[i], qPrintable(QStringLiteral("%1 step %2").arg(run).arg(i)));
            std::ifstream in(dir_.path().toStdString() + "/" + run + "/ckpt/state.json");
            QCOMPARE(nlohmann::json::parse(in).at("info").at(key).get<std::string>(), std::string(recorded));
        };
        // A timestep shift: step 6 on draws other noise levels.
        switchedOnAtStep6("dit-shift", [](train::DitStageOptions& o) {
            o.late_shift = 1.0;
            o.late_shift_from = 6;
        }, 6, "shift", "1.000000");
        if (QTest::currentTestFailed()) return;
        // Noise with a part common to all frames: the same.
        switchedOnAtStep6("dit-frame-noise", [](train::DitStageOptions& o) {
            o.frame_noise_share = 0.5;
            o.frame_noise_from = 6;
        }, 6, "frame_noise_share", "0.500000");
        if (QTest::currentTestFailed()) return;
        // Another share from step 6 on (--dit-frame-noise-share F@STEP) over the spec's (none here).
        switchedOnAtStep6("dit-late-frame-noise", [](train::DitStageOptions& o) {
            o.late_frame_noise_share = 0.8;
            o.late_frame_noise_from = 6;
        }, 6, "frame_noise_share", "0.800000");
        if (QTest::currentTestFailed()) return;
        // The loss on the error's change between frames: step 6 still logs the plain run's loss (the log
        // reports the flow-matching term, and the weights are still the same); after it the weights, and
        // so the losses, differ.
        switchedOnAtStep6("dit-temporal", [](train::DitStageOptions& o) {
            o.temporal_weight = 1.0;
            o.temporal_from = 6;
        }, 7, "temporal_weight", "1.000000");
        if (QTest::currentTestFailed()) return;
        // More clips from step 6 on (--wider-clips): the cache's 16 and the 16 after them in the same
        // stream, encoded as a cache of all 32 with the cache's statistics would hold them.
        const auto after = train::buildLatentCache(vae, 5, 16, smallWorld(), (dir_.path() + "/latents-after.safetensors").toStdString(),
                                                   {}, &cache, 8, 16);
        {
            const auto all32 = train::buildLatentCache(vae, 5, 32, smallWorld(), (dir_.path() + "/latents-32.safetensors").toStdString(),
                                                       {}, &cache);
            QVERIFY(at::equal(after.latents, all32.latents.narrow(0, 16, 16)));
            QVERIFY(at::equal(after.masks, all32.masks.narrow(0, 16, 16)));
        }
        const auto widened = std::make_shared<const train::LatentCache>(train::widenLatentCache(cache, after));
        QCOMPARE(widened->latents.size(0), int64_t(32));
        QVERIFY(at::equal(widened->latents.narrow(0, 0, 16), cache.latents));
        switchedOnAtStep6("dit-wider", [&](train::DitStageOptions& o) { o.later_caches = {{6, widened}}; }, 6, "clips", "32");
        if (QTest::currentTestFailed()) return;
        QCOMPARE(jsonAt(dir_.path().toStdString() + "/dit-wider/ckpt/state.json").at("info").at("world").get<std::string>(), std::string("1"));
        auto otherStats = after;
        otherStats.mean[0] += 1;
        QVERIFY_THROWS_EXCEPTION(engine::EngineError, train::widenLatentCache(cache, otherStats));
        // The same clips as version 2 of the world draws them (--world): only clips with a spinning
        // object differ, and only those are encoded again. The cache's 16 clips of stream 5 have none;
        // clip 19, the fourth after them, has a spinning triangle.
        {
            int64_t reported = -1;
            const auto same = train::reworldLatentCache(vae, cache, 2, (dir_.path() + "/latents-w2.safetensors").toStdString(), 0,
                                                        [&](int64_t, int64_t of) { reported = of; });
            QCOMPARE(reported, int64_t(-1));  // nothing to encode
            QVERIFY(at::equal(same.latents, cache.latents));
            QCOMPARE(same.world.version, 2);
            QCOMPARE(train::loadLatentCache((dir_.path() + "/latents-w2.safetensors").toStdString()).world.version, 2);
            QCOMPARE(train::loadLatentCache((dir_.path() + "/latents.safetensors").toStdString()).world.version, 1);
            const std::string afterW2Path = (dir_.path() + "/latents-after-w2.safetensors").toStdString();
            const auto afterW2 = train::reworldLatentCache(vae, after, 2, afterW2Path, 16, [&](int64_t, int64_t of) { reported = of; });
            QCOMPARE(reported, int64_t(1));
            for (int64_t row = 0; row < 16; ++row) {
                QCOMPARE(at::equal(afterW2.latents[row], after.latents[row]), row != 3);
                QCOMPARE(at::equal(afterW2.masks[row], after.masks[row]), row != 3);
            }
            auto v2 = smallWorld();
            v2.version = 2;
            const auto fresh = train::encodeWorldClips(vae, 5, {19}, v2);
            const auto m = at::tensor(cache.mean, at::kDouble).to(at::kFloat).view({1, -1, 1, 1, 1});
            const auto sd = at::tensor(cache.std, at::kDouble).to(at::kFloat).view({1, -1, 1, 1, 1});
            QVERIFY(at::equal(afterW2.latents.narrow(0, 3, 1), ((fresh.latents - m) / sd).to(at::kHalf)));
            QVERIFY(at::equal(afterW2.masks.narrow(0, 3, 1), fresh.masks));
            QVERIFY(at::equal(train::loadLatentCache(afterW2Path).latents, afterW2.latents));
            // Clips of two versions of the world are not one cache.
            QVERIFY_THROWS_EXCEPTION(engine::EngineError, train::widenLatentCache(cache, afterW2));
            QCOMPARE(train::widenLatentCache(same, afterW2).latents.size(0), int64_t(32));
            QVERIFY_THROWS_EXCEPTION(std::invalid_argument, train::reworldLatentCache(vae, cache, world::kWorldVersions + 1, afterW2Path + "-x"));
        }
        // Clips of one motion drawn K times as often from step 6 on (--oversample): the pool holds each
        // clip with an object of that motion K times, the batches of step 6 on differ, and the checkpoint
        // says so. The motion is the first clip's, so the 16 clips have at least one.
        {
            const auto so = train::samplingOptionsOf(cache.world);
            auto objectsOf = [&](int64_t i) { return world::sampleScene(world::clipSeed(cache.seed, uint64_t(i)), so).objects; };
            const world::Motion m = objectsOf(0).front().motion;
            std::vector<int64_t> expected, identity;
            for (int64_t i = 0; i < 16; ++i) {
                const auto objects = objectsOf(i);
                const bool has = std::any_of(objects.begin(), objects.end(), [&](const world::ObjectSpec& ob) { return ob.motion == m; });
                expected.insert(expected.end(), has ? 4 : 1, i);
                identity.push_back(i);
            }
            QVERIFY(expected.size() > 16);
            QVERIFY(expected.size() < 16 * 4);  // not every clip has it: the pool weighs them
            QCOMPARE(train::oversampledPool(cache, m, 4), expected);
            QCOMPARE(train::oversampledPool(cache, m, 1), identity);
            QVERIFY_THROWS_EXCEPTION(engine::EngineError, train::oversampledPool(cache, m, 0));
            // None of the cache's 16 clips spins (above): oversampling spinning is refused, not ignored.
            try {
                train::oversampledPool(cache, world::Motion::Spinning, 3);
                QFAIL("oversampling a motion no clip has was taken");
            } catch (const engine::EngineError& e) {
                QVERIFY2(std::string(e.what()).find("none of the cache's 16 clips has an object with that motion") != std::string::npos, e.what());
            }
            const std::string recorded = std::string(world::motionName(m)) + " x4";
            switchedOnAtStep6("dit-oversample", [&](train::DitStageOptions& o) {
                o.oversample_motion = m;
                o.oversample_factor = 4;
                o.oversample_from = 6;
            }, 6, "oversample", recorded.c_str());
            if (QTest::currentTestFailed()) return;
            QCOMPARE(jsonAt(dir_.path().toStdString() + "/dit-plain/ckpt/state.json").at("info").at("oversample").get<std::string>(),
                     std::string("none"));
        }
        // Chinese words one piece each from step 6: the Chinese captions of step 6 on tokenize otherwise,
        // and the placed words' embedding rows start again there. Resumed from the checkpoint of step 6
        // (taken before the switch) or of step 9 (after it), a run ends exactly where an uninterrupted
        // one does.
        const std::string zhDir = (dir_.path() + "/tokenizer-zh").toStdString();
        const auto zhEdit = train::writeChineseWordsTokenizer(tokDir_, zhDir, world::chineseLexicon());
        QVERIFY(!zhEdit.rows.empty());
        const std::shared_ptr<const engine::Tokenizer> zhTokenizer = engine::Tokenizer::load(zhDir);
        const Tweak chineseWords = [&](train::DitStageOptions& o) {
            o.chinese_words_from = 6;
            o.chinese_words_tokenizer = zhTokenizer;
            o.chinese_words_rows = zhEdit.rows;
        };
        switchedOnAtStep6("dit-chinese-words", chineseWords, 6, "chinese_words", "yes");
        if (QTest::currentTestFailed()) return;
        const auto zhStraight = runTo((dir_.path() + "/dit-zh-straight").toStdString(), 12, nullptr, -1, chineseWords);
        for (const int64_t at : {int64_t(6), int64_t(9)}) {
            const std::string d = (dir_.path() + "/dit-zh-resumed-" + QString::number(at)).toStdString();
            QVERIFY_THROWS_EXCEPTION(std::runtime_error, runTo(d, 12, nullptr, at, chineseWords));
            const auto zhResumed = runTo(d, 12, nullptr, -1, chineseWords);
            for (size_t i = 0; i < zhResumed.size(); ++i) QVERIFY2(at::equal(zhResumed[i].second, zhStraight[i].second), d.c_str());
        }
        train::DitStageOptions noTokenizer;
        noTokenizer.chinese_words_from = 6;
        {
            engine::Umt5Encoder text(spec.text);
            engine::WanTransformer transformer(spec.transformer);
            noTokenizer.dir = (dir_.path() + "/dit-zh-none").toStdString();
            QVERIFY_THROWS_EXCEPTION(engine::EngineError, train::runDitStage(text, transformer, *tokenizer_, cache, noTokenizer));
        }

        // The same in bfloat16 forward passes (CPU autocast): it learns as well, keeps float32 weights,
        // and resumes exactly.
        std::vector<double> lossesBf16;
        const auto bf16 = runTo((dir_.path() + "/dit-bf16").toStdString(), 60, &lossesBf16, -1, inBf16);
        double apart = 0;  // the products really ran in bfloat16: the weights took another path than in float32
        for (size_t i = 0; i < bf16.size(); ++i) apart = std::max(apart, (bf16[i].second - straight[i].second).abs().max().item<double>());
        qInfo("bf16 vs float32 after 60 steps: max weight difference %.3g", apart);
        QVERIFY(apart > 1e-4);
        qInfo("bf16 DiT loss first 5 %.4f, last 5 %.4f", meanOf(lossesBf16, 0, 5), meanOf(lossesBf16, 55, 60));
        QVERIFY(std::abs(meanOf(lossesBf16, 0, 5) - 2.0) < 0.3);
        QVERIFY(meanOf(lossesBf16, 55, 60) < 0.9 * meanOf(lossesBf16, 0, 5));
        const auto weights = engine::SafetensorsFile::open((dir_.path() + "/dit-bf16/ckpt/weights.safetensors").toStdString());
        for (const auto& t : weights->tensors()) QCOMPARE(t.dtype, engine::StDType::F32);
        QVERIFY(!at::autocast::is_cpu_enabled());  // switched off again after each step
        const std::string e = (dir_.path() + "/dit-bf16-e").toStdString();
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, runTo(e, 12, nullptr, 9, inBf16));
        const auto resumedBf16 = runTo(e, 12, nullptr, -1, inBf16);
        const auto straightBf16 = runTo((dir_.path() + "/dit-bf16-f").toStdString(), 12, nullptr, -1, inBf16);
        for (size_t i = 0; i < resumedBf16.size(); ++i) QVERIFY(at::equal(resumedBf16[i].second, straightBf16[i].second));
    }

    void writtenModelLoadsAndGenerates() {
        auto spec = tinySpec((tokenizer_->vocabSize() + 63) / 64 * 64);
        engine::Umt5Encoder text(spec.text);
        engine::WanTransformer transformer(spec.transformer);
        engine::WanVAE vae(spec.vae);
        train::initTextEncoder(text, 2);
        train::initTransformer(transformer, 3);
        train::initVae(vae, 4);
        const std::string out = (dir_.path() + "/model").toStdString();
        train::writeModelFolder(out, spec, text, transformer, vae, tokDir_, engine::StDType::F16);
        const auto summary = engine::inspectModel(out);
        QVERIFY2(summary.ok(), summary.error.c_str());
        QCOMPARE(summary.defaults.width, 64);
        QCOMPARE(summary.defaults.max_sequence_length, 24);
        auto pipeline = engine::Pipeline::load(out);
        engine::GenerationRequest r;
        r.prompt = "一个蓝色的正方形";
        r.seed = 1;
        const auto clip = pipeline->generate(r);
        QCOMPARE(clip.video.frames, 5);
        QCOMPARE(clip.video.width, 64);
    }
    // A run handed to another machine through a carry folder (the state in the repository, nothing
    // else): the second run takes the tokenizer and the VAE as they were, starts the DiT at the carried
    // step from the carried EMA weights, and goes on to its own end.
    void carryHandsTheRunToAnotherMachine() {
        namespace fs = std::filesystem;
        const fs::path root = (dir_.path() + "/carry-test").toStdString();
        train::RecipeOptions a = tinyRecipe(root, "run-a");
        a.dit_steps = 4;
        a.dit_low_steps = 2;
        a.sample_every = 3;  // not a checkpoint step (every 200): sampling must not wait for one
        a.eval_prompts = 3;
        train::runRecipe(a);
        {
            // Every `sample_every` steps and the last step: a contact sheet with a world evaluation of
            // that preview model.
            std::ifstream csv(a.run + "/dit/eval.csv");
            std::string header, row3, row4, none;
            QVERIFY(std::getline(csv, header) && std::getline(csv, row3) && std::getline(csv, row4));
            QVERIFY2(header.rfind("step,colour,shape,motion,background,coherent", 0) == 0, header.c_str());
            QVERIFY2(row3.rfind("3,", 0) == 0, row3.c_str());
            QVERIFY2(row4.rfind("4,", 0) == 0, row4.c_str());
            QVERIFY(!std::getline(csv, none));
            QVERIFY(fs::exists(fs::path(a.run) / "dit" / "samples-3.png"));
            QVERIFY(fs::exists(fs::path(a.run) / "dit" / "samples-4.png"));
        }
        const std::string carry = (root / "carry").string();
        train::writeCarry(a, carry);
        std::ifstream cj(carry + "/carry.json");
        const auto j = nlohmann::json::parse(cj);
        QCOMPARE(j.at("dit").at("phase").get<std::string>(), std::string("dit"));
        QCOMPARE(j.at("dit").at("step").get<int64_t>(), int64_t(4));
        // The compute time goes with the state (what the model card's hours come from).
        const double vaeSeconds = jsonAt(fs::path(a.run) / "vae" / "report.json").at("seconds").get<double>();
        const double ditSeconds = jsonAt(fs::path(a.run) / "dit" / "ckpt" / "state.json").at("seconds").get<double>();
        QVERIFY(vaeSeconds > 0 && ditSeconds > 0);
        QCOMPARE(j.at("vae").at("seconds").get<double>(), vaeSeconds);
        QCOMPARE(j.at("dit").at("seconds").get<double>(), ditSeconds);
        QVERIFY(QString::fromStdString(train::computeTime(a.run)).startsWith("compute time: VAE "));
        QVERIFY(!fs::exists(fs::path(carry) / "tokenizer" / "corpus.txt"));
        const auto ema = engine::SafetensorsFile::open(carry + "/dit-ema.safetensors");
        for (const auto& t : ema->tensors()) QCOMPARE(t.dtype, engine::StDType::F16);

        train::RecipeOptions b = a;
        b.run = (root / "run-b").string();
        b.dit_steps = 7;
        b.sample_every = 1000;
        b.carry = carry;
        train::runRecipe(b);
        auto bytes = [](const fs::path& f) {
            std::ifstream in(f, std::ios::binary);
            return std::string(std::istreambuf_iterator<char>(in), {});
        };
        QCOMPARE(bytes(fs::path(b.run) / "tokenizer" / "spiece.model"), bytes(fs::path(a.run) / "tokenizer" / "spiece.model"));
        const auto va = engine::SafetensorsFile::open(a.run + "/vae/vae.safetensors");
        const auto vb = engine::SafetensorsFile::open(b.run + "/vae/vae.safetensors");
        for (const auto& t : va->tensors()) {
            QVERIFY(at::equal(va->tensor(t.name).to(at::kHalf).to(at::kFloat), vb->tensor(t.name)));
        }
        // The DiT went on from step 4: its log starts after it, its checkpoint is at the new end.
        std::ifstream state(b.run + "/dit/ckpt/state.json");
        const auto stateB = nlohmann::json::parse(state);
        QCOMPARE(stateB.at("step").get<int64_t>(), int64_t(7));
        QVERIFY(stateB.at("seconds").get<double>() > ditSeconds);  // counted on from the carried time
        std::ifstream log(b.run + "/dit/loss.csv");
        std::string header, first;
        std::getline(log, header);
        std::getline(log, first);
        QVERIFY2(first.rfind("7,", 0) == 0, first.c_str());  // logged every 10 steps and at the end
        // A VAE stage interrupted halfway is carried as its EMA weights and step, and goes on from there.
        const fs::path x = root / "run-x";
        fs::create_directories(x);
        fs::copy(fs::path(a.run) / "tokenizer", x / "tokenizer");
        {
            std::ifstream specFile(a.spec);
            engine::WanVAE vx(train::ModelSpec::fromJson(nlohmann::json::parse(specFile)).vae);
            train::initVae(vx, 9);
            train::VaeStageOptions vo;
            vo.dir = (x / "vae").string();
            vo.steps = 2;
            train::runVaeStage(vx, vo);
        }
        train::RecipeOptions xo = a;
        xo.run = x.string();
        const std::string carryX = (root / "carry-x").string();
        train::writeCarry(xo, carryX);
        std::ifstream cx(carryX + "/carry.json");
        const auto jx = nlohmann::json::parse(cx);
        QCOMPARE(jx.at("vae").at("done").get<bool>(), false);
        QCOMPARE(jx.at("vae").at("step").get<int64_t>(), int64_t(2));
        QVERIFY(!jx.contains("dit"));
        train::RecipeOptions y = a;
        y.run = (root / "run-y").string();
        y.carry = carryX;
        y.vae_steps = 5;
        y.sample_every = 1000;
        train::runRecipe(y);
        std::ifstream vlog(y.run + "/vae/loss.csv");
        std::getline(vlog, header);
        std::getline(vlog, first);
        QVERIFY2(first.rfind("5,", 0) == 0, first.c_str());
        QVERIFY(fs::exists(fs::path(y.run) / "vae" / "vae.safetensors"));
        QVERIFY(jsonAt(fs::path(y.run) / "vae" / "report.json").at("seconds").get<double>() > jx.at("vae").at("seconds").get<double>());

        // Export writes the furthest DiT phase's EMA weights (F16) with the VAE: from the full-resolution
        // phase, or from the low-resolution one while the other has no checkpoint (an early model).
        const auto emaA = engine::SafetensorsFile::open(a.run + "/dit/ckpt/ema.safetensors");
        QCOMPARE(QString::fromStdString(train::exportModel(a, (root / "export-a").string())), QString("dit step 4"));
        const auto exported = engine::SafetensorsFile::open((root / "export-a" / "transformer" / "diffusion_pytorch_model.safetensors").string());
        // Every EMA weight of the transformer, as F16 (the exported file also holds its buffers).
        auto exportsEma = [](const engine::SafetensorsFile& ema, const engine::SafetensorsFile& file) {
            int matched = 0;
            for (const auto& t : ema.tensors()) {
                if (t.name.rfind("transformer.", 0) != 0) continue;
                if (!at::equal(file.tensor(t.name.substr(12)), ema.tensor(t.name).to(at::kHalf))) return -1;
                ++matched;
            }
            return matched;
        };
        for (const auto& t : exported->tensors()) QCOMPARE(t.dtype, engine::StDType::F16);
        QVERIFY(exportsEma(*emaA, *exported) > 10);
        QVERIFY2(engine::inspectModel((root / "export-a").string()).ok(), "the exported folder does not load");
        train::RecipeOptions early = a;
        early.run = (root / "run-early").string();
        fs::copy(a.run, early.run, fs::copy_options::recursive);
        fs::remove_all(fs::path(early.run) / "dit");
        QCOMPARE(QString::fromStdString(train::exportModel(early, (root / "export-early").string())), QString("dit-low step 2"));
        const auto emaLow = engine::SafetensorsFile::open(a.run + "/dit-low/ckpt/ema.safetensors");
        const auto exportedLow =
            engine::SafetensorsFile::open((root / "export-early" / "transformer" / "diffusion_pytorch_model.safetensors").string());
        QVERIFY(exportsEma(*emaLow, *exportedLow) > 10);
        // Without a finished VAE or any DiT checkpoint there is nothing to export: the reason, no folder.
        auto exportError = [&](const train::RecipeOptions& r, const fs::path& to) {
            try {
                train::exportModel(r, to.string());
            } catch (const std::exception& e) {
                return std::string(e.what());
            }
            return std::string("exported");
        };
        // The exported folder declares the noise prior its weights were trained on: the spec's frame
        // noise share, but none where --frame-noise-from had not been reached (or for the low phase).
        {
            auto j = jsonAt(a.spec);
            j["model_index"]["kinora"]["frame_noise_share"] = 0.5;
            train::RecipeOptions m = a;
            m.spec = (root / "spec-mixed.json").string();
            std::ofstream(m.spec) << j.dump(2);
            auto declared = [&](const train::RecipeOptions& r, const std::string& name) {
                train::exportModel(r, (root / name).string());
                const auto model = engine::inspectModel((root / name).string());
                if (!model.ok()) return -1.0;
                return jsonAt(root / name / "model_index.json").at("kinora").at("frame_noise_share").get<double>();
            };
            QCOMPARE(declared(a, "export-plain"), 0.0);
            QCOMPARE(declared(m, "export-mixed"), 0.5);
            m.frame_noise_from = 3;
            QCOMPARE(declared(m, "export-mixed-from-3"), 0.5);  // the run is at step 4
            m.frame_noise_from = 4;
            QCOMPARE(declared(m, "export-mixed-from-4"), 0.0);
            m.frame_noise_from = 0;
            m.run = early.run;
            QCOMPARE(declared(m, "export-mixed-early"), 0.5);
            m.frame_noise_from = 1;
            QCOMPARE(declared(m, "export-mixed-early-from-1"), 0.0);
            m.frame_noise_from = 0;
            j["training"]["frame_noise_share"] = 0.25;  // trainer-only: what the folder declares stays the spec's
            std::ofstream(m.spec) << j.dump(2);
            QCOMPARE(declared(m, "export-mixed-trained-apart"), 0.5);
            QVERIFY(!jsonAt(root / "export-mixed-trained-apart" / "model_index.json").contains("training"));
            j["training"]["frame_noise_share"] = 1.0;
            std::ofstream(m.spec) << j.dump(2);
            const auto refusedTraining = exportError(m, root / "export-training-share-1");
            QVERIFY2(refusedTraining.find("training.frame_noise_share: a share from 0 up to (not including) 1") != std::string::npos,
                     refusedTraining.c_str());
            j["training"]["frame_noise_share"] = 0.25;
            j["training"]["flow_shift"] = 0.5;  // would train mostly at low noise
            std::ofstream(m.spec) << j.dump(2);
            const auto refusedShift = exportError(m, root / "export-training-shift");
            QVERIFY2(refusedShift.find("training.flow_shift: a timestep shift from 1 to 20, not 0.5") != std::string::npos,
                     refusedShift.c_str());
            j["training"] = 0.5;
            std::ofstream(m.spec) << j.dump(2);
            const auto refusedForm = exportError(m, root / "export-training-number");
            QVERIFY2(refusedForm.find("training: an object of trainer-only settings") != std::string::npos, refusedForm.c_str());
            j.erase("training");
            j["model_index"]["kinora"]["frame_noise_share"] = 1.0;  // all noise common: no clip could move
            std::ofstream(m.spec) << j.dump(2);
            const auto refused = exportError(m, root / "export-share-1");
            QVERIFY2(refused.find("frame_noise_share: a share from 0 up to (not including) 1") != std::string::npos, refused.c_str());
        }
        fs::remove_all(fs::path(early.run) / "dit-low");
        const auto noDit = exportError(early, root / "export-none");
        QVERIFY2(noDit.find("no DiT checkpoint yet") != std::string::npos, noDit.c_str());
        QVERIFY(!fs::exists(root / "export-none"));
        const auto vaeUnfinished = exportError(xo, root / "export-x");
        QVERIFY2(vaeUnfinished.find("VAE stage has not finished") != std::string::npos, vaeUnfinished.c_str());
        QVERIFY(!fs::exists(root / "export-x"));

        // --chinese-words-from: the run's tokenizer edited beside it, and from that step on the weights
        // go with the edited one (export and carry hand it on); weights from before it keep the run's.
        {
            train::RecipeOptions z = a;
            z.run = (root / "run-zh").string();
            fs::copy(a.run, z.run, fs::copy_options::recursive);
            z.dit_steps = 7;
            z.chinese_words_from = 5;
            z.sample_every = 1000;
            train::runRecipe(z);
            const fs::path edited = fs::path(z.run) / "tokenizer-chinese-words" / "spiece.model";
            QVERIFY(fs::exists(edited));
            QVERIFY(bytes(edited) != bytes(fs::path(a.run) / "tokenizer" / "spiece.model"));
            QCOMPARE(jsonAt(fs::path(z.run) / "dit" / "ckpt" / "state.json").at("info").at("chinese_words").get<std::string>(),
                     std::string("yes"));
            QCOMPARE(jsonAt(fs::path(a.run) / "dit" / "ckpt" / "state.json").at("info").at("chinese_words").get<std::string>(),
                     std::string("no"));
            train::exportModel(z, (root / "export-zh").string());
            QCOMPARE(bytes(root / "export-zh" / "tokenizer" / "spiece.model"), bytes(edited));
            QVERIFY2(engine::inspectModel((root / "export-zh").string()).ok(), "the exported folder does not load");
            QCOMPARE(bytes(fs::path(z.run) / "preview-model" / "tokenizer" / "spiece.model"), bytes(edited));
            QCOMPARE(bytes(root / "export-a" / "tokenizer" / "spiece.model"), bytes(fs::path(a.run) / "tokenizer" / "spiece.model"));
            train::writeCarry(z, (root / "carry-zh").string());
            QCOMPARE(bytes(root / "carry-zh" / "tokenizer" / "spiece.model"), bytes(edited));
            fs::remove_all(fs::path(z.run) / "tokenizer-chinese-words");
            const auto lost = exportError(z, root / "export-zh-lost");
            QVERIFY2(lost.find("tokenizer-chinese-words is missing") != std::string::npos, lost.c_str());
        }

        // A carry folder that is not one is refused with the reason.
        train::RecipeOptions c = b;
        c.run = (root / "run-c").string();
        c.carry = (root / "run-a").string();
        try {
            train::runRecipe(c);
            QFAIL("a folder without carry.json was accepted");
        } catch (const std::exception& e) {
            QVERIFY2(std::string(e.what()).find("no carry.json") != std::string::npos, e.what());
        }
    }

    // A contact sheet draws its labels in ASCII; a label its font cannot draw (a Chinese prompt once came
    // out as a row of '?') is refused with the reason, and a drawable one gives one row per clip.
    void contactSheetRefusesLabelsItCannotDraw() {
        media::Clip clip;
        for (int f = 0; f < 5; ++f) {
            media::Frame fr;
            fr.width = fr.height = 16;
            fr.rgb.assign(16 * 16 * 3, static_cast<uint8_t>(40 * f));
            clip.frames.push_back(fr);
        }
        const std::string png = (dir_.path() + "/sheet.png").toStdString();
        try {
            train::writeContactSheet(png, {clip}, {"黑色背景上一个红色的圆向左移动"});
            QFAIL("a Chinese label was drawn");
        } catch (const std::exception& e) {
            QVERIFY2(std::string(e.what()).find("not ASCII") != std::string::npos, e.what());
        }
        QVERIFY(!QFileInfo::exists(QString::fromStdString(png)));
        train::writeContactSheet(png, {clip, clip}, {"(in Chinese) a red circle", "a red circle"});
        // The PNG's IHDR: width and height, big-endian, at bytes 16 and 20 (no QtGui in this test).
        std::ifstream in(png, std::ios::binary);
        unsigned char head[24] = {};
        QVERIFY(in.read(reinterpret_cast<char*>(head), sizeof head));
        auto be32 = [&](int at) { return (head[at] << 24) | (head[at + 1] << 16) | (head[at + 2] << 8) | head[at + 3]; };
        QCOMPARE(be32(16), 5 * (128 + 4) + 4);
        QCOMPARE(be32(20), 2 * (128 + 18 + 4) + 4);
    }

    // The training hours of the model card count work, not waiting: a paused run (SIGSTOP) or one
    // sleeping adds nothing; work done on one thread counts as that share of the compute threads.
    void computeTimeCountsWorkNotWaiting() {
        const train::ComputeClock idle(5.0);
        QThread::msleep(400);
        QVERIFY2(idle.seconds() - 5.0 < 0.05, qPrintable(QString::number(idle.seconds())));
        const train::ComputeClock busy(1.0);
        const std::clock_t start = std::clock();  // this process's processor time
        volatile double sink = 0;
        while (std::clock() - start < CLOCKS_PER_SEC * 3 / 10) sink = sink + 1.0;
        const double expected = 1.0 + 0.3 / at::get_num_threads();
        QVERIFY2(std::abs(busy.seconds() - expected) < 0.03,
                 qPrintable(QStringLiteral("%1, expected %2").arg(busy.seconds()).arg(expected)));
    }

    // A long stage averages over ~1000 steps; a short one over a tenth of its length, so that its start
    // keeps a weight of e^-10 at most (the VAE stage's 12000 steps keep 0.999, as it was trained).
    void emaDecayFitsTheStageLength() {
        QCOMPARE(train::emaDecayFor(12000), 0.999);
        QCOMPARE(train::emaDecayFor(10000), 0.999);
        QCOMPARE(train::emaDecayFor(1000), 0.99);
        QCOMPARE(train::emaDecayFor(600), 1.0 - 10.0 / 600);
        QVERIFY(std::pow(train::emaDecayFor(600), 600) < 1e-4);
        QCOMPARE(train::emaDecayFor(5), 0.0);
        QCOMPARE(train::emaDecayFor(0), 0.0);
    }

    // A run trained on past its planned end (--dit-steps 4000,12000): the steps before the old end keep
    // the learning rates they had, and after it the schedule warms up and decays again to the new end.
    void learningRateScheduleRestartsAtEachPlannedEnd() {
        const double peak = 5e-4;
        for (int64_t step = 0; step < 100; ++step) {
            QCOMPARE(train::cyclicLearningRate(step, {}, 100, 10, peak), train::learningRate(step, 100, 10, peak));
        }
        for (int64_t step = 0; step < 40; ++step) {
            QCOMPARE(train::cyclicLearningRate(step, {40, 70}, 100, 10, peak), train::learningRate(step, 40, 10, peak));
        }
        QVERIFY(train::learningRate(39, 40, 10, peak) < 0.11 * peak);                         // the old end: decayed
        QCOMPARE(train::cyclicLearningRate(40, {40, 70}, 100, 10, peak), peak / 10);          // warming up again
        QCOMPARE(train::cyclicLearningRate(49, {40, 70}, 100, 10, peak), peak);
        QCOMPARE(train::cyclicLearningRate(69, {40, 70}, 100, 10, peak), train::learningRate(29, 30, 10, peak));
        QCOMPARE(train::cyclicLearningRate(70, {40, 70}, 100, 10, peak), peak / 10);
        QCOMPARE(train::cyclicLearningRate(99, {40, 70}, 100, 10, peak), train::learningRate(29, 30, 10, peak));

        // A peak per cycle: the cycles keep their steps, each warms up to its own peak.
        const std::vector<double> peaks{peak, peak, peak / 2};
        for (int64_t step = 0; step < 70; ++step) {
            QCOMPARE(train::cyclicLearningRate(step, {40, 70}, 100, 10, peaks), train::cyclicLearningRate(step, {40, 70}, 100, 10, peak));
        }
        QCOMPARE(train::cyclicLearningRate(70, {40, 70}, 100, 10, peaks), peak / 20);
        QCOMPARE(train::cyclicLearningRate(79, {40, 70}, 100, 10, peaks), peak / 2);
        QCOMPARE(train::cyclicLearningRate(99, {40, 70}, 100, 10, peaks), train::learningRate(29, 30, 10, peak / 2));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, train::cyclicLearningRate(0, {40, 70}, 100, 10, std::vector<double>{peak, peak}));

        // A plan whose ends do not increase is refused before anything starts.
        QProcess p;
        p.start(QStringLiteral(KINORA_TRAIN), {QStringLiteral("all"), QStringLiteral("--run"), dir_.path() + QStringLiteral("/never-plan"),
                                               QStringLiteral("--spec"), QStringLiteral("spec.json"), QStringLiteral("--dit-steps"),
                                               QStringLiteral("4000,3000")});
        QVERIFY(p.waitForFinished(30000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains(QStringLiteral("--dit-steps 4000,3000: each planned end must be above the one before")), qPrintable(err));
        QVERIFY(!QFileInfo::exists(dir_.path() + QStringLiteral("/never-plan")));

        // So are peaks that do not match the plan's cycles.
        p.start(QStringLiteral(KINORA_TRAIN), {QStringLiteral("all"), QStringLiteral("--run"), dir_.path() + QStringLiteral("/never-plan"),
                                               QStringLiteral("--spec"), QStringLiteral("spec.json"), QStringLiteral("--dit-steps"),
                                               QStringLiteral("4000,12000,20000"), QStringLiteral("--dit-lr"), QStringLiteral("5e-4,2e-4")});
        QVERIFY(p.waitForFinished(30000));
        const QString peaksErr = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(peaksErr.contains(QStringLiteral("--dit-lr: 2 peaks for the 3 cycles of --dit-steps 4000,12000,20000")), qPrintable(peaksErr));
        QVERIFY(!QFileInfo::exists(dir_.path() + QStringLiteral("/never-plan")));
    }

    // The decoder stage trains the VAE's decoder alone: the encoder, and so the latent caches and the
    // transformer trained on them, stay as they were, while the model folder gets the new decoder; a carry
    // hands the finished stage on, and the stage alone refuses a run whose VAE has not finished.
    void decoderStageKeepsTheEncoder() {
        namespace fs = std::filesystem;
        const fs::path root = (dir_.path() + "/decoder-test").toStdString();
        train::RecipeOptions o = tinyRecipe(root, "run");
        o.dit_steps = 2;
        o.sample_every = 1000;
        o.eval_prompts = 0;
        o.vae_decoder_steps = 3;
        o.vae_decoder_size = 32;
        train::runRecipe(o);
        std::ifstream reportIn(o.run + "/vae-decoder/report.json");
        const auto report = nlohmann::json::parse(reportIn);
        QCOMPARE(report.at("steps").get<int64_t>(), int64_t(3));
        QVERIFY(report.at("psnr_db").get<double>() > 0 && report.at("seconds").get<double>() > 0);
        const auto before = engine::SafetensorsFile::open(o.run + "/vae/vae.safetensors");
        const auto after = engine::SafetensorsFile::open(o.run + "/vae-decoder/vae.safetensors");
        int decoderChanged = 0, decoderTensors = 0;
        for (const auto& t : before->tensors()) {
            const bool decoder = t.name.rfind("decoder.", 0) == 0 || t.name.rfind("post_quant_conv.", 0) == 0;
            const bool same = at::equal(before->tensor(t.name), after->tensor(t.name));
            if (decoder) {
                ++decoderTensors;
                decoderChanged += same ? 0 : 1;
            } else {
                QVERIFY2(same, t.name.c_str());  // encoder and quant_conv untouched
            }
        }
        QVERIFY2(decoderChanged > decoderTensors / 2, qPrintable(QStringLiteral("%1 of %2").arg(decoderChanged).arg(decoderTensors)));
        // What it writes is where training took the decoder, not mostly where it started: the EMA's decay
        // fits the stage's length (with 0.999, 3 steps moved the average 0.3% of the way, 600 steps 45%).
        const auto trained = engine::SafetensorsFile::open(o.run + "/vae-decoder/ckpt/weights.safetensors");
        double moved = 0, trainedMoved = 0;
        for (const auto& t : before->tensors()) {
            if (t.name.rfind("decoder.", 0) != 0 && t.name.rfind("post_quant_conv.", 0) != 0) continue;
            const auto start = before->tensor(t.name);
            moved += (after->tensor(t.name) - start).pow(2).sum().item<double>();
            trainedMoved += (trained->tensor("vae." + t.name) - start).pow(2).sum().item<double>();
        }
        QVERIFY2(trainedMoved > 0 && moved > 0.8 * trainedMoved, qPrintable(QStringLiteral("%1 against %2").arg(moved).arg(trainedMoved)));

        // The model folder takes the stage's decoder.
        const std::string model = (root / "model").string();
        train::exportModel(o, model);
        const auto exported = engine::SafetensorsFile::open(model + "/vae/diffusion_pytorch_model.safetensors");
        for (const auto& t : after->tensors()) {
            QVERIFY2(at::equal(exported->tensor(t.name), after->tensor(t.name).to(at::kHalf).to(at::kFloat)), t.name.c_str());
        }
        // Run again, the stage is done: nothing changes.
        train::runRecipe(o);
        const auto again = engine::SafetensorsFile::open(o.run + "/vae-decoder/vae.safetensors");
        for (const auto& t : after->tensors()) QVERIFY(at::equal(again->tensor(t.name), after->tensor(t.name)));

        // Carried to another machine as it is.
        const std::string carry = (root / "carry").string();
        train::writeCarry(o, carry);
        std::ifstream cj(carry + "/carry.json");
        QCOMPARE(nlohmann::json::parse(cj).at("vae_decoder").at("steps").get<int64_t>(), int64_t(3));
        train::RecipeOptions b = o;
        b.run = (root / "run-b").string();
        b.carry = carry;
        train::runRecipe(b);
        const auto carried = engine::SafetensorsFile::open(b.run + "/vae-decoder/vae.safetensors");
        for (const auto& t : after->tensors()) {
            QVERIFY2(at::equal(carried->tensor(t.name), after->tensor(t.name).to(at::kHalf).to(at::kFloat)), t.name.c_str());
        }
        QVERIFY(!fs::exists(fs::path(b.run) / "vae-decoder" / "ckpt"));  // not trained again

        // The stage alone: it needs the VAE's final weights, a step count, windows on the 8-pixel grid, and
        // an object weight of at least 1.
        auto refusal = [](const train::RecipeOptions& r) -> std::string {
            try {
                train::runDecoderStage(r);
            } catch (const engine::EngineError& e) {
                return e.what();
            }
            return "accepted";
        };
        train::RecipeOptions fresh = tinyRecipe(root, "run-without-vae");
        fresh.vae_decoder_steps = 3;
        const std::string freshWhy = refusal(fresh);
        QVERIFY2(freshWhy.find("the VAE stage has not finished") != std::string::npos, freshWhy.c_str());
        train::RecipeOptions light = o;
        light.vae_decoder_object_weight = 0.5;
        const std::string lightWhy = refusal(light);
        QVERIFY2(lightWhy.find("--vae-decoder-object-weight 0.500000: a weight from 1 (none) to 100") != std::string::npos, lightWhy.c_str());
        train::RecipeOptions odd = o;
        odd.vae_decoder_size = 36;
        const std::string oddWhy = refusal(odd);
        QVERIFY2(oddWhy.find("--vae-decoder-size 36: windows on the VAE's 8-pixel grid") != std::string::npos, oddWhy.c_str());
    }

    // The plan's restarts belong to the 128x128 phase: the 64x64 phase before it decays over its own steps.
    void lowResolutionPhaseKeepsItsOwnSchedule() {
        namespace fs = std::filesystem;
        const fs::path root = (dir_.path() + "/plan-test").toStdString();
        train::RecipeOptions o = tinyRecipe(root, "run");
        o.dit_low_steps = 4;
        o.dit_steps = 6;
        o.dit_restarts = {5};
        o.dit_cycle_lr = {o.dit_lr, o.dit_lr / 4};  // the second cycle warms up to a quarter of the first's peak
        o.dit_warmup = 1;  // past the warm-up at once, so that the decay (which depends on the end) shows
        o.sample_every = 1000;
        o.eval_prompts = 0;
        o.wider_clips = 12;  // the cache's 8 clips and 4 more from step 4 on
        o.wider_from = 4;
        o.world_moves = {{2, 5}};  // and version 2 of the world from the second cycle on: clip 3 of the stream spins
        {
            // A spec whose folders sample at another frame noise share and timestep shift than the DiT
            // trains with.
            auto j = jsonAt(o.spec);
            j["model_index"]["kinora"]["frame_noise_share"] = 0.8;
            j["scheduler"]["flow_shift"] = 5.0;
            j["training"]["frame_noise_share"] = 0.5;
            j["training"]["flow_shift"] = 2.0;
            std::ofstream(o.spec) << j.dump(2);
        }
        train::runRecipe(o);
        for (const char* phase : {"dit-low", "dit"}) {
            const auto info = jsonAt(fs::path(o.run) / phase / "ckpt" / "state.json").at("info");
            QCOMPARE(info.at("frame_noise_share").get<std::string>(), std::string("0.500000"));
            QCOMPARE(info.at("shift").get<std::string>(), std::string("2.000000"));
        }
        QCOMPARE(jsonAt(fs::path(o.run) / "preview-model" / "model_index.json").at("kinora").at("frame_noise_share").get<double>(), 0.8);
        QCOMPARE(jsonAt(fs::path(o.run) / "preview-model" / "scheduler" / "scheduler_config.json").at("flow_shift").get<double>(), 5.0);
        auto lastLr = [](const std::string& csvPath) {
            std::ifstream csv(csvPath);
            std::string line, last;
            while (std::getline(csv, line)) last = line;
            const auto a = last.find(','), b = last.find(',', a + 1), c = last.find(',', b + 1);
            return std::make_pair(std::stoll(last.substr(0, a)), std::stod(last.substr(b + 1, c - b - 1)));
        };
        const auto low = lastLr(o.run + "/dit-low/loss.csv");
        QCOMPARE(low.first, int64_t(4));
        const double lowExpected = train::learningRate(3, 4, 1, o.dit_lr);
        QVERIFY2(std::abs(low.second - lowExpected) < 1e-6 * o.dit_lr, qPrintable(QStringLiteral("%1, expected %2").arg(low.second).arg(lowExpected)));
        const auto full = lastLr(o.run + "/dit/loss.csv");
        QCOMPARE(full.first, int64_t(6));
        const double second = o.dit_lr / 4;  // step 5 starts the plan's second cycle, at its own peak
        QVERIFY2(std::abs(full.second - second) < 1e-6 * second, qPrintable(QStringLiteral("%1, expected %2").arg(full.second).arg(second)));
        std::ifstream state(o.run + "/dit/ckpt/state.json");
        const auto info = nlohmann::json::parse(state).at("info");
        QCOMPARE(info.at("lr").get<std::string>(), std::to_string(second));
        QCOMPARE(info.at("clips").get<std::string>(), std::string("12"));
        QCOMPARE(info.at("world").get<std::string>(), std::string("2"));
        QCOMPARE(jsonAt(fs::path(o.run) / "dit-low" / "ckpt" / "state.json").at("info").at("world").get<std::string>(), std::string("1"));
        {
            // Only the spinning clip was encoded again.
            const auto v1 = train::loadLatentCache(o.run + "/latents.safetensors");
            const auto v2 = train::loadLatentCache(o.run + "/latents-world2.safetensors");
            QCOMPARE(v2.world.version, 2);
            for (int64_t row = 0; row < 8; ++row) QCOMPARE(at::equal(v1.latents[row], v2.latents[row]), row != 3);
            QVERIFY(at::equal(train::loadLatentCache(o.run + "/latents-wider-world2.safetensors").latents,
                              train::loadLatentCache(o.run + "/latents-wider.safetensors").latents));
        }
        QCOMPARE(jsonAt(fs::path(o.run) / "dit-low" / "ckpt" / "state.json").at("info").at("clips").get<std::string>(), std::string("8"));
        QCOMPARE(train::loadLatentCache(o.run + "/latents-wider.safetensors").latents.size(0), int64_t(4));
        {
            // A wider cache normalised for another cache (say before the VAE was trained again) is refused.
            const std::string widerPath = o.run + "/latents-wider.safetensors";
            const auto kept = engine::SafetensorsFile::open(widerPath);
            std::vector<std::pair<std::string, at::Tensor>> tensors;
            for (const auto& t : kept->tensors()) {
                auto v = kept->tensor(t.name).clone();
                if (t.name == "mean") v.add_(1.0);
                tensors.emplace_back(t.name, v);
            }
            const auto meta = kept->metadata();
            fs::rename(widerPath, widerPath + ".kept");
            engine::writeSafetensors(widerPath, tensors, {meta.begin(), meta.end()});
            try {
                train::runRecipe(o);
                QFAIL("a wider cache of another normalisation was taken");
            } catch (const engine::EngineError& e) {
                QVERIFY2(std::string(e.what()).find("delete it") != std::string::npos, e.what());
            }
            fs::remove(widerPath);
            fs::rename(widerPath + ".kept", widerPath);
        }
        {
            // A version-2 cache of other clips (say written before the VAE was trained again) is refused.
            const std::string w2 = o.run + "/latents-world2.safetensors";
            fs::rename(w2, w2 + ".kept");
            fs::copy_file(o.run + "/latents-wider-world2.safetensors", w2);
            try {
                train::runRecipe(o);
                QFAIL("a version-2 cache of other clips was taken");
            } catch (const engine::EngineError& e) {
                QVERIFY2(std::string(e.what()).find("latents-world2.safetensors is not the cache's clips in version 2 of the world; delete it") !=
                             std::string::npos,
                         e.what());
            }
            fs::remove(w2);
            fs::rename(w2 + ".kept", w2);
        }
        auto fewer = o;
        fewer.wider_clips = 8;
        try {
            train::runRecipe(fewer);
            QFAIL("--wider-clips of no more clips than the cache's was taken");
        } catch (const engine::EngineError& e) {
            QVERIFY2(std::string(e.what()).find("not more than the cache's 8") != std::string::npos, e.what());
        }
        auto backwards = o;
        backwards.world_moves = {{3, 5}, {2, 6}};
        try {
            train::runRecipe(backwards);
            QFAIL("a move back to an earlier version of the world was taken");
        } catch (const engine::EngineError& e) {
            QVERIFY2(std::string(e.what()).find("--world: moves go to later versions at later steps (e.g. 3@48000,4@60000), not 2@6 after 3@5") !=
                         std::string::npos,
                     e.what());
        }
        {
            // A second move, on the plan extended by a cycle from the checkpoint at step 6 (--world
            // 2@5,4@6): version 4's caches are version 2's with the clips that differ encoded again.
            auto later = o;
            later.dit_steps = 7;
            later.dit_restarts = {5, 6};
            later.dit_cycle_lr = {o.dit_lr, o.dit_lr / 4, o.dit_lr / 4};
            later.world_moves = {{2, 5}, {4, 6}};
            train::runRecipe(later);
            QCOMPARE(jsonAt(fs::path(o.run) / "dit" / "ckpt" / "state.json").at("info").at("world").get<std::string>(), std::string("4"));
            int differ = 0;
            for (const char* name : {"world", "wider-world"}) {
                const auto v2 = train::loadLatentCache(o.run + "/latents-" + name + "2.safetensors");
                const auto v4 = train::loadLatentCache(o.run + "/latents-" + name + "4.safetensors");
                QCOMPARE(v4.world.version, 4);
                QCOMPARE(v4.latents.size(0), v2.latents.size(0));
                const int64_t first = std::string(name) == "world" ? 0 : 8;
                for (int64_t row = 0; row < v2.latents.size(0); ++row) {
                    const uint64_t seed = world::clipSeed(v2.seed, uint64_t(first + row));
                    const bool same = world::sameScene(world::sampleScene(seed, train::samplingOptionsOf(v2.world)),
                                                       world::sampleScene(seed, train::samplingOptionsOf(v4.world)));
                    QCOMPARE(at::equal(v2.latents[row], v4.latents[row]), same);
                    differ += !same;
                }
            }
            QVERIFY(differ >= 1);  // clip 3 spins, larger in version 4
        }
    }

    // Stage 2's loss: the temporal term weighs errors that change between frames, and nothing else.
    void flowLossWeighsChangesBetweenFrames() {
        at::manual_seed(5);
        const auto target = at::randn({2, 3, 5, 4, 4});
        const auto pred = at::randn({2, 3, 5, 4, 4});
        const auto ones = at::ones({2, 1, 5, 4, 4});
        // Weight 0: the plain loss, bit for bit (runs before the term was added reproduce exactly).
        const auto plain = train::flowMatchingLoss(pred, target, ones, 0.0);
        QVERIFY(at::equal(plain.total, plain.flow));
        QVERIFY(at::equal(plain.flow, (ones * (pred - target).pow(2)).mean() / ones.mean()));
        // An error the same in every frame costs nothing more.
        const auto steady = target + at::randn({2, 3, 1, 4, 4});
        const auto s = train::flowMatchingLoss(steady, target, ones, 0.5);
        QVERIFY2(std::abs(s.total.item<double>() - s.flow.item<double>()) < 1e-6 * s.flow.item<double>(),
                 qPrintable(QString::number(s.total.item<double>() - s.flow.item<double>())));
        // One that flips sign every frame: 4 changes of twice its size over 5 frames -> 1 + 0.5 * 16 / 5.
        const auto sign = at::tensor(std::vector<float>{1, -1, 1, -1, 1}).view({1, 1, 5, 1, 1});
        const auto flicker = target + sign * at::randn({2, 3, 1, 4, 4});
        const auto f = train::flowMatchingLoss(flicker, target, ones, 0.5);
        QVERIFY(f.flow.item<double>() > 0.1);
        QVERIFY2(std::abs(f.total.item<double>() / f.flow.item<double>() - 2.6) < 1e-5,
                 qPrintable(QString::number(f.total.item<double>() / f.flow.item<double>())));
        // The flow term keeps the object weight; the temporal term does not use it (a fixed form).
        const auto heavy = ones * 3.0;
        const auto h = train::flowMatchingLoss(flicker, target, heavy, 0.5);
        QVERIFY(at::allclose(h.flow, f.flow) && at::allclose(h.total, f.total));
        // A single frame has no change to weigh.
        const auto one = train::flowMatchingLoss(pred.narrow(2, 0, 1), target.narrow(2, 0, 1), ones.narrow(2, 0, 1), 2.0);
        QVERIFY(at::equal(one.total, one.flow));
    }

    // The loss on clips the DiT trained on against clips it never saw: encodeWorldClips gives what the
    // cache holds for any clips, flowLossAt meets both sets with the same noise, and a transformer that
    // memorised its few training clips shows it.
    void flowLossTellsTrainedClipsFromUnseenOnes() {
        auto spec = tinySpec((tokenizer_->vocabSize() + 63) / 64 * 64);
        engine::WanVAE vae(spec.vae);
        train::initVae(vae, 1);
        const auto cache = train::buildLatentCache(vae, 9, 2, smallWorld(), (dir_.path() + "/latents-gap.safetensors").toStdString());
        const auto trained = train::encodeWorldClips(vae, 9, {0, 1}, smallWorld(), 1);
        const auto unseen = train::encodeWorldClips(vae, 9, {2, 3}, smallWorld(), 1);
        QCOMPARE(trained.captions.size(), size_t(2));
        QVERIFY(trained.captions[0] != unseen.captions[0]);
        const auto m = at::tensor(cache.mean, at::kDouble).to(at::kFloat).view({1, -1, 1, 1, 1});
        const auto sd = at::tensor(cache.std, at::kDouble).to(at::kFloat).view({1, -1, 1, 1, 1});
        auto normalised = [&](const at::Tensor& raw) { return ((raw - m) / sd).to(at::kHalf).to(at::kFloat); };
        QVERIFY(at::equal(normalised(trained.latents), cache.latents.to(at::kFloat)));  // the cache's very clips
        QVERIFY(at::equal(trained.masks, cache.masks));

        engine::Umt5Encoder text(spec.text);
        engine::WanTransformer transformer(spec.transformer);
        train::initTextEncoder(text, 2);
        train::initTransformer(transformer, 3);
        train::DitStageOptions o;
        o.dir = (dir_.path() + "/dit-gap").toStdString();
        o.steps = 1000;
        o.batch = 2;
        o.lr = 3e-3;
        o.warmup = 5;
        o.max_length = 24;
        o.frame_noise_share = 0.5;
        o.checkpoint_every = 1000;
        train::runDitStage(text, transformer, *tokenizer_, cache, o);

        const std::vector<double> sigmas{0.3, 0.6};
        auto lossOn = [&](const train::EncodedClips& c) {
            return train::flowLossAt(text, transformer, *tokenizer_, normalised(c.latents), c.captions, sigmas, 0.5, 24, 4, 7);
        };
        const auto onTrained = lossOn(trained), onUnseen = lossOn(unseen);
        QCOMPARE(lossOn(trained), onTrained);  // the same noise every time
        for (size_t k = 0; k < sigmas.size(); ++k) {
            qInfo("sigma %.1f: trained clips %.4f, unseen %.4f", sigmas[k], onTrained[k], onUnseen[k]);
            QVERIFY2(onTrained[k] < 0.8 * onUnseen[k], qPrintable(QStringLiteral("%1 against %2").arg(onTrained[k]).arg(onUnseen[k])));
        }
        // The untrained transformer predicts zero: E[v^2] = 2 on normalised latents, trained clips or not.
        engine::WanTransformer fresh(spec.transformer);
        train::initTransformer(fresh, 3);
        const auto zero = train::flowLossAt(text, fresh, *tokenizer_, normalised(trained.latents), trained.captions, sigmas, 0.5, 24, 4, 7);
        for (double v : zero) QVERIFY2(std::abs(v - 2.0) < 0.5, qPrintable(QString::number(v)));
        QVERIFY_THROWS_EXCEPTION(engine::EngineError, train::flowLossAt(text, transformer, *tokenizer_, normalised(trained.latents),
                                                                        unseen.captions, sigmas, 0.5, 24, 0, 7));

        // The command refuses what it cannot measure, saying why.
        train::GapOptions g;
        g.model = (dir_.path() + "/no-such-model").toStdString();
        g.trained_clips = 100;
        g.clips = 200;
        auto refusal = [](const train::GapOptions& opts) {
            try {
                train::measureGeneralisationGap(opts);
            } catch (const engine::EngineError& e) {
                return std::string(e.what());
            }
            return std::string("no refusal");
        };
        QVERIFY2(refusal(g).find("ask for at most 100") != std::string::npos, refusal(g).c_str());
        g.clips = 10;
        QVERIFY2(refusal(g).find("no-such-model") != std::string::npos, refusal(g).c_str());
        g.sigmas = {1.5};
        QVERIFY2(refusal(g).find("not 1.5") != std::string::npos, refusal(g).c_str());
    }

    // Every prompt of the contact sheets is a scene the world renders: complete, a visible colour on its
    // background, a motion its shape can make (an orange square at sunset, which the world never draws,
    // was one: its row stayed empty at every step).
    void sheetPromptsAreScenesTheWorldRenders() {
        QVERIFY(!train::sheetPrompts().empty());
        for (const auto& sp : train::sheetPrompts()) {
            const auto parsed = world::parsePrompt(sp.prompt);
            QVERIFY2(parsed.complete(), sp.prompt.c_str());
            for (const auto& ob : parsed.objects) {
                QVERIFY2(world::isVisiblePair(*ob.color, *parsed.background), sp.prompt.c_str());
                QVERIFY2(world::isValidShapeMotion(*ob.shape, *ob.motion), sp.prompt.c_str());
            }
            QCOMPARE(parsed.chinese, !sp.label.empty());  // a Chinese prompt needs its ASCII label
        }
        QVERIFY(!world::isVisiblePair(world::Color::Orange, world::Background::Sunset));
    }

    // kinora-train's command line refuses values that would make no run, saying what it wants.
    void badOptionsAreRefusedWithTheReason() {
        const QStringList base{QStringLiteral("all"), QStringLiteral("--run"), dir_.path() + QStringLiteral("/never"),
                               QStringLiteral("--spec"), QStringLiteral("spec.json")};
        const QVector<QPair<QStringList, QString>> cases = {
            {{QStringLiteral("--dit-batch"), QStringLiteral("0")}, QStringLiteral("--dit-batch: must be a whole number of at least 1, not '0'")},
            {{QStringLiteral("--vae-steps"), QStringLiteral("12x")}, QStringLiteral("--vae-steps: must be a whole number of at least 1")},
            {{QStringLiteral("--dit-lr"), QStringLiteral("0")}, QStringLiteral("--dit-lr: must be a number above 0")},
            {{QStringLiteral("--eval-prompts"), QStringLiteral("-2")}, QStringLiteral("--eval-prompts: must be a whole number of at least 0")},
            {{QStringLiteral("--vocab"), QStringLiteral("5")}, QStringLiteral("--vocab")},
            {{QStringLiteral("--dit-dtype"), QStringLiteral("float16")}, QStringLiteral("--dit-dtype")},
            {{QStringLiteral("--object-weight"), QStringLiteral("0.5")}, QStringLiteral("--object-weight")},
            {{QStringLiteral("--vae-decoder-object-weight"), QStringLiteral("0.5")}, QStringLiteral("--vae-decoder-object-weight")},
            {{QStringLiteral("--dit-shift"), QStringLiteral("0.5@7000")}, QStringLiteral("--dit-shift: want a shift from 1 to 20")},
            {{QStringLiteral("--dit-shift"), QStringLiteral("2@")}, QStringLiteral("not '2@'")},
            {{QStringLiteral("--dit-frame-noise-share"), QStringLiteral("1@26000")}, QStringLiteral("--dit-frame-noise-share: want a share from 0 to 0.99")},
            {{QStringLiteral("--dit-temporal-weight"), QStringLiteral("11")}, QStringLiteral("--dit-temporal-weight: want a weight from 0 to 10")},
            {{QStringLiteral("--dit-temporal-weight"), QStringLiteral("1@x")}, QStringLiteral("not '1@x'")},
            {{QStringLiteral("--wider-clips"), QStringLiteral("24000")}, QStringLiteral("--wider-clips: want a number of clips and the step")},
            {{QStringLiteral("--wider-clips"), QStringLiteral("1.5@3")}, QStringLiteral("not '1.5@3'")},
            {{QStringLiteral("--world"), QStringLiteral("2")},
             QStringLiteral("--world: want a version of the world from 2 to %1 and the step").arg(world::kWorldVersions)},
            {{QStringLiteral("--world"), QStringLiteral("1@48000")}, QStringLiteral("not '1@48000'")},
            {{QStringLiteral("--world"), QStringLiteral("%1@48000").arg(world::kWorldVersions + 1)},
             QStringLiteral("not '%1@48000'").arg(world::kWorldVersions + 1)},
            {{QStringLiteral("--world"), QStringLiteral("3@48000,2@60000")}, QStringLiteral("later versions at later steps (e.g. 3@48000,4@60000), not '3@48000,2@60000'")},
            {{QStringLiteral("--world"), QStringLiteral("3@48000,4@48000")}, QStringLiteral("not '3@48000,4@48000'")},
            {{QStringLiteral("--world"), QStringLiteral("3@48000,")}, QStringLiteral("not '3@48000,'")},
            {{QStringLiteral("--oversample"), QStringLiteral("spinning=3")}, QStringLiteral("--oversample: want a motion (moving left, ")},
            {{QStringLiteral("--oversample"), QStringLiteral("twirling=3@54000")}, QStringLiteral("not 'twirling=3@54000'")},
            {{QStringLiteral("--oversample"), QStringLiteral("spinning=1@54000")}, QStringLiteral("a whole factor from 2 to 20")},
            {{QStringLiteral("--oversample"), QStringLiteral("spinning=2.5@54000")}, QStringLiteral("not 'spinning=2.5@54000'")},
        };
        for (const auto& [args, expected] : cases) {
            QProcess p;
            p.start(QStringLiteral(KINORA_TRAIN), base + args);
            QVERIFY(p.waitForFinished(30000));
            const QString err = QString::fromUtf8(p.readAllStandardError());
            QCOMPARE(p.exitCode(), 2);
            QVERIFY2(err.contains(expected), qPrintable(err));
        }
        QVERIFY(!QFileInfo::exists(dir_.path() + QStringLiteral("/never")));  // nothing was started
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"
