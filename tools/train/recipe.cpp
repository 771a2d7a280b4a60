#include "train/recipe.h"

#include "engine/error.h"
#include "engine/runtime.h"
#include "engine/safetensors.h"
#include "engine/wan_pipeline.h"
#include "eval/world_eval.h"
#include "train/chinese_words.h"
#include "train/contact_sheet.h"
#include "train/tokenizer_stage.h"
#include "train/train_state.h"
#include "worldgen/captions.h"
#include "worldgen/world.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace kinora::train {

namespace fs = std::filesystem;

const std::vector<SheetPrompt>& sheetPrompts() {
    // Each one a scene the world renders (a visible colour on its background, a motion its shape can
    // make): a prompt the model never saw drawn, such as an orange object at sunset, tells nothing.
    static const std::vector<SheetPrompt> prompts = {
        {"a red circle moving left on a black background", ""},
        {"a yellow square bouncing on green grass", ""},
        {"a blue triangle falling in the snow", ""},
        {"a white star spinning on a night sky", ""},
        {"a green circle growing on a white background", ""},
        {"a white square moving right at sunset", ""},
        {"a purple triangle moving up on a blue sky", ""},
        {"黑色背景上一个红色的圆向左移动", "(in Chinese) a red circle moving left on a black background"},
    };
    return prompts;
}

namespace {

ModelSpec readSpec(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw engine::EngineError(path + ": cannot be read");
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) throw engine::EngineError(path + ": not valid JSON");
    return ModelSpec::fromJson(j);
}

struct Paths {
    fs::path run, tokenizer, tokenizerChineseWords, vae, vaeWeights, vaeDecoder, vaeDecoderWeights, latents, latentsLow, latentsWider, dit,
        ditLow, preview;
    // The caches in version `v` of the world (--world).
    fs::path latentsWorld(int v) const { return run / ("latents-world" + std::to_string(v) + ".safetensors"); }
    fs::path latentsWiderWorld(int v) const { return run / ("latents-wider-world" + std::to_string(v) + ".safetensors"); }
    explicit Paths(const std::string& r)
        : run(r), tokenizer(run / "tokenizer"), tokenizerChineseWords(run / "tokenizer-chinese-words"), vae(run / "vae"), vaeWeights(run / "vae" / "vae.safetensors"),
          vaeDecoder(run / "vae-decoder"), vaeDecoderWeights(run / "vae-decoder" / "vae.safetensors"),
          latents(run / "latents.safetensors"), latentsLow(run / "latents-low.safetensors"),
          latentsWider(run / "latents-wider.safetensors"), dit(run / "dit"),
          ditLow(run / "dit-low"), preview(run / "preview-model") {}
    // The VAE a model folder takes: the decoder stage's when it has finished (same encoder), else the VAE
    // stage's.
    fs::path finalVae() const { return fs::exists(vaeDecoderWeights) ? vaeDecoderWeights : vaeWeights; }
};

void say(const std::string& s) {
    std::printf("%s\n", s.c_str());
    std::fflush(stdout);
}

ModelSpec specFor(const RecipeOptions& o, const Paths& p) {
    auto spec = readSpec(o.spec);
    const auto tok = engine::Tokenizer::load(p.tokenizer.string());
    spec.text.vocab_size = (tok->vocabSize() + 63) / 64 * 64;  // room for every piece, aligned
    spec.max_sequence_length = static_cast<int>(tok->modelMaxLength());
    return spec;
}

void loadNamed(torch::nn::Module& m, const std::string& path, const std::string& prefix) {
    const auto f = engine::SafetensorsFile::open(path);
    at::NoGradGuard ng;
    for (auto& p : m.named_parameters()) p.value().detach().copy_(f->tensor(prefix + p.key()));
}

// A carry folder (writeCarry): the state an earlier machine handed on.
struct Carry {
    fs::path dir;
    bool tokenizer = false, vae = false, dit = false;
    bool vaeDecoder = false;  // vae-decoder.safetensors: the finished decoder stage's whole VAE
    nlohmann::json vaeDecoderReport;
    bool vaeDone = false;  // vae.safetensors: the stage's final weights, else its EMA weights at vaeStep
    int64_t vaeStep = 0;
    double vaeSeconds = 0;  // compute time (Checkpoint::seconds) of the carried VAE
    nlohmann::json vaeReport;
    std::string phase;  // "dit-low" or "dit"
    int64_t step = 0;
    double seconds = 0;  // of the carried DiT phase, counted from the DiT's start
};

Carry readCarry(const std::string& dir) {
    Carry c;
    if (dir.empty()) return c;
    c.dir = dir;
    std::ifstream in((c.dir / "carry.json").string());
    if (!in) throw engine::EngineError(dir + ": not a carry folder (no carry.json); kinora-train carry writes one");
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) throw engine::EngineError(dir + "/carry.json: not valid JSON");
    c.tokenizer = fs::exists(c.dir / "tokenizer" / "spiece.model");
    c.vae = fs::exists(c.dir / "vae.safetensors");
    if (c.vae) {
        c.vaeReport = j.value("vae", nlohmann::json::object());
        c.vaeDone = c.vaeReport.value("done", false);
        c.vaeStep = c.vaeReport.value("step", int64_t(0));
        c.vaeSeconds = c.vaeReport.value("seconds", 0.0);
        if (!c.vaeDone && c.vaeStep <= 0) throw engine::EngineError(dir + "/carry.json: an unfinished 'vae' needs a step > 0");
    }
    if (j.contains("vae_decoder")) {
        if (!fs::exists(c.dir / "vae-decoder.safetensors")) {
            throw engine::EngineError(dir + "/carry.json: 'vae_decoder' needs vae-decoder.safetensors beside it");
        }
        c.vaeDecoder = true;
        c.vaeDecoderReport = j["vae_decoder"];
    }
    if (j.contains("dit")) {
        c.phase = j["dit"].value("phase", "");
        c.step = j["dit"].value("step", int64_t(0));
        c.seconds = j["dit"].value("seconds", 0.0);
        if ((c.phase != "dit" && c.phase != "dit-low") || c.step <= 0 || !fs::exists(c.dir / "dit-ema.safetensors")) {
            throw engine::EngineError(dir + "/carry.json: 'dit' needs phase \"dit-low\" or \"dit\", a step > 0 and dit-ema.safetensors");
        }
        c.dit = true;
    }
    return c;
}

// Copies the files of a tokenizer folder the model needs (not the caption corpus or spm's log).
void copyTokenizer(const fs::path& from, const fs::path& to) {
    fs::create_directories(to);
    for (const auto& e : fs::directory_iterator(from)) {
        const auto name = e.path().filename().string();
        if (!e.is_regular_file() || name == "corpus.txt" || name == "spm_train.log") continue;
        fs::copy_file(e.path(), to / name, fs::copy_options::overwrite_existing);
    }
}

// Fits the linear latent -> RGB map used for live previews, on cached latents and their clips.
nlohmann::json fitPreview(const LatentCache& cache, int clips) {
    at::InferenceMode guard;
    std::vector<at::Tensor> xs, ys;
    const int64_t T = cache.latents.size(2), h = cache.latents.size(3), w = cache.latents.size(4);
    for (int i = 0; i < clips && i < cache.latents.size(0); ++i) {
        const auto batch = makeWorldBatch(cache.seed, {i}, 0, cache.world);
        // Latent frame t covers frames 4t-3..4t (t = 0: frame 0); average them onto the latent grid.
        for (int64_t t = 0; t < T; ++t) {
            const int64_t f0 = t == 0 ? 0 : 4 * t - 3, n = t == 0 ? 1 : 4;
            const auto frames = batch.video[0].narrow(1, f0, n).mean(1);  // [3, H, W]
            const auto pooled = at::adaptive_avg_pool2d(frames.unsqueeze(0), {h, w})[0];
            xs.push_back(cache.latents[i].select(1, t).to(at::kFloat).reshape({cache.latents.size(1), -1}).t());
            ys.push_back(pooled.reshape({3, -1}).t());
        }
    }
    const auto X = at::cat({at::cat(xs, 0), at::ones({at::cat(xs, 0).size(0), 1})}, 1);
    const auto sol = std::get<0>(at::linalg_lstsq(X, at::cat(ys, 0)));
    nlohmann::json weight = nlohmann::json::array();
    for (int64_t c = 0; c + 1 < sol.size(0); ++c) weight.push_back({sol[c][0].item<double>(), sol[c][1].item<double>(), sol[c][2].item<double>()});
    const auto b = sol[sol.size(0) - 1];
    return {{"weight", weight}, {"bias", {b[0].item<double>(), b[1].item<double>(), b[2].item<double>()}},
            {"note", "least-squares fit of normalised latents to the mean RGB (in [-1, 1]) of each latent cell"}};
}

void writeFolder(const ModelSpec& specIn, const LatentCache& cache, engine::Umt5Encoder& text,
                 engine::WanTransformer& transformer, engine::WanVAE& vae, const fs::path& tokenizer, const std::string& out,
                 engine::StDType dtype) {
    auto spec = specIn;
    spec.vae.latents_mean = cache.mean;
    spec.vae.latents_std = cache.std;
    writeModelFolder(out, spec, text, transformer, vae, tokenizer.string(), dtype);
    writeJson((fs::path(out) / "vae" / "latent_preview.json").string(), fitPreview(cache, 24));
}

// The frame noise share a model folder of `phase`'s weights after `steps_done` steps declares, and so
// samples from: the spec's, or none for weights never trained on shared noise (before --frame-noise-from,
// DitStageOptions::frame_noise_from). The share they train on is the spec's train_frame_noise_share.
double frameNoiseShareAt(const ModelSpec& spec, const RecipeOptions& o, const std::string& phase, int64_t steps_done) {
    if (o.frame_noise_from > 0 && (phase == "dit-low" || steps_done <= o.frame_noise_from)) return 0;
    return spec.frame_noise_share;
}

// `size` > 0: clips of that width and height instead of the model's default.
void sampleSheet(const std::string& modelDir, const std::string& png, int size = 0) {
    auto pipeline = engine::Pipeline::load(modelDir);
    std::vector<media::Clip> clips;
    std::vector<std::string> labels;
    for (const auto& [prompt, label] : sheetPrompts()) {
        labels.push_back(label.empty() ? prompt : label);
        engine::GenerationRequest r;
        r.prompt = prompt;
        r.seed = 7;
        if (size > 0) r.width = r.height = size;
        const auto clip = pipeline->generate(r);
        media::Clip c;
        for (int f = 0; f < clip.video.frames; ++f) {
            media::Frame fr;
            fr.width = clip.video.width;
            fr.height = clip.video.height;
            const size_t n = static_cast<size_t>(fr.width) * fr.height * 3;
            fr.rgb.assign(clip.video.rgb.begin() + static_cast<long>(n * f), clip.video.rgb.begin() + static_cast<long>(n * (f + 1)));
            c.frames.push_back(std::move(fr));
        }
        clips.push_back(std::move(c));
    }
    writeContactSheet(png, clips, labels);
}

// The world evaluation of the preview model (at its default size and settings, float32), appended to
// <dir>/eval.csv; returns a line for the log.
std::string evaluatePreview(const fs::path& model, const fs::path& dir, int64_t step, int prompts) {
    auto pipeline = engine::Pipeline::load(model.string());
    eval::WorldEvalOptions eo;
    eo.prompts = prompts;
    eo.seed = 1;
    const auto r = eval::evaluateWorld(*pipeline, eo).toJson(/*with_cases=*/false);  // percentages, as kinora eval --json
    CsvLog log((dir / "eval.csv").string(),
               {"step", "colour", "shape", "motion", "background", "coherent", "falling_accelerating", "seen_colour",
                "held_out_colour", "english_colour", "chinese_colour"},
               /*append=*/true);
    const auto& a = r["all"];
    auto pct = [](const nlohmann::json& group, const char* key) { return group[key].get<double>(); };
    log.row({static_cast<double>(step), pct(a, "color_pct"), pct(a, "shape_pct"), pct(a, "motion_pct"), pct(a, "background_pct"),
             pct(a, "coherent_pct"), pct(a, "falling_accelerating_pct"), pct(r["seen"], "color_pct"), pct(r["held_out"], "color_pct"),
             pct(r["english"], "color_pct"), pct(r["chinese"], "color_pct")});
    char line[200];
    std::snprintf(line, sizeof line, "eval on %d prompts: colour %.0f%%, shape %.0f%%, motion %.0f%%, background %.0f%%, coherent %.0f%%",
                  a["prompts"].get<int>(), pct(a, "color_pct"), pct(a, "shape_pct"), pct(a, "motion_pct"), pct(a, "background_pct"),
                  pct(a, "coherent_pct"));
    return line;
}

// Runs a VAE stage (the whole VAE, or its decoder alone) with progress lines tagged `tag`, then writes
// what it leaves in `dir`: the loss plot, report.json with the PSNR on the 16 unseen clips both stages
// report on (so their figures compare), and the final weights to `weights`.
void runVaeStageAndReport(engine::WanVAE& vae, const VaeStageOptions& vo, const std::string& tag, const fs::path& weights) {
    const fs::path dir(vo.dir);
    const double seconds = runVaeStage(vae, vo, [&](const VaeStageReport& r) {
        if (r.psnr_db > 0) {
            say("[" + tag + "] step " + std::to_string(r.step) + ": PSNR " + std::to_string(r.psnr_db) + " dB (EMA weights, unseen clips)");
        } else if (r.step % 50 == 0) {
            say("[" + tag + "] step " + std::to_string(r.step) + " loss " + std::to_string(r.loss));
        }
    });
    writeLossPlot((dir / "loss.csv").string(), (dir / "loss.png").string());
    const double psnr = vaePsnr(vae, vo.psnr_seed, 16, WorldBatchOptions{});
    say("[" + tag + "] PSNR on unseen 17x128x128 clips: " + std::to_string(psnr) + " dB");
    std::ofstream((dir / "report.json").string()) << nlohmann::json{{"psnr_db", psnr}, {"steps", vo.steps}, {"seconds", seconds}}.dump(2);
    engine::writeSafetensors(weights.string(), namedWeights(vae, at::kFloat));
}

void checkDecoderOptions(const RecipeOptions& o) {
    if (o.vae_decoder_size % 8 != 0 || o.vae_decoder_size < 16 || o.vae_decoder_size > 128) {
        throw engine::EngineError("--vae-decoder-size " + std::to_string(o.vae_decoder_size) +
                                  ": windows on the VAE's 8-pixel grid, from 16 to 128, e.g. 64");
    }
    if (!(o.vae_decoder_object_weight >= 1 && o.vae_decoder_object_weight <= 100)) {
        throw engine::EngineError("--vae-decoder-object-weight " + std::to_string(o.vae_decoder_object_weight) +
                                  ": a weight from 1 (none) to 100 on the objects' reconstruction error, e.g. 4");
    }
}

// The decoder stage: from the VAE stage's final weights in `vae`, the decoder trained on (the encoder
// frozen); `vae` ends with the stage's weights. Done once: a run that has them (or a carry that brings
// them) loads them instead.
void refineDecoder(engine::WanVAE& vae, const RecipeOptions& o, const Paths& p, const Carry& carry) {
    if (fs::exists(p.vaeDecoderWeights)) {
        loadNamed(vae, p.vaeDecoderWeights.string(), "");
        say("[vae-decoder] done before: " + p.vaeDecoderWeights.string());
        return;
    }
    if (carry.vaeDecoder) {
        fs::create_directories(p.vaeDecoder);
        loadNamed(vae, (carry.dir / "vae-decoder.safetensors").string(), "");
        std::ofstream((p.vaeDecoder / "report.json").string()) << carry.vaeDecoderReport.dump(2);
        engine::writeSafetensors(p.vaeDecoderWeights.string(), namedWeights(vae, at::kFloat));
        say("[vae-decoder] carried in from " + carry.dir.string());
        return;
    }
    if (o.vae_decoder_steps <= 0) return;
    VaeStageOptions vo;
    vo.dir = p.vaeDecoder.string();
    vo.steps = o.vae_decoder_steps;
    vo.size = o.vae_decoder_size;
    vo.lr = o.vae_decoder_lr;
    vo.object_weight = o.vae_decoder_object_weight;
    vo.decoder_only = true;
    vo.seed = o.seed + 12;
    vo.psnr_seed = o.seed;
    runVaeStageAndReport(vae, vo, "vae-decoder", p.vaeDecoderWeights);
}

}  // namespace

void runDecoderStage(const RecipeOptions& o) {
    checkDecoderOptions(o);
    const Paths p(o.run);
    if (!fs::exists(p.vaeWeights)) {
        throw engine::EngineError(o.run + ": the VAE stage has not finished (no " + p.vaeWeights.string() +
                                  "); the decoder stage starts from its final weights");
    }
    if (o.vae_decoder_steps <= 0 && !fs::exists(p.vaeDecoderWeights)) {
        throw engine::EngineError("--vae-decoder-steps: how many steps the decoder stage takes, e.g. 4000");
    }
    const auto spec = specFor(o, p);
    engine::WanVAE vae(spec.vae);
    loadNamed(vae, p.vaeWeights.string(), "");
    refineDecoder(vae, o, p, Carry{});
}

void runRecipe(const RecipeOptions& o) {
    {  // before hours of earlier stages: a bad plan is refused at once
        std::string plan;
        int64_t prev = 0;
        bool increasing = true;
        for (const int64_t end : o.dit_restarts) {
            plan += std::to_string(end) + ",";
            increasing = increasing && end > prev;
            prev = end;
        }
        if (!increasing || prev >= o.dit_steps) {
            throw engine::EngineError("--dit-steps " + plan + std::to_string(o.dit_steps) +
                                      ": each planned end must be above the one before, e.g. 4000,12000");
        }
        const size_t cycles = o.dit_restarts.size() + 1;
        if (!o.dit_cycle_lr.empty() && o.dit_cycle_lr.size() != cycles) {
            throw engine::EngineError("--dit-lr: " + std::to_string(o.dit_cycle_lr.size()) + " peaks for the " +
                                      std::to_string(cycles) + " cycles of --dit-steps " + plan + std::to_string(o.dit_steps) +
                                      ": give one peak, or one per planned end");
        }
    }
    checkDecoderOptions(o);
    if (o.dit_shift_from >= 0 && !(o.dit_shift >= 1 && o.dit_shift <= 20)) {
        throw engine::EngineError("--dit-shift " + std::to_string(o.dit_shift) + ": a timestep shift from 1 to 20, e.g. 1.5 or 1.5@7000");
    }
    if (o.dit_share_from >= 0 && !(o.dit_share >= 0 && o.dit_share < 1)) {
        throw engine::EngineError("--dit-frame-noise-share " + std::to_string(o.dit_share) +
                                  ": a share from 0 up to (not including) 1, e.g. 0.8 or 0.8@26000");
    }
    if (!(o.dit_temporal_weight >= 0 && o.dit_temporal_weight <= 10) || o.dit_temporal_from < 0) {
        throw engine::EngineError("--dit-temporal-weight " + std::to_string(o.dit_temporal_weight) + "@" + std::to_string(o.dit_temporal_from) +
                                  ": a weight from 0 to 10 from a step of at least 0, e.g. 1 or 1@13000");
    }
    {
        int lastVersion = 1;
        int64_t lastFrom = -1;
        for (const auto& m : o.world_moves) {
            if (m.version < 2 || m.version > world::kWorldVersions) {
                throw engine::EngineError("--world: the world's later versions are 2.." + std::to_string(world::kWorldVersions) + ", not " +
                                          std::to_string(m.version));
            }
            if (m.from < 0) throw engine::EngineError("--world " + std::to_string(m.version) + "@" + std::to_string(m.from) + ": a step of at least 0");
            if (m.version <= lastVersion || m.from <= lastFrom) {
                throw engine::EngineError("--world: moves go to later versions at later steps (e.g. 3@48000,4@60000), not " +
                                          std::to_string(m.version) + "@" + std::to_string(m.from) + " after " +
                                          std::to_string(lastVersion) + "@" + std::to_string(lastFrom));
            }
            lastVersion = m.version;
            lastFrom = m.from;
        }
    }
    const Paths p(o.run);
    fs::create_directories(p.run);
    const Carry carry = readCarry(o.carry);
    if (carry.tokenizer && !fs::exists(p.tokenizer / "spiece.model")) {
        // The carried text encoder was trained on these exact pieces: never retrain them.
        copyTokenizer(carry.dir / "tokenizer", p.tokenizer);
        say("[tokenizer] carried in from " + carry.dir.string());
    }
    TokenizerStageOptions to;
    to.dir = p.tokenizer.string();
    to.vocab_size = o.vocab_size;
    to.seed = o.seed;
    to.max_length = readSpec(o.spec).max_sequence_length;
    say("[tokenizer] " + to.dir);
    runTokenizerStage(to);
    std::shared_ptr<const engine::Tokenizer> chineseWords;
    ChineseWordsEdit chineseEdit;
    if (o.chinese_words_from >= 0) {
        chineseEdit = writeChineseWordsTokenizer(p.tokenizer.string(), p.tokenizerChineseWords.string(), world::chineseLexicon());
        chineseWords = engine::Tokenizer::load(p.tokenizerChineseWords.string());
        say("[tokenizer] Chinese words one piece each from DiT step " + std::to_string(o.chinese_words_from) + ": " +
            p.tokenizerChineseWords.string() + " (" + std::to_string(chineseEdit.pieces_retired) + " pieces retired, " +
            std::to_string(chineseEdit.rows.size()) + " words placed in their ids)");
    }
    const auto spec = specFor(o, p);
    const auto tokenizer = engine::Tokenizer::load(p.tokenizer.string());

    engine::WanVAE vae(spec.vae);
    if (fs::exists(p.vaeWeights)) {
        loadNamed(vae, p.vaeWeights.string(), "");
        say("[vae] done before: " + p.vaeWeights.string());
    } else if (carry.vae && carry.vaeDone) {
        fs::create_directories(p.vae);
        loadNamed(vae, (carry.dir / "vae.safetensors").string(), "");
        std::ofstream((p.vae / "report.json").string()) << carry.vaeReport.dump(2);
        engine::writeSafetensors(p.vaeWeights.string(), namedWeights(vae, at::kFloat));
        say("[vae] carried in from " + carry.dir.string());
    } else {
        initVae(vae, o.seed + 1);
        VaeStageOptions vo;
        vo.dir = p.vae.string();
        vo.steps = o.vae_steps;
        vo.seed = o.seed + 11;
        vo.psnr_seed = o.seed;
        if (carry.vae && !fs::exists(p.vae / "ckpt")) {
            loadNamed(vae, (carry.dir / "vae.safetensors").string(), "");
            vo.start_step = carry.vaeStep;
            vo.start_seconds = carry.vaeSeconds;
            say("[vae] carried in at step " + std::to_string(carry.vaeStep) + " from " + carry.dir.string());
        }
        runVaeStageAndReport(vae, vo, "vae", p.vaeWeights);
    }
    refineDecoder(vae, o, p, carry);
    vae.eval();

    LatentCache cache;
    if (fs::exists(p.latents)) {
        cache = loadLatentCache(p.latents.string());
    } else {
        say("[latents] encoding " + std::to_string(o.latent_clips) + " clips");
        cache = buildLatentCache(vae, latentStreamSeed(o.seed), o.latent_clips, WorldBatchOptions{}, p.latents.string(), [&](int64_t n) {
            say("[latents] " + std::to_string(n));
        });
    }

    // The clips after the cache's, for the later steps that draw from more clips (--wider-clips).
    std::shared_ptr<const LatentCache> wider;
    LatentCache after;
    if (o.wider_from >= 0) {
        if (o.wider_clips <= o.latent_clips) {
            throw engine::EngineError("--wider-clips: " + std::to_string(o.wider_clips) + " clips are not more than the cache's " +
                                      std::to_string(o.latent_clips) + " (--latent-clips)");
        }
        if (fs::exists(p.latentsWider)) {
            after = loadLatentCache(p.latentsWider.string());
        } else {
            const int64_t more = o.wider_clips - o.latent_clips;
            say("[latents-wider] encoding clips " + std::to_string(o.latent_clips) + " to " + std::to_string(o.wider_clips));
            after = buildLatentCache(vae, latentStreamSeed(o.seed), more, WorldBatchOptions{}, p.latentsWider.string(), [&](int64_t n) {
                say("[latents-wider] " + std::to_string(n) + " of " + std::to_string(more));
            }, &cache, 256, o.latent_clips);
        }
        if (after.latents.size(0) != o.wider_clips - o.latent_clips) {
            throw engine::EngineError(p.latentsWider.string() + " holds " + std::to_string(after.latents.size(0)) + " clips, not the " +
                                      std::to_string(o.wider_clips - o.latent_clips) + " --wider-clips asks for; delete it to encode them again");
        }
        try {
            wider = std::make_shared<const LatentCache>(widenLatentCache(cache, after));
        } catch (const engine::EngineError& e) {
            // Say which file, and what to do: say, the VAE was trained again after it was encoded.
            throw engine::EngineError(p.latentsWider.string() + ": " + e.what() + "; delete it to encode its clips again");
        }
    }

    // The same clips in later versions of the world, for the steps from each --world move's on; each
    // version's caches are the version before's, with the clips that differ encoded again.
    std::vector<std::shared_ptr<const LatentCache>> reworlded, reworldedWider;  // one per move
    auto reworld = [&](const LatentCache& from, int version, const fs::path& file, int64_t first) {
        const std::string tag = "[" + file.stem().string() + "] ";
        if (fs::exists(file)) {
            LatentCache c = loadLatentCache(file.string());
            if (c.world.version != version || c.seed != from.seed || c.mean != from.mean || c.std != from.std ||
                c.latents.sizes() != from.latents.sizes()) {
                // Say, the cache or the VAE changed after it was written.
                throw engine::EngineError(file.string() + " is not " + (first ? "the wider cache's" : "the cache's") + " clips in version " +
                                          std::to_string(version) + " of the world; delete it to encode them again");
            }
            return std::make_shared<const LatentCache>(std::move(c));
        }
        say(tag + "encoding again the clips that differ in version " + std::to_string(version) + " of the world from version " +
            std::to_string(from.world.version));
        bool any = false;
        auto c = std::make_shared<const LatentCache>(reworldLatentCache(vae, from, version, file.string(), first, [&](int64_t n, int64_t of) {
            any = true;
            say(tag + std::to_string(n) + " of " + std::to_string(of));
        }));
        if (!any) say(tag + "none differs");
        return c;
    };
    {
        std::shared_ptr<const LatentCache> before, beforeAfter;  // the previous move's (null: version 1's)
        for (const auto& m : o.world_moves) {
            auto c = reworld(before ? *before : cache, m.version, p.latentsWorld(m.version), 0);
            reworlded.push_back(c);
            if (wider) {
                auto a = reworld(beforeAfter ? *beforeAfter : after, m.version, p.latentsWiderWorld(m.version), o.latent_clips);
                reworldedWider.push_back(std::make_shared<const LatentCache>(widenLatentCache(*c, *a)));
                beforeAfter = a;
            }
            before = c;
        }
    }
    // What the DiT draws from at each step where that changes (DitStageOptions::later_caches).
    std::vector<DitStageOptions::LaterCache> laterCaches;
    std::vector<int64_t> switches;
    if (o.wider_from >= 0) switches.push_back(o.wider_from);
    for (const auto& m : o.world_moves) switches.push_back(m.from);
    std::sort(switches.begin(), switches.end());
    switches.erase(std::unique(switches.begin(), switches.end()), switches.end());
    for (const int64_t s : switches) {
        const bool w = o.wider_from >= 0 && s >= o.wider_from;
        int move = -1;  // the last move whose step has come
        for (size_t k = 0; k < o.world_moves.size(); ++k) {
            if (s >= o.world_moves[k].from) move = static_cast<int>(k);
        }
        laterCaches.push_back({s, move >= 0 ? (w ? reworldedWider[size_t(move)] : reworlded[size_t(move)]) : wider});
    }

    engine::Umt5Encoder text(spec.text);
    engine::WanTransformer transformer(spec.transformer);
    initTextEncoder(text, o.seed + 2);
    initTransformer(transformer, o.seed + 3);
    // A carried DiT state starts its phase when this run has not reached that phase by itself.
    const bool fullStarted = fs::exists(p.dit / "ckpt");
    int64_t lowStart = 0, fullStart = 0;
    double lowSeconds = 0, fullSeconds = 0;  // compute time the starting weights took
    if (carry.dit && !fullStarted && (carry.phase == "dit" || !fs::exists(p.ditLow / "ckpt"))) {
        const std::string ema = (carry.dir / "dit-ema.safetensors").string();
        loadNamed(text, ema, "text_encoder.");
        loadNamed(transformer, ema, "transformer.");
        (carry.phase == "dit" ? fullStart : lowStart) = carry.step;
        (carry.phase == "dit" ? fullSeconds : lowSeconds) = carry.seconds;
        say("[" + carry.phase + "] carried in at step " + std::to_string(carry.step) + " from " + carry.dir.string());
    }
    const bool skipLow = fullStarted || (carry.dit && carry.phase == "dit");
    auto logDit = [&](const char* tag) {
        return [tag](const DitStageReport& r) {
            if (r.step % 50 == 0) {
                char buf[160];
                std::snprintf(buf, sizeof buf, "[%s] step %lld loss %.4f lr %.2e grad %.2f %.2f s/step", tag,
                              static_cast<long long>(r.step), r.loss, r.lr, r.grad_norm, r.seconds_per_step);
                say(buf);
            }
        };
    };
    // Every `sample_every` steps: the EMA weights as a model folder, and a contact sheet of it at full size
    // (for the low-resolution phase, that shows how much carries over to 128x128; `ownSize` > 0 adds a
    // sheet at the size the phase trains on, which shows what it has learned).
    auto sampleAt = [&](const fs::path& dir, int64_t total, int ownSize) {
        return [&, dir, total, ownSize](int64_t step, const std::function<void()>& swapEma) {
            if (step % o.sample_every != 0 && step != total) return;
            swapEma();
            auto trained = spec;  // the folder declares the noise prior it samples from (frameNoiseShareAt)
            trained.frame_noise_share = frameNoiseShareAt(spec, o, ownSize > 0 ? "dit-low" : "dit", step);
            // Weights trained past --chinese-words-from go with the edited tokenizer (the low phase never is).
            const bool edited = ownSize == 0 && o.chinese_words_from >= 0 && step > o.chinese_words_from;
            writeFolder(trained, cache, text, transformer, vae, edited ? p.tokenizerChineseWords : p.tokenizer, p.preview.string(),
                        engine::StDType::F32);
            swapEma();
            const std::string sheet = (dir / ("samples-" + std::to_string(step) + ".png")).string();
            sampleSheet(p.preview.string(), sheet);
            if (ownSize > 0) {
                sampleSheet(p.preview.string(),
                            (dir / ("samples-" + std::to_string(step) + "-" + std::to_string(ownSize) + ".png")).string(), ownSize);
            }
            writeLossPlot((dir / "loss.csv").string(), (dir / "loss.png").string());
            say("[dit] step " + std::to_string(step) + ": samples in " + sheet);
            if (o.eval_prompts > 0) say("[dit] step " + std::to_string(step) + ": " + evaluatePreview(p.preview, dir, step, o.eval_prompts));
        };
    };
    DitStageOptions dopt;
    dopt.dir = p.dit.string();
    dopt.steps = o.dit_steps;
    dopt.restarts = o.dit_restarts;
    dopt.batch = o.dit_batch;
    dopt.lr = o.dit_lr;
    dopt.cycle_lr = o.dit_cycle_lr;
    dopt.warmup = o.dit_warmup;
    dopt.sample_every = o.sample_every;
    dopt.object_weight = o.object_weight;
    dopt.bf16 = o.dit_dtype == "bfloat16" || (o.dit_dtype == "auto" && engine::nativeBfloat16());
    say(std::string("[dit] forward passes in ") + (dopt.bf16 ? "bfloat16" : "float32") +
        (o.dit_dtype != "auto" ? " (--dit-dtype)"
         : dopt.bf16           ? " (this processor has bfloat16 instructions)"
                               : " (this processor would emulate bfloat16)"));
    dopt.seed = o.seed + 31;
    dopt.max_length = spec.max_sequence_length;
    dopt.shift = spec.train_flow_shift;
    dopt.late_shift = o.dit_shift;
    dopt.late_shift_from = o.dit_shift_from;
    dopt.late_frame_noise_share = o.dit_share;
    dopt.late_frame_noise_from = o.dit_share_from;
    dopt.frame_noise_share = spec.train_frame_noise_share;
    dopt.frame_noise_from = o.frame_noise_from;
    dopt.temporal_weight = o.dit_temporal_weight;
    dopt.temporal_from = o.dit_temporal_from;
    dopt.chinese_words_from = o.chinese_words_from;
    dopt.chinese_words_tokenizer = chineseWords;
    dopt.chinese_words_rows = chineseEdit.rows;
    dopt.start_step = fullStart;
    dopt.start_seconds = fullSeconds;
    dopt.later_caches = laterCaches;
    if (o.oversample_from >= 0 && o.oversample_factor > 1) {
        // Checked now, not hours later at that step: the cache drawn from at oversample_from must have the motion.
        const LatentCache& at = dopt.cacheAt(cache, o.oversample_from);
        const auto pool = oversampledPool(at, o.oversample_motion, o.oversample_factor);
        const int64_t n = at.latents.size(0);
        const int64_t matching = (static_cast<int64_t>(pool.size()) - n) / (o.oversample_factor - 1);
        say("[dit] from step " + std::to_string(o.oversample_from) + ", clips with a " + world::motionName(o.oversample_motion) +
            " object drawn " + std::to_string(o.oversample_factor) + " times as often: " + std::to_string(matching) + " of " +
            std::to_string(n) + " clips, " + std::to_string(100 * matching / n) + "% of the clips, " +
            std::to_string(100 * matching * o.oversample_factor / static_cast<int64_t>(pool.size())) + "% of the draws");
    }
    dopt.oversample_motion = o.oversample_motion;
    dopt.oversample_factor = o.oversample_factor;
    dopt.oversample_from = o.oversample_from;

    // The low-resolution phase runs only while the full-resolution one has not started (its checkpoint
    // holds everything from then on); it ends with its EMA weights in place, which start the next phase.
    if (o.dit_low_steps > 0 && o.dit_low_size % 16 != 0) {
        throw engine::EngineError("--dit-low-size must be a multiple of 16 (8 for the VAE, 2 for the patches), not " +
                                  std::to_string(o.dit_low_size));
    }
    if (o.dit_low_steps > 0 && !skipLow) {
        LatentCache low;
        if (fs::exists(p.latentsLow)) {
            low = loadLatentCache(p.latentsLow.string());
        } else {
            WorldBatchOptions lw;
            lw.width = lw.height = o.dit_low_size;
            say("[latents-low] encoding " + std::to_string(o.latent_clips) + " clips at " + std::to_string(o.dit_low_size) + "x" +
                std::to_string(o.dit_low_size));
            low = buildLatentCache(vae, latentStreamSeed(o.seed), o.latent_clips, lw, p.latentsLow.string(), [&](int64_t n) {
                say("[latents-low] " + std::to_string(n));
            }, &cache);
        }
        DitStageOptions lo = dopt;
        lo.dir = p.ditLow.string();
        lo.steps = o.dit_low_steps;
        lo.restarts.clear();  // the plan's restarts are steps of the full-resolution phase, not of this one
        lo.cycle_lr.clear();  // and so are their peaks
        lo.late_shift_from = -1;  // so is --dit-shift's step
        lo.late_frame_noise_from = -1;  // and --dit-frame-noise-share's
        lo.frame_noise_share = o.frame_noise_from > 0 ? 0.0 : spec.train_frame_noise_share;
        lo.frame_noise_from = 0;
        lo.temporal_weight = o.dit_temporal_from == 0 ? o.dit_temporal_weight : 0.0;
        lo.temporal_from = 0;
        lo.chinese_words_from = -1;  // --chinese-words-from is a step of the full-resolution phase
        lo.chinese_words_tokenizer.reset();
        lo.chinese_words_rows.clear();
        lo.later_caches.clear();  // --wider-clips's and --world's steps are the full-resolution phase's, their clips of its size
        lo.oversample_from = -1;  // and so is --oversample's
        lo.start_step = lowStart;
        lo.start_seconds = lowSeconds;
        // The full-resolution phase's clock goes on from the low one's (when it starts from it).
        dopt.start_seconds = runDitStage(text, transformer, *tokenizer, low, lo, logDit("dit-low"),
                                         sampleAt(p.ditLow, o.dit_low_steps, o.dit_low_size));
    }
    runDitStage(text, transformer, *tokenizer, cache, dopt, logDit("dit"), sampleAt(p.dit, o.dit_steps, 0));
    say("[done] " + p.run.string() + "; " + computeTime(o.run));
}

namespace {

// The furthest DiT phase with a checkpoint ("dit", else "dit-low") and its ckpt folder; an empty name
// when stage 2 has written none yet. Export and carry both hand on this phase's weights.
std::pair<std::string, fs::path> furthestDitPhase(const Paths& p) {
    for (const auto& [name, folder] : {std::pair<std::string, fs::path>{"dit", p.dit}, {"dit-low", p.ditLow}}) {
        if (fs::exists(folder / "ckpt" / "state.json")) return {name, folder / "ckpt"};
    }
    return {};
}

// The tokenizer the furthest DiT phase's weights were trained with: the run's, or its Chinese-words
// edit for weights trained past --chinese-words-from (their checkpoint says so).
fs::path tokenizerOfWeights(const Paths& p) {
    const auto [phase, ckpt] = furthestDitPhase(p);
    if (phase.empty()) return p.tokenizer;
    std::ifstream in((ckpt / "state.json").string());
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.contains("info") || j["info"].value("chinese_words", "no") != "yes") return p.tokenizer;
    if (!fs::exists(p.tokenizerChineseWords / "spiece.model")) {
        throw engine::EngineError(ckpt.string() + ": its weights were trained with the tokenizer of Chinese words, and " +
                                  p.tokenizerChineseWords.string() + " is missing; `kinora-train all --chinese-words-from` writes it again");
    }
    return p.tokenizerChineseWords;
}

}  // namespace

std::string exportModel(const RecipeOptions& o, const std::string& out) {
    const Paths p(o.run);
    if (!fs::exists(p.vaeWeights)) {
        throw engine::EngineError(o.run + ": the VAE stage has not finished (no " + p.vaeWeights.string() +
                                  "); a model folder needs its final weights, so let `kinora-train all` go on");
    }
    // An early model may come from the low-resolution phase (its weights generate at any size; the
    // preview evaluation measures them at the model's default).
    const auto [phase, ckpt] = furthestDitPhase(p);
    if (phase.empty()) {
        throw engine::EngineError(o.run + ": no DiT checkpoint yet (dit/ckpt or dit-low/ckpt); the first is written after " +
                                  "200 steps of stage 2");
    }
    std::ifstream in((ckpt / "state.json").string());
    const int64_t step = nlohmann::json::parse(in).at("step").get<int64_t>();
    auto spec = specFor(o, p);
    spec.frame_noise_share = frameNoiseShareAt(spec, o, phase, step);
    engine::WanVAE vae(spec.vae);
    loadNamed(vae, p.finalVae().string(), "");
    const auto cache = loadLatentCache(p.latents.string());
    engine::Umt5Encoder text(spec.text);
    engine::WanTransformer transformer(spec.transformer);
    // The EMA weights are what sampling uses.
    const std::string ema = (ckpt / "ema.safetensors").string();
    loadNamed(text, ema, "text_encoder.");
    loadNamed(transformer, ema, "transformer.");
    writeFolder(spec, cache, text, transformer, vae, tokenizerOfWeights(p), out, engine::StDType::F16);
    return phase + " step " + std::to_string(step);
}

void writeCarry(const RecipeOptions& o, const std::string& out) {
    const Paths p(o.run);
    const fs::path vaeCkpt = p.vae / "ckpt";
    if (!fs::exists(p.vaeWeights) && !fs::exists(vaeCkpt / "state.json")) {
        throw engine::EngineError(o.run + ": no VAE checkpoint yet; nothing worth carrying");
    }
    const fs::path dir(out);
    fs::create_directories(dir);
    copyTokenizer(tokenizerOfWeights(p), dir / "tokenizer");
    const auto spec = specFor(o, p);
    engine::WanVAE vae(spec.vae);
    nlohmann::json j;
    if (fs::exists(p.vaeWeights)) {
        loadNamed(vae, p.vaeWeights.string(), "");
        std::ifstream report((p.vae / "report.json").string());
        j["vae"] = report ? nlohmann::json::parse(report, nullptr, false) : nlohmann::json::object();
        j["vae"]["done"] = true;
    } else {
        loadNamed(vae, (vaeCkpt / "ema.safetensors").string(), "vae.");
        std::ifstream in((vaeCkpt / "state.json").string());
        const auto state = nlohmann::json::parse(in);
        j["vae"] = {{"done", false}, {"step", state.at("step").get<int64_t>()}, {"seconds", state.value("seconds", 0.0)}};
    }
    engine::writeSafetensors((dir / "vae.safetensors").string(), namedWeights(vae, at::kHalf));
    // A finished decoder stage (an unfinished one starts again on the next machine).
    if (fs::exists(p.vaeDecoderWeights)) {
        loadNamed(vae, p.vaeDecoderWeights.string(), "");
        engine::writeSafetensors((dir / "vae-decoder.safetensors").string(), namedWeights(vae, at::kHalf));
        std::ifstream report((p.vaeDecoder / "report.json").string());
        j["vae_decoder"] = report ? nlohmann::json::parse(report, nullptr, false) : nlohmann::json::object();
    } else {
        fs::remove(dir / "vae-decoder.safetensors");
    }
    // The furthest DiT phase with a checkpoint: its EMA weights (what sampling uses) and step.
    if (const auto [phase, ckpt] = furthestDitPhase(p); !phase.empty()) {
        std::ifstream in((ckpt / "state.json").string());
        const auto state = nlohmann::json::parse(in);
        const auto ema = engine::SafetensorsFile::open((ckpt / "ema.safetensors").string());
        std::vector<std::pair<std::string, at::Tensor>> named;
        for (const auto& t : ema->tensors()) named.emplace_back(t.name, ema->tensor(t.name).to(at::kHalf));
        engine::writeSafetensors((dir / "dit-ema.safetensors").string(), named);
        j["dit"] = {{"phase", phase}, {"step", state.at("step").get<int64_t>()}, {"seconds", state.value("seconds", 0.0)}};
    }
    if (!j.contains("dit")) fs::remove(dir / "dit-ema.safetensors");
    writeJson((dir / "carry.json").string(), j);
}

std::string computeTime(const std::string& run) {
    const Paths p(run);
    auto secondsIn = [](const fs::path& json) {
        std::ifstream in(json.string());
        if (!in) return 0.0;
        const auto j = nlohmann::json::parse(in, nullptr, false);
        return j.is_object() ? j.value("seconds", 0.0) : 0.0;
    };
    const double vae = (fs::exists(p.vae / "report.json") ? secondsIn(p.vae / "report.json") : secondsIn(p.vae / "ckpt" / "state.json")) +
                       (fs::exists(p.vaeDecoder / "report.json") ? secondsIn(p.vaeDecoder / "report.json")
                                                                 : secondsIn(p.vaeDecoder / "ckpt" / "state.json"));
    // The full-resolution phase's clock includes the low-resolution phase it started from.
    const double dit = fs::exists(p.dit / "ckpt" / "state.json") ? secondsIn(p.dit / "ckpt" / "state.json")
                                                                  : secondsIn(p.ditLow / "ckpt" / "state.json");
    char buf[128];
    std::snprintf(buf, sizeof buf, "compute time: VAE %.2f h, DiT %.2f h, %.2f h in all", vae / 3600, dit / 3600, (vae + dit) / 3600);
    return buf;
}

}  // namespace kinora::train
