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
    // Training clips are small windows of full-size clips: the VAE is convolutional, so it generalises to
    // 128x128 (checked by the PSNR evaluation) while each step costs a fraction of a whole clip.
    // Frames: the causal cache a chunk receives depends on the chunks before it. A VAE trained on 5 frames
    // (first frame + one chunk) was measured to break down from the third chunk on (PSNR 11-17 dB at step
    // 900, frames 8-16 drifting in colour), as a cache filled by a full chunk was never seen. 9 frames
    // (first frame + two chunks) contain every case the chunking produces (first chunk, a chunk after the
    // first, a chunk after a full chunk) at about half the cost of all 17. Measured at step 4600 of a
    // 9-frame run, though, the frames past the trained length were worse (PSNR 25.9 dB on frame 0, 21.0
    // on frame 16, against 23.5 -> 20.9 for a 17-frame run at step 3200): so odd steps use all
    // `long_frames`. The evaluation runs on 17.
    int frames = 9;
    int long_frames = 17;
    int size = 32;
    int render_size = 128;
    double object_windows = 0.75;  // share of windows placed around a pixel an object covers
    double lr = 1e-3;
    int64_t warmup = 100;
    double kl_weight = 1e-6;
    // The loss sees the decoder's raw output: clamping it to [-1, 1] (as inference does) cuts the gradient
    // wherever the decoder overshoots. Kept switchable for the comparison in the trainer's notes.
    bool clamp_output = false;
    uint64_t seed = 1;
    // Train the decoder (and post_quant_conv) only, the encoder frozen: the latents, and so a transformer
    // trained on them, stay valid while the reconstructions get better (the recipe's decoder stage).
    bool decoder_only = false;
    // Weight of the reconstruction error on the objects and the 2 pixels around them (1: none). The
    // objects are a few percent of a frame, and what they lose first is what is thin: a star's points
    // (the VAE kept 28 of 59 stars readable). Unlike the transformer's object weight (DitStageOptions),
    // this biases nothing: the decoder's input, the latent, already tells where the object is, so the
    // weight only decides which errors the decoder's capacity goes to. The 2-pixel rim counts the
    // background a blurred point spills into as well as the point.
    double object_weight = 1.0;
    int64_t checkpoint_every = 200;
    int64_t log_every = 10;
    // Every `psnr_every` steps (at a checkpoint), the EMA weights' PSNR on `psnr_clips` unseen full-size
    // clips, in <dir>/psnr.csv: the progress towards the target while the stage runs. 0: never.
    int64_t psnr_every = 1000;
    int psnr_clips = 4;
    uint64_t psnr_seed = 1;  // vaePsnr's seed: the recipe's, so these are the first clips of its final measure
    int64_t pool = 1'000'000;  // clip indices drawn from [0, pool) of the world stream
    // A warm start (weights carried in, recipe.h writeCarry): the step to start from when <dir> has no
    // checkpoint; the optimiser starts afresh and the learning rate warms up again from there.
    int64_t start_step = 0;
    double start_seconds = 0;  // and the compute time the carried weights took (Checkpoint::seconds)
};

struct VaeStageReport {
    int64_t step = 0;
    double loss = 0, l1 = 0, kl = 0;
    double psnr_db = 0;  // set on the steps the PSNR was measured (psnr_every), else 0
};

// The stage's reconstruction loss, L1 + L2 between `recon` and `video` ([B, 3, F, H, W]), with the
// error on `object_mask` ([B, 1, F, H, W], the objects' coverage) and the 2 pixels around it weighted
// `object_weight` times the rest; a weighted mean, so with weight 1 it is the plain mean.
at::Tensor reconstructionLoss(const at::Tensor& recon, const at::Tensor& video, const at::Tensor& object_mask,
                              double object_weight);

// Trains `vae` in place, resuming from <dir>/ckpt when present. `on_log` gets each logged step, and
// each PSNR measurement.
// Returns the stage's compute time in seconds (Checkpoint::seconds at its end).
double runVaeStage(engine::WanVAE& vae, const VaeStageOptions& options,
                 const std::function<void(const VaeStageReport&)>& on_log = {});

// Mean PSNR (dB, on [0, 255] frames) of reconstructions (encoder mean -> decoder) of `clips` clips from
// a stream the training never draws from, at the given size.
double vaePsnr(engine::WanVAE& vae, uint64_t seed, int clips, const WorldBatchOptions& size);

}  // namespace kinora::train
