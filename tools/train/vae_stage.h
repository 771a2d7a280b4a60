// Stage 1: the VAE learns to reconstruct world clips (L1 + L2 reconstruction, a small KL term).
#pragma once

#include "engine/vae.h"
#include "train/world_batch.h"

#include <functional>
#include <string>

namespace kinora::train {

struct VaeStageOptions {
    std::string dir;          // checkpoints and logs: <dir>/ckpt, <dir>/loss.csv
    int64_t steps = 3000;
    int64_t batch = 8;
    int frames = 5;           // training clips are short crops of full-size clips: the VAE is convolutional
    int size = 48;            // and causal, so it generalises to 17 frames of 128x128 (checked by the PSNR
    int render_size = 128;    // evaluation), while each step costs a fraction of a whole clip
    double lr = 1e-3;
    int64_t warmup = 100;
    double kl_weight = 1e-6;
    uint64_t seed = 1;
    int64_t checkpoint_every = 200;
    int64_t log_every = 10;
    int64_t pool = 1'000'000;  // clip indices drawn from [0, pool) of the world stream
};

struct VaeStageReport {
    int64_t step = 0;
    double loss = 0, l1 = 0, kl = 0;
};

// Trains `vae` in place, resuming from <dir>/ckpt when present. `on_log` gets each logged step.
void runVaeStage(engine::WanVAE& vae, const VaeStageOptions& options,
                 const std::function<void(const VaeStageReport&)>& on_log = {});

// Mean PSNR (dB, on [0, 255] frames) of reconstructions (encoder mean -> decoder) of `clips` clips from
// a stream the training never draws from, at the given size.
double vaePsnr(engine::WanVAE& vae, uint64_t seed, int clips, const WorldBatchOptions& size);

}  // namespace kinora::train
