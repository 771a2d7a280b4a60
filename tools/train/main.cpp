// kinora-train: builds and trains Kinora's bundled model.
//   init    --spec SPEC.json --tokenizer DIR --out DIR [--seed N] [--dtype f32|f16]
//           a model folder with randomly initialised weights (also used for benchmark models)
//   all     --run DIR --spec SPEC.json [--vae-steps N --dit-steps N ...]
//           the whole recipe, resumable after any interruption (run it again with the same arguments)
//   export  --run DIR --spec SPEC.json --out DIR
//           the model folder (F16) from the run's latest checkpoint
//   carry   --run DIR --spec SPEC.json --out DIR
//           the state a later machine needs to go on (all --carry DIR), small enough to commit
//   decoder --run DIR --spec SPEC.json --vae-decoder-steps N
//           the decoder stage alone (all runs it too when given --vae-decoder-steps)
//   gap     --model DIR [--seed N --latent-clips N --clips N]
//           the DiT's loss on clips it trained on against clips it never saw (train/generalisation_gap.h)
#include "train/generalisation_gap.h"
#include "train/model_spec.h"
#include "train/recipe.h"
#include "worldgen/world.h"

#include "engine/error.h"
#include "engine/runtime.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <tuple>
#include <iostream>

using namespace kinora;

namespace {

// Validators whose messages say what is wanted (CLI11's number checks print a range up to 1.8e308).
CLI::Validator atLeast(long long least) {
    return CLI::Validator(
        [least](std::string& v) -> std::string {
            try {
                size_t used = 0;
                const long long n = std::stoll(v, &used);
                if (used == v.size() && n >= least) return {};
            } catch (const std::exception&) {
            }
            return "must be a whole number of at least " + std::to_string(least) + ", not '" + v + "'";
        },
        ">=" + std::to_string(least));
}

CLI::Validator aboveZero() {
    return CLI::Validator(
        [](std::string& v) -> std::string {
            try {
                size_t used = 0;
                const double x = std::stod(v, &used);
                if (used == v.size() && x > 0 && std::isfinite(x)) return {};
            } catch (const std::exception&) {
            }
            return "must be a number above 0, not '" + v + "'";
        },
        ">0");
}

// "F" (from the phase's start) or "F@STEP" -> {F, STEP} with F in [least, most]; nothing when it has
// another form (--dit-shift, --dit-temporal-weight).
std::optional<std::pair<double, int64_t>> parseValuePlan(const std::string& v, double least, double most) {
    const auto at = v.find('@');
    try {
        size_t used = 0;
        const std::string f = v.substr(0, at);
        const double value = std::stod(f, &used);
        if (used != f.size() || !(value >= least && value <= most)) return std::nullopt;
        if (at == std::string::npos) return std::make_pair(value, int64_t(0));
        const std::string st = v.substr(at + 1);
        const long long step = std::stoll(st, &used);
        if (used != st.size() || step < 0) return std::nullopt;
        return std::make_pair(value, int64_t(step));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// `what` names the value in the refusal: "want a shift from 1 to 20, optionally from a step on ...".
CLI::Validator valuePlan(const std::string& what, double least, double most, const std::string& example) {
    return CLI::Validator(
        [=](std::string& v) -> std::string {
            if (parseValuePlan(v, least, most)) return {};
            std::ostringstream range;
            range << least << " to " << most;
            return "want " + what + " from " + range.str() + ", optionally from a step on (F@STEP), e.g. " + example + ", not '" + v + "'";
        },
        "F[@STEP]");
}

// --world V@STEP[,V@STEP...]: whole versions from 2 on, later versions at later steps.
std::optional<std::vector<train::RecipeOptions::WorldMove>> parseWorldPlan(const std::string& v) {
    std::vector<train::RecipeOptions::WorldMove> moves;
    size_t begin = 0;
    while (true) {
        const size_t comma = v.find(',', begin);
        const std::string part = v.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
        const auto plan = parseValuePlan(part, 2, world::kWorldVersions);
        if (!plan || part.find('@') == std::string::npos || plan->first != std::floor(plan->first)) return std::nullopt;
        const int version = static_cast<int>(plan->first);
        if (!moves.empty() && (version <= moves.back().version || plan->second <= moves.back().from)) return std::nullopt;
        moves.push_back({version, plan->second});
        if (comma == std::string::npos) return moves;
        begin = comma + 1;
    }
}

// --oversample MOTION=K@STEP: a motion of the world by its name ("spinning", "moving left"), a whole
// factor from 2 to 20, and the step it starts at.
std::optional<std::tuple<world::Motion, int, int64_t>> parseOversample(const std::string& v) {
    const auto eq = v.rfind('=');
    if (eq == std::string::npos || v.find('@', eq) == std::string::npos) return std::nullopt;
    const auto motion = world::motionFromName(v.substr(0, eq));
    if (!motion) return std::nullopt;
    const auto plan = parseValuePlan(v.substr(eq + 1), 2, 20);
    if (!plan || plan->first != std::floor(plan->first)) return std::nullopt;
    return std::make_tuple(*motion, static_cast<int>(plan->first), plan->second);
}

std::string oversampleError(const std::string& v) {
    std::string names;
    for (int m = 0; m < world::kMotionCount; ++m) names += std::string(m ? ", " : "") + world::motionName(world::Motion(m));
    return "want a motion (" + names + "), a whole factor from 2 to 20 and the step to start at (MOTION=K@STEP), e.g. "
           "spinning=3@54000, not '" + v + "'";
}

int runInit(const std::string& specPath, const std::string& tokenizer, const std::string& out, uint64_t seed,
            const std::string& dtype) {
    std::ifstream in(specPath);
    if (!in) throw engine::EngineError(specPath + ": cannot be read");
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) throw engine::EngineError(specPath + ": not valid JSON");
    const auto spec = train::ModelSpec::fromJson(j);
    engine::Umt5Encoder text(spec.text);
    engine::WanTransformer transformer(spec.transformer);
    engine::WanVAE vae(spec.vae);
    train::initTextEncoder(text, seed);
    train::initTransformer(transformer, seed + 1);
    train::initVae(vae, seed + 2);
    train::writeModelFolder(out, spec, text, transformer, vae, tokenizer,
                            dtype == "f16" ? engine::StDType::F16 : engine::StDType::F32);
    std::cout << "wrote " << out << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    engine::applyOpenMpWaitPolicy(argv);
    engine::applyAllocatorPolicy();
    CLI::App app{"kinora-train: build and train Kinora's bundled model"};
    app.require_subcommand(1);
    int threads = 0;
    app.add_option("--threads", threads, "CPU threads (default: every core)");

    auto* init = app.add_subcommand("init", "Write a model folder with random weights");
    std::string spec, tokenizer, out, dtype = "f32";
    uint64_t seed = 1;
    init->add_option("--spec", spec, "Model spec JSON (train::ModelSpec::toJson layout)")->required();
    init->add_option("--tokenizer", tokenizer, "Tokenizer folder (spiece.model, configs)")->required();
    init->add_option("--out", out, "Model folder to write")->required();
    init->add_option("--seed", seed, "Initialisation seed");
    init->add_option("--dtype", dtype, "Weights dtype")->check(CLI::IsMember({"f32", "f16"}));

    train::RecipeOptions ro;
    auto* all = app.add_subcommand("all", "Run (or resume) the whole training recipe");
    auto* exp = app.add_subcommand("export", "Write the model folder from a run's latest state");
    auto* carry = app.add_subcommand("carry", "Write the state another machine needs to go on (for all --carry)");
    auto* dec = app.add_subcommand("decoder",
                                   "Run (or resume) the decoder stage alone, for a run whose VAE has finished (it can run beside "
                                   "`all` when that was started without --vae-decoder-steps)");
    for (auto* cmd : {all, exp, carry, dec}) {
        cmd->add_option("--run", ro.run, "Working folder (checkpoints, logs)")->required();
        cmd->add_option("--spec", ro.spec, "Model spec JSON")->required();
        cmd->add_option("--seed", ro.seed, "Run seed");
    }
    all->add_option("--vae-steps", ro.vae_steps, "VAE optimiser steps")->check(atLeast(1));
    for (auto* cmd : {all, dec}) {
        cmd->add_option("--vae-decoder-steps", ro.vae_decoder_steps,
                        "Steps of a stage after the VAE that trains its decoder alone, the encoder (and so the latents) "
                        "unchanged (0: none)")
            ->check(atLeast(0));
        cmd->add_option("--vae-decoder-size", ro.vae_decoder_size, "Width and height of that stage's windows")
            ->check(CLI::Range(16, 128));
        cmd->add_option("--vae-decoder-object-weight", ro.vae_decoder_object_weight,
                        "That stage's weight on the reconstruction error of the objects and the 2 pixels around them "
                        "(1: none)")
            ->check(CLI::Range(1.0, 100.0));
    }
    all->add_option("--latent-clips", ro.latent_clips, "Clips in the latent cache")->check(atLeast(1));
    std::string widerClips;
    all->add_option("--wider-clips", widerClips,
                    "N@STEP: from that step of the full-resolution phase on, batches drawn from N clips (the cache's and "
                    "the next ones of the same world, encoded once into latents-wider.safetensors)")
        ->check(CLI::Validator(
            [](std::string& v) -> std::string {
                const auto plan = parseValuePlan(v, 1, 1e7);
                if (plan && v.find('@') != std::string::npos && plan->first == std::floor(plan->first)) return {};
                return "want a number of clips and the step from which to draw from them (N@STEP), e.g. 24000@48000, not '" + v + "'";
            },
            "N@STEP"));
    std::string worldPlan;
    all->add_option("--world", worldPlan,
                    std::string("V@STEP[,V@STEP...]: from that step of the full-resolution phase on, the same clips as version V of the world "
                                "draws them (") + world::worldVersionsSummary() + "; only the "
                    "clips that differ from the version before are encoded again, into latents-world<V>.safetensors); later versions at "
                    "later steps; every stage before the first draws from version 1")
        ->check(CLI::Validator(
            [](std::string& v) -> std::string {
                if (parseWorldPlan(v)) return {};
                return "want a version of the world from 2 to " + std::to_string(world::kWorldVersions) +
                       " and the step from which to draw from it (V@STEP), or several, later versions at later steps "
                       "(e.g. 3@48000,4@60000), not '" + v + "'";
            },
            "V@STEP[,V@STEP...]"));
    std::string oversample;
    all->add_option("--oversample", oversample,
                    "MOTION=K@STEP: from that step of the full-resolution phase on, clips with an object of that motion "
                    "are drawn K times as often as the others, e.g. spinning=3@54000")
        ->check(CLI::Validator(
            [](std::string& v) -> std::string { return parseOversample(v) ? std::string() : oversampleError(v); }, "MOTION=K@STEP"));
    std::vector<int64_t> ditPlan;
    all->add_option("--dit-steps", ditPlan,
                    "Text encoder + transformer optimiser steps at full resolution; a list such as 4000,12000 trains "
                    "on past an earlier plan's end, where the learning-rate schedule starts again")
        ->delimiter(',')
        ->check(atLeast(1));
    all->add_option("--dit-batch", ro.dit_batch, "Batch size of stage 2")->check(atLeast(1));
    std::vector<double> ditLr;
    all->add_option("--dit-lr", ditLr,
                    "Peak learning rate of stage 2; a list such as 5e-4,5e-4,2e-4 gives each cycle of --dit-steps its "
                    "own peak (the low-resolution phase takes the first)")
        ->delimiter(',')
        ->check(aboveZero());
    all->add_option("--object-weight", ro.object_weight, "Stage 2's loss weight on latent cells the objects cover (1: none)")
        ->check(CLI::Range(1.0, 100.0));
    std::string ditShift;
    all->add_option("--dit-shift", ditShift,
                    "Training timestep shift of the full-resolution phase, F or F@STEP (from that step on; before it, "
                    "the spec's flow shift); inference keeps the spec's")
        ->check(valuePlan("a shift", 1, 20, "1.5 or 1.5@7000"));
    std::string ditShare;
    all->add_option("--dit-frame-noise-share", ditShare,
                    "Training frame noise share of the full-resolution phase, F or F@STEP (from that step on; "
                    "before it, the spec's training.frame_noise_share); sampling keeps the spec's")
        ->check(valuePlan("a share", 0, 0.99, "0.8 or 0.8@26000"));
    std::string ditTemporal;
    all->add_option("--dit-temporal-weight", ditTemporal,
                    "Weight of the full-resolution phase's loss on the change of the error between latent frames "
                    "(objects that jump or flicker), F or F@STEP (from that step on; before it, 0: none)")
        ->check(valuePlan("a weight", 0, 10, "1 or 1@13000"));
    all->add_option("--frame-noise-from", ro.frame_noise_from,
                    "Step of the full-resolution phase from which the noise has the spec's frame_noise_share "
                    "(0: from the start of stage 2)")
        ->check(atLeast(0));
    all->add_option("--chinese-words-from", ro.chinese_words_from,
                    "Step of the full-resolution phase from which captions are tokenized with each Chinese word one "
                    "piece (the run's tokenizer edited: tokenizer-chinese-words; English keeps its ids)")
        ->check(atLeast(0));
    all->add_option("--dit-dtype", ro.dit_dtype,
                    "Stage 2's forward passes: bfloat16 (CPU autocast), float32, or auto: bfloat16 only where the "
                    "processor has bfloat16 instructions (AVX512-BF16), which make it 1.8x faster")
        ->check(CLI::IsMember({"auto", "float32", "bfloat16"}));
    all->add_option("--sample-every", ro.sample_every, "Contact sheet every N steps")->check(atLeast(1));
    all->add_option("--eval-prompts", ro.eval_prompts, "World-evaluation prompts at each contact sheet (0: none)")
        ->check(atLeast(0));
    all->add_option("--dit-low-steps", ro.dit_low_steps, "Steps of a first DiT phase at low resolution (0: none)")
        ->check(atLeast(0));
    all->add_option("--dit-low-size", ro.dit_low_size, "Width and height of that phase's clips")->check(CLI::Range(32, 128));
    all->add_option("--vocab", ro.vocab_size, "SentencePiece vocabulary size")->check(CLI::Range(100, 32000));
    all->add_option("--carry", ro.carry, "Carry folder to start from where the run has no state of its own")
        ->check(CLI::ExistingDirectory);
    auto* gap = app.add_subcommand("gap",
                                   "The transformer's loss on clips of the latent cache it trained on against clips of the same "
                                   "world it never saw: memorised, or learnt?");
    train::GapOptions go;
    uint64_t gapRunSeed = train::RecipeOptions{}.seed;
    go.trained_clips = train::RecipeOptions{}.latent_clips;
    gap->add_option("--model", go.model, "Model folder trained by the run (e.g. resources/models/kinora-tiny)")->required();
    gap->add_option("--seed", gapRunSeed, "The run's seed (kinora-train all --seed)");
    gap->add_option("--latent-clips", go.trained_clips, "Clips in the run's latent cache (kinora-train all --latent-clips)")
        ->check(atLeast(1));
    gap->add_option("--clips", go.clips, "Clips in each set")->check(atLeast(1));
    gap->add_option("--world", go.world_version, "Version of the world the run last drew from (kinora-train all --world)")
        ->check(CLI::Range(1, world::kWorldVersions));
    gap->add_option("--sigmas", go.sigmas, "Noise levels to measure at, in (0, 1]")->delimiter(',')->check(CLI::Range(1e-6, 1.0));
    gap->add_option("--frame-noise-share", go.frame_noise_share, "The training noise's share common to all latent frames")
        ->check(CLI::Range(0.0, 0.99));
    exp->add_option("--out", out, "Model folder to write")->required();
    carry->add_option("--out", out, "Carry folder to write")->required();
    try {
        app.parse(argc, argv);
        engine::configureThreads(threads);
        if (init->parsed()) return runInit(spec, tokenizer, out, seed, dtype);
        if (gap->parsed()) {
            go.stream_seed = train::latentStreamSeed(gapRunSeed);
            const auto r = train::measureGeneralisationGap(go);
            std::printf("flow-matching loss of %s, %lld clips each\n%8s %10s %10s %8s\n", go.model.c_str(),
                        static_cast<long long>(go.clips), "sigma", "trained", "unseen", "ratio");
            for (size_t k = 0; k < r.sigmas.size(); ++k) {
                std::printf("%8.2f %10.5f %10.5f %8.3f\n", r.sigmas[k], r.trained[k], r.unseen[k], r.unseen[k] / r.trained[k]);
            }
            return 0;
        }
        if (!ditPlan.empty()) {
            ro.dit_steps = ditPlan.back();
            ro.dit_restarts.assign(ditPlan.begin(), ditPlan.end() - 1);
        }
        if (!ditLr.empty()) {
            ro.dit_lr = ditLr.front();
            if (ditLr.size() > 1) ro.dit_cycle_lr = ditLr;
        }
        if (!ditShift.empty()) std::tie(ro.dit_shift, ro.dit_shift_from) = *parseValuePlan(ditShift, 1, 20);
        if (!ditShare.empty()) std::tie(ro.dit_share, ro.dit_share_from) = *parseValuePlan(ditShare, 0, 0.99);
        if (!ditTemporal.empty()) std::tie(ro.dit_temporal_weight, ro.dit_temporal_from) = *parseValuePlan(ditTemporal, 0, 10);
        if (!widerClips.empty()) {
            const auto [n, from] = *parseValuePlan(widerClips, 1, 1e7);
            ro.wider_clips = static_cast<int64_t>(n);
            ro.wider_from = from;
        }
        if (!worldPlan.empty()) ro.world_moves = *parseWorldPlan(worldPlan);
        if (!oversample.empty()) std::tie(ro.oversample_motion, ro.oversample_factor, ro.oversample_from) = *parseOversample(oversample);
        if (all->parsed()) train::runRecipe(ro);
        if (dec->parsed()) {
            train::runDecoderStage(ro);
            std::cout << "decoder stage done (" << train::computeTime(ro.run) << ")\n";
        }
        if (exp->parsed()) {
            const auto from = train::exportModel(ro, out);
            std::cout << "wrote " << out << " from " << from << " (" << train::computeTime(ro.run) << ")\n";
        }
        if (carry->parsed()) {
            train::writeCarry(ro, out);
            std::cout << "wrote " << out << " (" << train::computeTime(ro.run) << ")\n";
        }
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    } catch (const std::exception& e) {
        std::cerr << "kinora-train: error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
