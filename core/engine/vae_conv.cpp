#include "engine/vae_conv.h"

#include <array>
#include <atomic>

namespace kinora::engine {
namespace {

std::atomic<VaeConvPath> g_path{VaeConvPath::Auto};

at::Tensor viaConv3d(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, int64_t front_zeros,
                     int64_t stride_t, int64_t pad_h, int64_t pad_w) {
    // The frames layout is ChannelsLast3d of [B, C, T, H, W]: no copy unless x is laid out otherwise.
    at::Tensor xi = x.permute({0, 2, 1, 3, 4}).contiguous(at::MemoryFormat::ChannelsLast3d);
    if (front_zeros > 0) {
        const at::Tensor zeros = at::zeros({xi.size(0), xi.size(1), front_zeros, xi.size(3), xi.size(4)},
                                           xi.options().memory_format(at::MemoryFormat::ChannelsLast3d));
        xi = at::cat({zeros, xi}, 2);
    }
    const at::Tensor y = at::conv3d(xi, weight, bias, {stride_t, 1, 1}, {0, pad_h, pad_w});
    return toFrameLayout(y.permute({0, 2, 1, 3, 4}));
}

at::Tensor viaFrames(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, int64_t front_zeros,
                     int64_t stride_t, int64_t pad_h, int64_t pad_w, int64_t out_frames) {
    const int64_t batch = x.size(0), kt = weight.size(2);
    // In inference the taps accumulate in place; with autograd every step stays out of place so the
    // graph never sees a tensor modified after it was saved.
    const bool in_place = !at::GradMode::is_enabled();
    at::Tensor out;
    // Taps from the last to the first: the last tap reads real frames for every output frame (the zero
    // frames are at most kt-1, checked by the caller), so it defines the output and carries the bias.
    for (int64_t k = kt - 1; k >= 0; --k) {
        // Output frame t reads virtual frame stride_t*t + k, i.e. real frame stride_t*t + k - front_zeros.
        int64_t first = 0;
        while (first < out_frames && stride_t * first + k - front_zeros < 0) ++first;
        const int64_t n = out_frames - first;
        if (n <= 0) continue;  // this tap only ever sees zero frames
        const int64_t r0 = stride_t * first + k - front_zeros;
        const at::Tensor frames = x.slice(1, r0, r0 + stride_t * (n - 1) + 1, stride_t);
        // Small inputs take LibTorch's native (NCHW) kernel: bring those back to the frames layout.
        const at::Tensor y2 = at::conv2d(foldFrames(frames), weight.select(2, k), out.defined() ? at::Tensor() : bias,
                                         1, {pad_h, pad_w})
                                  .contiguous(at::MemoryFormat::ChannelsLast);
        const at::Tensor y = y2.view({batch, n, y2.size(1), y2.size(2), y2.size(3)});
        if (!out.defined()) {
            TORCH_INTERNAL_ASSERT(first == 0);
            out = y;
        } else if (in_place) {
            out.narrow(1, first, n).add_(y);
        } else {
            out = out + (first == 0 ? y : at::constant_pad_nd(y, {0, 0, 0, 0, 0, 0, first, 0}));
        }
    }
    return out;
}

}  // namespace

at::Tensor toFrameLayout(const at::Tensor& x) {
    return x.permute({0, 1, 3, 4, 2}).contiguous().permute({0, 1, 4, 2, 3});
}

at::Tensor framesFromChannelMajor(const at::Tensor& x) {
    return x.permute({0, 2, 3, 4, 1}).contiguous().permute({0, 1, 4, 2, 3});
}

at::Tensor foldFrames(const at::Tensor& x) {
    // Reshaped in memory order so that a copy (batch > 1 with a slice of the frames) stays channels-last.
    const at::Tensor physical = x.permute({0, 1, 3, 4, 2});
    return physical.reshape({x.size(0) * x.size(1), x.size(3), x.size(4), x.size(2)}).permute({0, 3, 1, 2});
}

at::Tensor catFrames(at::TensorList parts) {
    std::vector<at::Tensor> physical;
    physical.reserve(parts.size());
    for (const auto& p : parts) physical.push_back(p.permute({0, 1, 3, 4, 2}));
    return at::cat(physical, 1).permute({0, 1, 4, 2, 3});
}

void setVaeConvPath(VaeConvPath path) { g_path.store(path); }
VaeConvPath vaeConvPath() { return g_path.load(); }

VaeConvPath chooseVaeConvPath(int64_t in_channels, int64_t out_channels, int64_t frames) {
    // Measured on the development VM (2 vCPUs, AMD EPYC with AVX-512, LibTorch 1.13.1) for 3x3x3 causal
    // convolutions of 16-384 channels, 1-4 output frames, 16x16 to 128x128, frames layout in and out
    // (docs/BENCHMARKS.md, "VAE convolution"): conv2d over the frames ran at 150-245 GFLOP/s on one
    // thread for 2-4 frames of 32x32 and up, and up to 480 on two; oneDNN's conv3d ran at
    // 12-130 below 64 channels and at 75-210 above, never more than 1% ahead of the frames path (a tie
    // within 10% at 128-384 channels with 2-4 frames). Skipping the taps that read the causal zero
    // padding is the frames path's alone. So every shape takes the frames path; Conv3d stays
    // selectable for comparisons on other machines.
    (void)in_channels;
    (void)out_channels;
    (void)frames;
    return VaeConvPath::FrameConv2d;
}

at::Tensor upsample2xConv3x3(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
    TORCH_CHECK(x.dim() == 4 && weight.dim() == 4 && weight.size(2) == 3 && weight.size(3) == 3 &&
                    x.size(1) == weight.size(1),
                "upsample2xConv3x3: x ", x.sizes(), " does not fit weight ", weight.sizes());
    const int64_t n = x.size(0), h = x.size(2), w = x.size(3), out = weight.size(0);
    // Output row 2i reads upsampled rows 2i-1, 2i, 2i+1 = source rows i-1, i, i: kernel rows
    // (w0, w1+w2) over source rows (i-1, i). Output row 2i+1 reads source rows i, i, i+1: kernel rows
    // (w0+w1, w2) over (i, i+1). Columns alike. Sums in float32 so bfloat16 weights lose nothing more.
    const at::Tensor wf = weight.to(at::kFloat);
    auto phases = [](const at::Tensor& k, int64_t dim) {
        const at::Tensor k0 = k.select(dim, 0), k1 = k.select(dim, 1), k2 = k.select(dim, 2);
        return std::array<at::Tensor, 2>{at::stack({k0, k1 + k2}, dim), at::stack({k0 + k1, k2}, dim)};
    };
    const auto rows = phases(wf, 2);
    // Zero border of one pixel: phase a reads padded rows a .. a+H (source rows a-1 .. a+H-1).
    const at::Tensor xp = at::constant_pad_nd(x, {1, 1, 1, 1}).contiguous(at::MemoryFormat::ChannelsLast);
    std::array<at::Tensor, 2> byRow;
    for (int64_t a = 0; a < 2; ++a) {
        const auto kernels = phases(rows[a], 3);
        std::array<at::Tensor, 2> byCol;
        for (int64_t b = 0; b < 2; ++b) {
            const at::Tensor k = kernels[b].to(weight.scalar_type()).contiguous(at::MemoryFormat::ChannelsLast);
            const at::Tensor y = at::conv2d(xp.narrow(2, a, h + 1).narrow(3, b, w + 1), k, bias);
            byCol[b] = y.permute({0, 2, 3, 1});  // [N, H, W, O]
        }
        byRow[a] = at::stack({byCol[0], byCol[1]}, 3);  // [N, H, W, 2, O]
    }
    // [N, H, 2, W, 2, O] -> [N, 2H, 2W, O] in memory, viewed as [N, O, 2H, 2W]
    return at::stack({byRow[0], byRow[1]}, 2).view({n, 2 * h, 2 * w, out}).permute({0, 3, 1, 2});
}

at::Tensor causalConv3dFrames(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                              int64_t front_zeros, int64_t stride_t, int64_t pad_h, int64_t pad_w, VaeConvPath path) {
    TORCH_CHECK(x.dim() == 5 && weight.dim() == 5 && x.size(2) == weight.size(1),
                "causalConv3dFrames: x ", x.sizes(), " does not fit weight ", weight.sizes());
    const int64_t kt = weight.size(2);
    TORCH_CHECK(front_zeros >= 0 && front_zeros < kt && stride_t >= 1,
                "causalConv3dFrames: ", front_zeros, " zero frames for ", kt, " taps");
    const int64_t frames = front_zeros + x.size(1);
    TORCH_CHECK(frames >= kt, "causalConv3dFrames: ", frames, " frames for a kernel of ", kt);
    const int64_t out_frames = (frames - kt) / stride_t + 1;
    if (path == VaeConvPath::Auto) path = vaeConvPath();
    if (path == VaeConvPath::Auto) path = chooseVaeConvPath(weight.size(1), weight.size(0), out_frames);
    if (path == VaeConvPath::Conv3d) return viaConv3d(x, weight, bias, front_zeros, stride_t, pad_h, pad_w);
    return viaFrames(x, weight, bias, front_zeros, stride_t, pad_h, pad_w, out_frames);
}

}  // namespace kinora::engine
