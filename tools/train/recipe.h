// The whole recipe of the bundled model, stage by stage, each resumable: tokenizer -> VAE -> latent
// cache -> text encoder + transformer -> export of a Diffusers-format folder.
#pragma once

#include "train/dit_stage.h"
#include "train/model_spec.h"
#include "train/vae_stage.h"

#include <string>
#include <vector>

namespace kinora::train {

struct RecipeOptions {
    std::string run;   // working folder (checkpoints, logs, caches); ignored by git
    std::string spec;  // model spec JSON (tools/train/specs/kinora-tiny.json)
    int vocab_size = 1000;
    int64_t vae_steps = 3000;
    // A stage after the VAE that trains its decoder only (VaeStageOptions::decoder_only), on windows of
    // vae_decoder_size pixels: better reconstructions from the same latents. 0 steps: none.
    int64_t vae_decoder_steps = 0;
    int vae_decoder_size = 64;
    double vae_decoder_lr = 3e-4;
    double vae_decoder_object_weight = 1.0;  // VaeStageOptions::object_weight of that stage
    int64_t latent_clips = 6000;
    // From step wider_from of the full-resolution DiT phase on (-1: never), batches are drawn from
    // wider_clips clips: the cache's and the ones after them in the same stream, encoded once into
    // <run>/latents-wider.safetensors with the cache's normalisation (DitStageOptions::later_caches).
    int64_t wider_clips = 0;
    int64_t wider_from = -1;
    // From step `from` of the full-resolution DiT phase on, batches are drawn from the same clips as
    // version `version` of the world draws them (world.h: versions; 2: slower spins, one way; 3: also
    // lower, later bounces; 4: also larger, faster spins; 5: also still shapes turned). Each move's clips that differ from the
    // version before it are encoded again into <run>/latents-world<V>.safetensors (and
    // latents-wider-world<V>.safetensors) with the cache's normalisation (reworldLatentCache). Every
    // stage before the first move, the VAE's included, draws from version 1: a run that moved part-way,
    // once or more, stays reproducible from scratch by one command.
    struct WorldMove {
        int version = 2;
        int64_t from = 0;
    };
    std::vector<WorldMove> world_moves;  // versions and steps both ascending; empty: version 1 throughout
    // From step oversample_from of the full-resolution DiT phase on (-1: never), clips with an object
    // of oversample_motion are drawn oversample_factor times as often (DitStageOptions::oversample_*).
    world::Motion oversample_motion = world::Motion::Spinning;
    int oversample_factor = 1;
    int64_t oversample_from = -1;
    int64_t dit_steps = 4000;
    // Earlier planned ends of the full-resolution DiT phase, where its learning-rate schedule starts
    // again (DitStageOptions::restarts); each below dit_steps.
    std::vector<int64_t> dit_restarts;
    int64_t dit_batch = 32;
    double dit_lr = 5e-4;
    // Peaks of the full-resolution phase's cycles (dit_restarts.size() + 1 values, the last one
    // dit_steps's); empty: dit_lr for each. The low-resolution phase uses dit_lr.
    std::vector<double> dit_cycle_lr;
    int64_t dit_warmup = 200;  // learning-rate warm-up steps of each DiT phase (and after each restart)
    double object_weight = 1.0;  // DitStageOptions::object_weight (why 1: there)
    // The full-resolution phase's training timestep shift from step dit_shift_from on (-1: the spec's
    // flow shift throughout; DitStageOptions::late_shift). Inference keeps the spec's shift.
    double dit_shift = 0;
    int64_t dit_shift_from = -1;
    // The full-resolution phase's training frame noise share from step dit_share_from on (-1: the
    // spec's training share, from frame_noise_from). Sampling keeps the spec's share.
    double dit_share = 0;
    int64_t dit_share_from = -1;
    // The full-resolution phase's weight on the change of the error between latent frames, from step
    // dit_temporal_from on (DitStageOptions::temporal_weight); the low-resolution phase has it only when
    // it applies from the start (dit_temporal_from 0).
    double dit_temporal_weight = 0;
    int64_t dit_temporal_from = 0;
    // The full-resolution phase's step from which its noise has the spec's frame_noise_share (0: from
    // the start of stage 2, both phases; > 0: a run that took it up part-way, the low phase without it).
    int64_t frame_noise_from = 0;
    // The full-resolution phase's step from which captions are tokenized with each Chinese word one piece
    // (train/chinese_words.h; DitStageOptions::chinese_words_from); -1: never. The edited tokenizer is
    // <run>/tokenizer-chinese-words, and export and carry hand it on with weights trained past that step.
    int64_t chinese_words_from = -1;
    // Stage 2's forward passes: "bfloat16" (DitStageOptions::bf16), "float32", or "auto": bfloat16 where
    // the processor has bfloat16 instructions (engine::nativeBfloat16), float32 where LibTorch would
    // emulate it (21x slower products there). Weights, optimiser and EMA are float32 either way.
    std::string dit_dtype = "auto";
    int64_t sample_every = 500;  // contact sheet + preview export every N DiT steps
    // ...and `kinora eval`'s world evaluation of that preview on this many prompts, in <phase>/eval.csv:
    // when the model is good enough to ship, measured while it trains. 0: none.
    int eval_prompts = 48;
    // A first DiT phase on clips rendered at low resolution (4x fewer tokens at 64x64, so ~4x cheaper
    // steps), whose weights start the full-resolution phase. 0: no such phase.
    int64_t dit_low_steps = 0;
    int dit_low_size = 64;
    uint64_t seed = 20261125;
    // A carry folder (writeCarry) to start from where this run has no state of its own yet.
    std::string carry;
};

// The world stream (world::clipSeed's base) whose clips [0, latent_clips) a run's latent caches hold.
inline uint64_t latentStreamSeed(uint64_t runSeed) { return runSeed + 21; }

// Runs (or resumes) every stage; prints progress to stdout.
void runRecipe(const RecipeOptions& options);

// The prompts every contact sheet of a run shows (seen and held-out, English and Chinese). The sheet's
// font draws only ASCII, so a Chinese prompt has a row label saying what it means (empty: the prompt
// is its own label).
struct SheetPrompt {
    std::string prompt, label;
};
const std::vector<SheetPrompt>& sheetPrompts();

// Runs (or resumes) the decoder stage alone (`kinora-train decoder`), for a run whose VAE has finished:
// it touches nothing the DiT stage uses, so it can run beside `all` on the same run folder.
void runDecoderStage(const RecipeOptions& options);

// Writes the model folder `out` (F16 weights, latent preview projection) from the run's latest state:
// the VAE's final weights and the EMA weights of the furthest DiT phase with a checkpoint (the
// full-resolution one, else the low-resolution one); returns which, e.g. "dit-low step 2400".
std::string exportModel(const RecipeOptions& options, const std::string& out);

// Writes the carry folder `out` from the run's latest state: what a later machine, which keeps nothing
// but the repository, needs to go on where this one stopped. The tokenizer, the VAE (its final weights,
// or its EMA weights and step while it still trains) and the furthest DiT phase's EMA weights with its
// step, in F16 (a few MB, fit to commit), and carry.json saying which.
// The latent caches are not carried: they are recomputed from the VAE. The optimiser state is not
// either (three times the weights' size): the next run starts a fresh one and warms it up again.
void writeCarry(const RecipeOptions& options, const std::string& out);

// The compute time a run's state records (Checkpoint::seconds), e.g. "compute time: VAE 3.21 h, DiT
// 2.80 h, 6.01 h in all": the hours a model card states.
std::string computeTime(const std::string& run);

}  // namespace kinora::train
