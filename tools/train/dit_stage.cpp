#include "train/dit_stage.h"

#include "engine/error.h"
#include "engine/frame_noise.h"
#include "engine/safetensors.h"
#include "train/flow_loss.h"
#include "train/train_state.h"
#include "worldgen/captions.h"
#include "worldgen/world.h"

#include <ATen/autocast_mode.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>

namespace kinora::train {

namespace fs = std::filesystem;

namespace {

// The world's version only where it is not the first: shards and caches written before versions
// existed stay valid.
void addWorldVersion(std::map<std::string, std::string>& meta, const WorldBatchOptions& world) {
    if (world.version != 1) meta["world"] = std::to_string(world.version);
}

// A shard of a latent cache being built: clips [first, first + count) as raw (not yet normalised)
// float32 latents, so that an interrupted build goes on where it stopped and ends bit-identical to
// one that never stopped.
// `vae` (vaeFingerprint) keeps shards encoded by other weights, say of a retrained VAE, out.
std::map<std::string, std::string> shardMeta(uint64_t seed, const WorldBatchOptions& world, int64_t first, int64_t count,
                                             const std::string& vae) {
    std::map<std::string, std::string> meta{{"vae", vae},
            {"seed", std::to_string(seed)},           {"frames", std::to_string(world.frames)},
            {"width", std::to_string(world.width)},   {"height", std::to_string(world.height)},
            {"chinese_share", std::to_string(world.chinese_share)},
            {"two_object_share", std::to_string(world.two_object_share)},
            {"first", std::to_string(first)},         {"count", std::to_string(count)}};
    addWorldVersion(meta, world);
    return meta;
}

std::map<std::string, std::string> cacheMeta(const LatentCache& c) {
    std::map<std::string, std::string> meta{{"seed", std::to_string(c.seed)},
                                            {"frames", std::to_string(c.world.frames)},
                                            {"width", std::to_string(c.world.width)},
                                            {"height", std::to_string(c.world.height)},
                                            {"chinese_share", std::to_string(c.world.chinese_share)},
                                            {"two_object_share", std::to_string(c.world.two_object_share)}};
    addWorldVersion(meta, c.world);
    return meta;
}

void saveLatentCache(const LatentCache& c, const std::string& path) {
    const auto m = at::tensor(c.mean, at::kDouble).to(at::kFloat), s = at::tensor(c.std, at::kDouble).to(at::kFloat);
    engine::writeSafetensors(path, {{"latents", c.latents}, {"masks", c.masks}, {"mean", m}, {"std", s}}, cacheMeta(c));
}

// FNV-1a over the bytes of every parameter and buffer, as 16 hex digits.
std::string vaeFingerprint(engine::WanVAE& vae) {
    uint64_t h = 0xcbf29ce484222325ull;
    auto add = [&h](const at::Tensor& t) {
        const auto c = t.detach().to(at::kFloat).contiguous();
        const auto* b = static_cast<const unsigned char*>(c.data_ptr());
        for (size_t i = 0; i < c.nbytes(); ++i) h = (h ^ b[i]) * 0x100000001b3ull;
    };
    for (const auto& p : vae.named_parameters(true)) add(p.value());
    for (const auto& b : vae.named_buffers(true)) add(b.value());
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return hex;
}

// The shard at `file` when it is complete and of this very stream; nullopt otherwise (rebuilt).
std::optional<std::pair<at::Tensor, at::Tensor>> readShard(const fs::path& file, const std::map<std::string, std::string>& meta) {
    if (!fs::exists(file)) return std::nullopt;
    try {
        const auto f = engine::SafetensorsFile::open(file.string());
        if (f->metadata() != meta) return std::nullopt;
        return std::make_pair(f->tensor("latents").clone(), f->tensor("masks").clone());
    } catch (const std::exception&) {
        return std::nullopt;  // unreadable (a damaged disk, a foreign file): encode it again
    }
}

// Clips per encoder call. Cache shards hold whole chunks, so a resumed build encodes the same batches
// as one that never stopped (the encoder's float sums depend on the batch).
constexpr int64_t kEncodeChunk = 8;

}  // namespace

EncodedClips encodeWorldClips(engine::WanVAE& vae, uint64_t seed, const std::vector<int64_t>& indices,
                              const WorldBatchOptions& world, uint64_t caption_salt) {
    at::InferenceMode guard;
    const int temporal = static_cast<int>(vae.config().temporalFactor());
    const int spatial = static_cast<int>(vae.config().spatialFactor());
    EncodedClips out;
    std::vector<at::Tensor> l, m;
    for (size_t i = 0; i < indices.size(); i += kEncodeChunk) {
        const std::vector<int64_t> idx(indices.begin() + static_cast<std::ptrdiff_t>(i),
                                       indices.begin() + static_cast<std::ptrdiff_t>(std::min(indices.size(), i + kEncodeChunk)));
        auto batch = makeWorldBatch(seed, idx, caption_salt, world);
        l.push_back(vae.encode(batch.video).first.to(at::kFloat));
        m.push_back(maskToLatentGrid(batch.object_mask, temporal, spatial).to(at::kHalf));
        for (auto& c : batch.captions) out.captions.push_back(std::move(c));
    }
    if (l.empty()) throw engine::EngineError("encodeWorldClips: no clips asked for");
    out.latents = at::cat(l, 0);
    out.masks = at::cat(m, 0);
    return out;
}

LatentCache buildLatentCache(engine::WanVAE& vae, uint64_t seed, int64_t count, const WorldBatchOptions& world,
                             const std::string& path, const std::function<void(int64_t)>& progress,
                             const LatentCache* statsFrom, int64_t shardSize, int64_t firstClip) {
    at::InferenceMode guard;
    std::vector<at::Tensor> lat, masks;
    if (shardSize <= 0 || shardSize % kEncodeChunk != 0) {
        throw engine::EngineError("latent cache shards hold a multiple of " + std::to_string(kEncodeChunk) + " clips, not " +
                                  std::to_string(shardSize));
    }
    const fs::path parts = path + ".parts";
    fs::create_directories(parts);
    const std::string vaeId = vaeFingerprint(vae);
    if (firstClip < 0) throw engine::EngineError("latent cache: clips start at 0, not " + std::to_string(firstClip));
    for (int64_t first = firstClip; first < firstClip + count; first += shardSize) {
        const int64_t n = std::min(shardSize, firstClip + count - first);
        char name[48];
        std::snprintf(name, sizeof name, "%08lld.safetensors", static_cast<long long>(first));
        const auto meta = shardMeta(seed, world, first, n, vaeId);
        auto shard = readShard(parts / name, meta);
        if (!shard) {
            std::vector<int64_t> idx(static_cast<size_t>(n));
            for (int64_t k = 0; k < n; ++k) idx[static_cast<size_t>(k)] = first + k;
            auto clips = encodeWorldClips(vae, seed, idx, world);
            shard = std::make_pair(clips.latents, clips.masks);
            // writeSafetensors renames a whole file into place: a shard on disk is never torn.
            engine::writeSafetensors((parts / name).string(), {{"latents", shard->first}, {"masks", shard->second}}, meta);
        }
        lat.push_back(shard->first);
        masks.push_back(shard->second);
        if (progress) progress(first + n - firstClip);
    }
    auto all = at::cat(lat, 0);
    LatentCache c;
    const auto m = statsFrom ? at::tensor(statsFrom->mean, at::kDouble).to(at::kFloat) : all.mean({0, 2, 3, 4});
    const auto s = statsFrom ? at::tensor(statsFrom->std, at::kDouble).to(at::kFloat) : all.std({0, 2, 3, 4}, /*unbiased=*/true);
    for (int64_t k = 0; k < all.size(1); ++k) {
        c.mean.push_back(m[k].item<double>());
        c.std.push_back(s[k].item<double>());
    }
    c.latents = ((all - m.view({1, -1, 1, 1, 1})) / s.view({1, -1, 1, 1, 1})).to(at::kHalf);
    c.masks = at::cat(masks, 0);
    c.seed = seed;
    c.world = world;
    saveLatentCache(c, path);
    fs::remove_all(parts);
    return c;
}

LatentCache widenLatentCache(const LatentCache& cache, const LatentCache& after) {
    if (after.seed != cache.seed || after.mean != cache.mean || after.std != cache.std || after.world.width != cache.world.width ||
        after.world.height != cache.world.height || after.world.frames != cache.world.frames ||
        after.world.version != cache.world.version) {
        throw engine::EngineError("latent cache: the clips to add are of another stream, size, world version or normalisation than the cache's");
    }
    LatentCache w = cache;
    w.latents = at::cat({cache.latents, after.latents}, 0);
    w.masks = at::cat({cache.masks, after.masks}, 0);
    return w;
}

std::vector<int64_t> oversampledPool(const LatentCache& cache, world::Motion motion, int factor) {
    if (factor < 1) throw engine::EngineError("oversampling factor " + std::to_string(factor) + ": want 1 or more");
    const world::SamplingOptions so = samplingOptionsOf(cache.world);
    const int64_t n = cache.latents.size(0);
    std::vector<int64_t> pool;
    int64_t matching = 0;
    for (int64_t i = 0; i < n; ++i) {
        const auto scene = world::sampleScene(world::clipSeed(cache.seed, static_cast<uint64_t>(i)), so);
        const bool has = std::any_of(scene.objects.begin(), scene.objects.end(), [&](const world::ObjectSpec& ob) { return ob.motion == motion; });
        matching += has ? 1 : 0;
        pool.insert(pool.end(), has ? factor : 1, i);
    }
    if (matching == 0) {
        throw engine::EngineError(std::string("oversampling '") + world::motionName(motion) + "': none of the cache's " +
                                  std::to_string(n) + " clips has an object with that motion");
    }
    return pool;
}

LatentCache reworldLatentCache(engine::WanVAE& vae, const LatentCache& cache, int version, const std::string& path, int64_t first_clip,
                               const std::function<void(int64_t, int64_t)>& progress) {
    at::InferenceMode guard;
    WorldBatchOptions to = cache.world;
    to.version = version;
    const world::SamplingOptions before = samplingOptionsOf(cache.world);
    const world::SamplingOptions after = samplingOptionsOf(to);  // sampleScene refuses a version the world does not have
    std::vector<int64_t> changed;
    for (int64_t i = 0; i < cache.latents.size(0); ++i) {
        const uint64_t seed = world::clipSeed(cache.seed, static_cast<uint64_t>(first_clip + i));
        if (!world::sameScene(world::sampleScene(seed, before), world::sampleScene(seed, after))) changed.push_back(first_clip + i);
    }
    LatentCache c = cache;
    c.latents = cache.latents.clone();
    c.masks = cache.masks.clone();
    c.world = to;
    const auto mean = at::tensor(cache.mean, at::kDouble).to(at::kFloat).view({1, -1, 1, 1, 1});
    const auto std = at::tensor(cache.std, at::kDouble).to(at::kFloat).view({1, -1, 1, 1, 1});
    const int64_t total = static_cast<int64_t>(changed.size());
    constexpr int64_t kChunk = 8 * kEncodeChunk;  // encoded in whole encoder batches: the same sums every time
    for (int64_t k = 0; k < total; k += kChunk) {
        const std::vector<int64_t> idx(changed.begin() + k, changed.begin() + std::min(total, k + kChunk));
        const auto clips = encodeWorldClips(vae, cache.seed, idx, to);
        const auto rows = at::tensor(idx, at::kLong) - first_clip;
        c.latents.index_copy_(0, rows, ((clips.latents - mean) / std).to(at::kHalf));
        c.masks.index_copy_(0, rows, clips.masks);
        if (progress) progress(k + static_cast<int64_t>(idx.size()), total);
    }
    saveLatentCache(c, path);
    return c;
}

LatentCache loadLatentCache(const std::string& path) {
    const auto f = engine::SafetensorsFile::open(path);
    LatentCache c;
    c.latents = f->tensor("latents").clone();
    c.masks = f->tensor("masks").clone();
    const auto m = f->tensor("mean"), s = f->tensor("std");
    for (int64_t k = 0; k < m.numel(); ++k) {
        c.mean.push_back(m[k].item<double>());
        c.std.push_back(s[k].item<double>());
    }
    const auto& meta = f->metadata();
    c.seed = std::stoull(meta.at("seed"));
    c.world.frames = std::stoi(meta.at("frames"));
    c.world.width = std::stoi(meta.at("width"));
    c.world.height = std::stoi(meta.at("height"));
    c.world.chinese_share = std::stod(meta.at("chinese_share"));
    c.world.two_object_share = std::stod(meta.at("two_object_share"));
    const auto version = meta.find("world");
    c.world.version = version == meta.end() ? 1 : std::stoi(version->second);
    return c;
}

namespace {

// CPU autocast to bfloat16 while it lives (as torch.autocast("cpu", torch.bfloat16)): matrix products
// and convolutions run in bfloat16, the weights stay float32.
class CpuAutocast {
public:
    CpuAutocast() : was_(at::autocast::is_cpu_enabled()), dtype_(at::autocast::get_autocast_cpu_dtype()) {
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::set_cpu_enabled(true);
        at::autocast::increment_nesting();
    }
    ~CpuAutocast() {
        if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
        at::autocast::set_cpu_enabled(was_);
        at::autocast::set_autocast_cpu_dtype(dtype_);
    }
    CpuAutocast(const CpuAutocast&) = delete;
    CpuAutocast& operator=(const CpuAutocast&) = delete;

private:
    bool was_;
    at::ScalarType dtype_;
};

}  // namespace

std::vector<double> flowLossAt(engine::Umt5Encoder& text, engine::WanTransformer& transformer, const engine::Tokenizer& tokenizer,
                               const at::Tensor& x0, const std::vector<std::string>& captions, const std::vector<double>& sigmas,
                               double frame_noise_share, int max_length, int64_t batch, uint64_t noise_seed) {
    const int64_t n = x0.size(0);
    if (static_cast<int64_t>(captions.size()) != n) {
        throw engine::EngineError("flowLossAt: " + std::to_string(n) + " clips with " + std::to_string(captions.size()) + " captions");
    }
    if (batch <= 0) throw engine::EngineError("flowLossAt: the batch must hold at least one clip");
    at::InferenceMode guard;
    std::vector<double> sums(sigmas.size(), 0.0);
    double elements = 0;
    for (int64_t first = 0; first < n; first += batch) {
        const int64_t b = std::min(batch, n - first);
        const auto x = x0.narrow(0, first, b).to(at::kFloat);
        const std::vector<std::string> caps(captions.begin() + first, captions.begin() + first + b);
        const auto tokens = tokenizer.tokenize(caps, max_length);
        const auto embeds = engine::promptEmbeds(text.forward(tokens.input_ids, tokens.attention_mask), tokens.attention_mask);
        for (size_t k = 0; k < sigmas.size(); ++k) {
            auto gen = stepGenerator(noise_seed, first, k);
            const auto noise = engine::mixFrameNoise(at::randn(x.sizes(), gen), frame_noise_share, gen);
            const double s = sigmas[k];
            const auto pred = transformer.forward((1 - s) * x + s * noise, at::full({b}, s * 1000.0), embeds).to(at::kFloat);
            sums[k] += (pred - (noise - x)).pow(2).sum().item<double>();
        }
        elements += static_cast<double>(x.numel());
    }
    for (auto& v : sums) v /= elements;
    return sums;
}

double runDitStage(engine::Umt5Encoder& text, engine::WanTransformer& transformer, const engine::Tokenizer& tokenizer,
                 const LatentCache& cache, const DitStageOptions& o, const std::function<void(const DitStageReport&)>& on_log,
                 const std::function<void(int64_t, const std::function<void()>&)>& on_checkpoint_or_sample) {
    using Clock = std::chrono::steady_clock;
    if (o.chinese_words_from >= 0 && !o.chinese_words_tokenizer) {
        throw engine::EngineError("DiT stage: Chinese words from step " + std::to_string(o.chinese_words_from) + " without their tokenizer");
    }
    for (const auto& later : o.later_caches) {
        if (!later.cache || later.cache->latents.sizes().slice(1) != cache.latents.sizes().slice(1)) {
            throw engine::EngineError("DiT stage: the clips drawn from step " + std::to_string(later.from) +
                                      " on are missing or of another latent size than the cache's");
        }
    }
    fs::create_directories(o.dir);
    std::shared_ptr<torch::nn::Module> th(&text, [](torch::nn::Module*) {});
    std::shared_ptr<torch::nn::Module> dh(&transformer, [](torch::nn::Module*) {});
    const ModuleSet modules{{"text_encoder", th}, {"transformer", dh}};
    auto params = parametersOf(modules);
    for (auto& p : params) p.set_requires_grad(true);
    torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(o.lr).betas({0.9, 0.99}).weight_decay(0.01));
    Ema ema(modules, o.ema_decay);
    Checkpoint state;
    const std::string ckpt = (fs::path(o.dir) / "ckpt").string();
    const bool resumed = loadCheckpoint(ckpt, state, modules, ema, optimizer);
    const std::string logPath = (fs::path(o.dir) / "loss.csv").string();
    if (resumed) CsvLog::truncateAfter(logPath, state.step);
    if (!resumed) {
        state.step = o.start_step;
        state.seconds = o.start_seconds;
    }
    const ComputeClock clock(state.seconds);
    CsvLog log(logPath, {"step", "loss", "lr", "grad_norm", "seconds_per_step"}, resumed);

    world::SamplingOptions so = samplingOptionsOf(cache.world);
    auto swapEma = [&] { ema.swap(modules); };
    auto shiftAt = [&](int64_t step) { return o.late_shift_from >= 0 && step >= o.late_shift_from ? o.late_shift : o.shift; };
    auto frameNoiseShareAt = [&](int64_t step) {
        if (o.late_frame_noise_from >= 0 && step >= o.late_frame_noise_from) return o.late_frame_noise_share;
        return step >= o.frame_noise_from ? o.frame_noise_share : 0.0;
    };
    auto temporalWeightAt = [&](int64_t step) { return step >= o.temporal_from ? o.temporal_weight : 0.0; };
    const std::vector<double> peaks = o.cycle_lr.empty() ? std::vector<double>{o.lr} : o.cycle_lr;
    std::map<const LatentCache*, std::vector<int64_t>> pools;  // oversampledPool of each cache drawn from
    if (o.oversample_from >= 0 && o.oversample_factor < 1) {
        throw engine::EngineError("oversampling factor " + std::to_string(o.oversample_factor) + ": want 1 or more");
    }
    auto lastLog = Clock::now();
    int64_t sinceLog = 0;
    for (int64_t step = state.step; step < o.steps; ++step) {
        if (step == o.chinese_words_from) reinitEmbeddingRows(modules, ema, optimizer, "text_encoder.shared.weight", o.chinese_words_rows);
        const bool chineseWords = o.chinese_words_from >= 0 && step >= o.chinese_words_from;
        const double lr = cyclicLearningRate(step, o.restarts, o.steps, o.warmup, peaks) * rewarmFactor(step, o.start_step, o.warmup);
        for (auto& g : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
        const LatentCache& clips = o.cacheAt(cache, step);
        so.version = clips.world.version;  // the scene (and so its caption, world.h) as it was encoded
        const bool oversampling = o.oversample_from >= 0 && step >= o.oversample_from;
        std::vector<int64_t> idx;
        if (oversampling) {
            auto& pool = pools[&clips];
            if (pool.empty()) pool = oversampledPool(clips, o.oversample_motion, o.oversample_factor);
            for (const int64_t i : batchIndices(o.seed, step, o.batch, static_cast<int64_t>(pool.size()))) idx.push_back(pool[size_t(i)]);
        } else {
            idx = batchIndices(o.seed, step, o.batch, clips.latents.size(0));
        }
        const auto idxT = at::tensor(idx, at::kLong);
        const auto x0 = clips.latents.index_select(0, idxT).to(at::kFloat);
        const auto mask = clips.masks.index_select(0, idxT).to(at::kFloat);
        auto gen = stepGenerator(o.seed, step, 2);
        // Captions: a fresh paraphrase of each clip's scene every step; some dropped to the empty prompt.
        const auto drop = at::rand({o.batch}, gen);
        std::vector<std::string> captions;
        for (int64_t b = 0; b < o.batch; ++b) {
            if (drop[b].item<double>() < o.caption_dropout) {
                captions.emplace_back();
                continue;
            }
            const uint64_t seed = world::clipSeed(clips.seed, static_cast<uint64_t>(idx[b]));
            captions.push_back(world::randomCaption(world::sampleScene(seed, so), seed ^ (static_cast<uint64_t>(step) * 0x9E3779B97F4A7C15ull),
                                                    o.chinese_share));
        }
        const auto tokens = (chineseWords ? *o.chinese_words_tokenizer : tokenizer).tokenize(captions, o.max_length);
        std::optional<CpuAutocast> autocast;  // the forward passes only: loss, backward and update in float32
        if (o.bf16) autocast.emplace();
        const auto embeds = engine::promptEmbeds(text.forward(tokens.input_ids, tokens.attention_mask), tokens.attention_mask);

        // Flow matching (rectified flow, as Wan): x_t = (1 - s) x0 + s noise, target v = noise - x0, with
        // s from a logit-normal distribution shifted like the inference schedule.
        const double shift = shiftAt(step);
        const auto u = at::sigmoid(at::randn({o.batch}, gen));
        const auto sigma = shift * u / (1 + (shift - 1) * u);
        const auto noise = engine::mixFrameNoise(at::randn(x0.sizes(), gen), frameNoiseShareAt(step), gen);
        const auto s5 = sigma.view({-1, 1, 1, 1, 1});
        const auto xt = (1 - s5) * x0 + s5 * noise;
        const auto pred = transformer.forward(xt, sigma * 1000.0, embeds).to(at::kFloat);
        autocast.reset();
        const auto weight = 1 + (o.object_weight - 1) * mask;  // broadcast over channels
        const auto loss = flowMatchingLoss(pred, noise - x0, weight, temporalWeightAt(step));
        optimizer.zero_grad();
        loss.total.backward();
        const double gn = clipGradients(params, 1.0);
        optimizer.step();
        ema.update(modules);
        ++sinceLog;
        const int64_t done = step + 1;
        if (done % o.log_every == 0 || done == o.steps) {
            const double sps = std::chrono::duration<double>(Clock::now() - lastLog).count() / static_cast<double>(sinceLog);
            lastLog = Clock::now();
            sinceLog = 0;
            DitStageReport r{done, loss.flow.item<double>(), lr, gn, sps};
            log.row({static_cast<double>(done), r.loss, lr, gn, sps});
            if (on_log) on_log(r);
        }
        const bool checkpointNow = done % o.checkpoint_every == 0 || done == o.steps;
        if (checkpointNow) {
            state.step = done;
            state.seconds = clock.seconds();
            state.info = {{"stage", "dit"}, {"batch", std::to_string(o.batch)}, {"lr", std::to_string(cyclePeak(step, o.restarts, peaks))},
                          {"object_weight", std::to_string(o.object_weight)}, {"shift", std::to_string(shiftAt(step))},
                          {"frame_noise_share", std::to_string(frameNoiseShareAt(step))},
                          {"temporal_weight", std::to_string(temporalWeightAt(step))},
                          {"chinese_words", chineseWords ? "yes" : "no"},
                          {"clips", std::to_string(clips.latents.size(0))},
                          {"world", std::to_string(clips.world.version)},
                          {"oversample", oversampling ? std::string(world::motionName(o.oversample_motion)) + " x" +
                                                            std::to_string(o.oversample_factor)
                                                      : std::string("none")},
                          {"bf16", o.bf16 ? "yes" : "no"}};
            saveCheckpoint(ckpt, state, modules, ema, optimizer);
        }
        if ((checkpointNow || (o.sample_every > 0 && done % o.sample_every == 0)) && on_checkpoint_or_sample) {
            for (auto& p : params) p.set_requires_grad(false);
            on_checkpoint_or_sample(done, swapEma);
            for (auto& p : params) p.set_requires_grad(true);
        }
    }
    ema.swap(modules);
    for (auto& p : params) p.set_requires_grad(false);
    return state.seconds;
}

}  // namespace kinora::train
