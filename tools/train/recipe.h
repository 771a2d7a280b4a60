// The whole recipe of the bundled model, stage by stage, each resumable: tokenizer -> VAE -> latent
// cache -> text encoder + transformer -> export of a Diffusers-format folder.
#pragma once

#include "train/dit_stage.h"
#include "train/model_spec.h"
#include "train/vae_stage.h"

#include <string>

namespace kinora::train {

struct RecipeOptions {
    std::string run;   // working folder (checkpoints, logs, caches); ignored by git
    std::string spec;  // model spec JSON (tools/train/specs/kinora-tiny.json)
    int vocab_size = 1000;
    int64_t vae_steps = 3000;
    int64_t latent_clips = 6000;
    int64_t dit_steps = 4000;
    int64_t dit_batch = 32;
    double dit_lr = 5e-4;
    int64_t sample_every = 500;  // contact sheet + preview export every N DiT steps
    // A first DiT phase on clips rendered at low resolution (4x fewer tokens at 64x64, so ~4x cheaper
    // steps), whose weights start the full-resolution phase. 0: no such phase.
    int64_t dit_low_steps = 0;
    int dit_low_size = 64;
    uint64_t seed = 20261125;
};

// Runs (or resumes) every stage; prints progress to stdout.
void runRecipe(const RecipeOptions& options);

// Writes the model folder `out` (F16 weights, latent preview projection) from the run's latest state:
// the VAE's final weights and the DiT stage's EMA weights.
void exportModel(const RecipeOptions& options, const std::string& out);

}  // namespace kinora::train
