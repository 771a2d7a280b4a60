#include "engine/frame_noise.h"

#include "engine/error.h"

#include <ATen/ATen.h>

#include <cmath>
#include <string>

namespace kinora::engine {

at::Tensor mixFrameNoise(const at::Tensor& own, double share, at::Generator& gen) {
    if (!(share >= 0 && share < 1)) throw EngineError("frame noise share " + std::to_string(share) + ": want 0 <= share < 1");
    if (own.dim() != 5) throw EngineError("frame noise: want [batch, channels, frames, height, width] noise, got " + std::to_string(own.dim()) + " dimensions");
    if (share == 0) return own;
    auto shape = own.sizes().vec();
    shape[2] = 1;
    const auto common = at::randn(shape, gen, own.scalar_type());
    return std::sqrt(1 - share) * own + std::sqrt(share) * common;
}

}  // namespace kinora::engine
