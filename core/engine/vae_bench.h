// Timing of the VAE decoder on random weights, for `kinora bench` (no LibTorch in this header).
#pragma once

#include <string>

namespace kinora::engine {

// Which implementation the causal convolutions use during the benchmark (see vae_conv.h).
enum class VaeBenchConv { Auto, Conv3d, FrameConv2d };

struct VaeBenchResult {
    int base_dim = 0, frames = 0, height = 0, width = 0, repeats = 0;
    int threads = 0;             // LibTorch intra-op threads during the run (the caller sets them)
    std::string conv;            // "auto", "conv3d" or "conv2d-frames"
    double seconds = 0;          // best decode time of `repeats` runs after a warm-up run
    double mean_seconds = 0;     // mean of the timed runs
    double gflop = 0;            // the work of one decode: convolutions (as the reference computes them,
                                 // zero-padded taps included) plus the attention products
    double gflops = 0;           // gflop / seconds
};

// Decodes a clip of `frames` frames (4k+1) of width x height (multiples of 8) with a VAE of Wan2.1's
// structure as in the tiny reference model (dim_mult [1,2,2,2], one residual block per level,
// temporal upsampling in the two first up blocks, z_dim 16) scaled to `base_dim`, with random
// weights, float32. Throws EngineError for bad arguments.
VaeBenchResult benchVaeDecode(int base_dim, int frames, int height, int width, int repeats,
                              VaeBenchConv conv = VaeBenchConv::Auto);

}  // namespace kinora::engine
