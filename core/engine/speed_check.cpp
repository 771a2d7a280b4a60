#include "engine/speed_check.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>

namespace kinora::engine {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs `op` once as a warm-up, then repeatedly until the budget is spent (at least once more);
// returns the best time of one run and fills repetitions/seconds.
double bestTime(const std::function<void()>& op, double budget, SpeedResult& result) {
    const auto start = Clock::now();
    op();  // warm-up: first-touch allocations, oneDNN primitive creation, thread start
    double best = 1e30;
    int reps = 0;
    do {
        const auto t = Clock::now();
        op();
        best = std::min(best, secondsSince(t));
        ++reps;
    } while (secondsSince(start) < budget && reps < 1000);
    result.repetitions = reps;
    result.seconds = secondsSince(start);
    return best;
}

}  // namespace

SpeedResult measureMatmul(double budget_seconds, int64_t n) {
    at::InferenceMode guard;
    SpeedResult result;
    result.operation = "matmul";
    result.shape = std::to_string(n) + "x" + std::to_string(n) + " float32";
    const auto a = at::randn({n, n});
    const auto b = at::randn({n, n});
    at::Tensor c;
    const double best = bestTime([&] { c = at::mm(a, b); }, budget_seconds, result);
    result.gflops = 2.0 * static_cast<double>(n) * n * n / best / 1e9;

    // (A B) x == A (B x): the right side uses only matrix-vector products, so a BLAS that returns
    // garbage for large products fails this. Tolerance relative to the size of the values.
    const auto x = at::randn({n, 1});
    const auto lhs = at::mm(c, x);
    const auto rhs = at::mm(a, at::mm(b, x));
    const double err = (lhs - rhs).abs().max().item<double>();
    const double scale = rhs.abs().max().item<double>();
    result.verified = std::isfinite(err) && err <= 1e-3 * std::max(scale, 1.0);
    return result;
}

SpeedResult measureConv3d(double budget_seconds) {
    at::InferenceMode guard;
    const int64_t ch = 32, frames = 5, size = 64;
    SpeedResult result;
    result.operation = "conv3d";
    result.shape = "3x3x3, 32->32 channels, 5x64x64 float32";
    const auto input = at::randn({1, ch, frames, size, size});
    const auto weight = at::randn({ch, ch, 3, 3, 3}) * 0.05;
    const auto bias = at::zeros({ch});
    at::Tensor out;
    const double best = bestTime([&] { out = at::conv3d(input, weight, bias, 1, 1); },
                                 budget_seconds, result);
    // Multiply-adds of the output volume (same padding): out_elements * in_ch * 27.
    const double flops = 2.0 * ch * frames * size * size * ch * 27.0;
    result.gflops = flops / best / 1e9;

    // Independent check: the same convolution as a sum over the three temporal taps of conv2d.
    const auto padded = at::constant_pad_nd(input, {0, 0, 0, 0, 1, 1});
    at::Tensor reference = at::zeros_like(out);
    for (int64_t k = 0; k < 3; ++k) {
        // frames f+k-1 for every output frame f, folded into the batch dimension
        const auto slab = padded.narrow(2, k, frames).transpose(1, 2).reshape({frames, ch, size, size});
        const auto w2 = weight.select(2, k);
        const auto y = at::conv2d(slab, w2, {}, 1, 1);
        reference += y.reshape({1, frames, ch, size, size}).transpose(1, 2);
    }
    const double err = (out - reference).abs().max().item<double>();
    result.verified = std::isfinite(err) && err <= 1e-3;
    return result;
}

}  // namespace kinora::engine
