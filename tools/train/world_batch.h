// Training batches from the procedural world: clips as tensors, their captions, and where the objects
// are (for the loss weighting that keeps a small object from being drowned by the background).
#pragma once

#include "worldgen/world.h"

#include <ATen/ATen.h>

#include <string>
#include <vector>

namespace kinora::train {

struct WorldBatchOptions {
    int frames = 17;
    int width = 128;
    int height = 128;
    double chinese_share = 0.3;   // share of Chinese captions
    double two_object_share = 0.3;
    int version = 1;  // of the world (world::SamplingOptions::version)
};

// The world's sampling options for clips of these options (size, frames, two-object share, version).
world::SamplingOptions samplingOptionsOf(const WorldBatchOptions& options);

struct WorldBatch {
    at::Tensor video;        // [B, 3, F, H, W] float32 in [-1, 1]
    at::Tensor object_mask;  // [B, 1, F, H, W] float32 in [0, 1]: the objects' coverage
    std::vector<std::string> captions;
    std::vector<std::string> canonical;  // canonical English caption of each clip
};

// Clips base_seed/indices[i] of the world stream (world::clipSeed), each captioned with a random
// paraphrase chosen by (clip seed, caption_salt): the same clip gets different captions over training.
WorldBatch makeWorldBatch(uint64_t base_seed, const std::vector<int64_t>& indices, uint64_t caption_salt,
                          const WorldBatchOptions& options);

// Max-pools a [B, 1, F, H, W] mask to the latent grid [B, 1, T, h, w] of a causal VAE (first frame
// alone, then groups of `temporal` frames; `spatial` x `spatial` blocks).
at::Tensor maskToLatentGrid(const at::Tensor& mask, int temporal, int spatial);

}  // namespace kinora::train
