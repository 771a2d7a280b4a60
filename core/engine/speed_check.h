// Short measurements of the two operations that dominate Kinora's run time: matrix products (the
// transformer) and 3D convolutions (the VAE). Used by `kinora doctor` to catch a slow BLAS.
#pragma once

#include <cstdint>
#include <string>

namespace kinora::engine {

struct SpeedResult {
    std::string operation;  // "matmul" or "conv3d"
    std::string shape;      // human-readable problem shape
    double gflops = 0.0;    // best of the timed repetitions
    double seconds = 0.0;   // total time spent measuring
    int repetitions = 0;
    bool verified = false;  // the result was checked against an independent computation
};

// Below this a matrix product is too slow for Kinora; usually the reference BLAS is in use.
constexpr double kSlowMatmulGflops = 50.0;

// float32 n x n matrix product, timed for about `budget_seconds` (at least two repetitions, the first
// a warm-up). The product is checked against an associativity identity so a broken BLAS is caught.
SpeedResult measureMatmul(double budget_seconds = 0.5, int64_t n = 1024);

// float32 3x3x3 convolution, 32 -> 32 channels, 5 frames of 64x64 with batch 1: the shape of the
// small VAE's cached decode chunks. Checked against the same convolution as conv2d over frames.
SpeedResult measureConv3d(double budget_seconds = 0.3);

}  // namespace kinora::engine
