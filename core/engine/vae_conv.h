// The Wan VAE's activation layout and its causal 3D convolution.
//
// Activations are frames-major, [B, T, C, H, W], stored channels-last: memory order [B, T, H, W, C]
// (the reference's [B, C, T, H, W] in ChannelsLast3d). Every per-frame operation (spatial
// resampling, attention, the convolution below) then sees [B*T, C, H, W] as a free channels-last
// view, which oneDNN convolves without the reorders an NCHW tensor costs (1.2-2.4x faster on the
// VAE's shapes), and the channel norm reduces over the innermost dimension. A causal convolution
// with k temporal taps is computed either by oneDNN's conv3d or as one conv2d per temporal tap over
// the frames folded into the batch, summed: at 16-32 channels and the 1-6 frames a cached chunk
// carries, conv3d runs several times slower than the conv2d form (docs/BENCHMARKS.md, "VAE").
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace kinora::engine {

// x [B, T, C, H, W] in the frames layout (no copy when it already is).
at::Tensor toFrameLayout(const at::Tensor& x);
// The reference layout [B, C, T, H, W] -> frames layout.
at::Tensor framesFromChannelMajor(const at::Tensor& x);
// [B, T, C, H, W] -> [B*T, C, H, W] channels-last; a view for batch 1 or whole clips.
at::Tensor foldFrames(const at::Tensor& x);
// Concatenation along T that keeps the frames layout (at::cat would return a plain contiguous tensor).
at::Tensor catFrames(at::TensorList parts);

enum class VaeConvPath {
    Auto,         // the measured rule of chooseVaeConvPath
    Conv3d,       // at::conv3d on the channel-major [B, C, T, H, W] copy of the input
    FrameConv2d,  // one at::conv2d per temporal tap, frames folded into the batch
};

// Process-wide override of the path, for benchmarks and tests; Auto (the default) applies the rule.
void setVaeConvPath(VaeConvPath path);
VaeConvPath vaeConvPath();

// The path Auto picks for a convolution with these channel counts and `frames` output frames.
VaeConvPath chooseVaeConvPath(int64_t in_channels, int64_t out_channels, int64_t frames);

// y[t] = bias + sum_k weight[:, :, k] * v[stride_t * t + k] where v is `front_zeros` zero frames
// followed by the frames of `x`; spatial zero padding (pad_h, pad_w), spatial stride 1.
// x: [B, T, C, H, W]; weight: [O, C, kt, kh, kw]; bias: [O] or undefined. Returns [B, T', O, H', W']
// in the frames layout.
// Zero frames are never materialised: taps that would read them are skipped.
at::Tensor causalConv3dFrames(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                              int64_t front_zeros, int64_t stride_t, int64_t pad_h, int64_t pad_w,
                              VaeConvPath path = VaeConvPath::Auto);

// conv2d(upsample_nearest2d(x, 2x), weight, bias, padding 1) for a 3x3 `weight` [O, C, 3, 3], computed
// on the low-resolution x [N, C, H, W] as one 2x2 convolution per output phase (row and column
// parity) with the taps that read the same source pixel summed: 16 multiply-adds per output pixel
// and input channel instead of 36. Returns [N, O, 2H, 2W] channels-last.
at::Tensor upsample2xConv3x3(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace kinora::engine
