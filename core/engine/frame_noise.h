#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

namespace kinora::engine {

// Gaussian noise whose latent frames have a part in common: sqrt(1 - share) * own + sqrt(share) * common,
// where `common` is one frame drawn from `gen` (after `own` was) and broadcast over the frame axis (dim 2
// of [batch, channels, frames, height, width]). Every element keeps unit variance; any two frames
// correlate by `share`. Why: a small video model commits to where an object is from the noise, frame
// by frame; noise that frames share lets them commit together (the "mixed noise" prior of PYoCo, Ge et
// al. 2023). The pipeline's initial latents and the trainer's noise both come from here, so that a model
// samples from the prior it was trained on. share = 0 returns `own` and draws nothing (Wan2.1's noise).
at::Tensor mixFrameNoise(const at::Tensor& own, double share, at::Generator& gen);

}  // namespace kinora::engine
