#include "engine/vae.h"

#include "engine/config_json.h"
#include "engine/error.h"
#include "engine/nn.h"
#include "engine/safetensors.h"
#include "engine/vae_conv.h"
#include "engine/weights.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

namespace kinora::engine {

// ---------------------------------------------------------------------------------------------------
// Config

VaeConfig VaeConfig::fromFile(const std::string& path) {
    const auto r = ConfigReader::fromFile(path);
    const auto cls = r.string("_class_name");
    if (cls != "AutoencoderKLWan") r.fail("_class_name", "is '" + cls + "', expected 'AutoencoderKLWan'");
    // Wan2.2's VAE (residual blocks, patchified input) is a different network with the same class name.
    if (r.booleanOr("is_residual", false)) {
        r.fail("is_residual", "is true: the Wan2.2 residual VAE is not supported (only Wan2.1's)");
    }
    if (r.has("patch_size")) {
        r.fail("patch_size", "is set: the patchified Wan2.2 VAE is not supported (only Wan2.1's, patch_size null)");
    }
    if (r.has("attn_scales") && !r.numbers("attn_scales").empty()) {
        // The reference cannot run attention inside the down blocks either (it passes the cache to a
        // block that takes none); every released Wan2.1 VAE has none.
        r.fail("attn_scales", "must be empty (attention only in the middle blocks, as in Wan2.1)");
    }
    const double dropout = r.numberOr("dropout", 0.0);
    if (dropout < 0.0 || dropout >= 1.0) r.fail("dropout", "must be in [0, 1)");

    VaeConfig c;
    c.source = path;
    c.base_dim = r.integer("base_dim", 1, 1 << 16);
    c.decoder_base_dim = r.has("decoder_base_dim") ? r.integer("decoder_base_dim", 1, 1 << 16) : c.base_dim;
    c.z_dim = r.integer("z_dim", 1, 1 << 12);
    c.dim_mult = r.integers("dim_mult", 1, 64);
    c.num_res_blocks = r.integer("num_res_blocks", 1, 64);
    c.temperal_downsample = r.booleans("temperal_downsample");
    c.in_channels = r.integerOr("in_channels", 3, 1, 64);
    c.out_channels = r.integerOr("out_channels", 3, 1, 64);
    c.latents_mean = r.numbers("latents_mean");
    c.latents_std = r.numbers("latents_std");
    c.validate();

    // Informational keys, but a model that states other factors than its structure gives is broken.
    if (r.has("scale_factor_spatial") && r.integer("scale_factor_spatial", 1, 1 << 20) != c.spatialFactor()) {
        r.fail("scale_factor_spatial", "is not " + std::to_string(c.spatialFactor()) + " (2^(len(dim_mult)-1))");
    }
    if (r.has("scale_factor_temporal") && r.integer("scale_factor_temporal", 1, 1 << 20) != c.temporalFactor()) {
        r.fail("scale_factor_temporal", "is not " + std::to_string(c.temporalFactor()) + " (2^(temporal downsamples))");
    }
    return c;
}

void VaeConfig::validate() const {
    const ConfigReader r(source.empty() ? std::string("VAE config") : source, nlohmann::json::object());
    if (base_dim < 1) r.fail("base_dim", "must be at least 1");
    if (decoder_base_dim < 1) r.fail("decoder_base_dim", "must be at least 1");
    if (z_dim < 1) r.fail("z_dim", "must be at least 1");
    if (num_res_blocks < 1) r.fail("num_res_blocks", "must be at least 1");
    if (in_channels < 1) r.fail("in_channels", "must be at least 1");
    if (out_channels < 1) r.fail("out_channels", "must be at least 1");
    if (dim_mult.empty()) r.fail("dim_mult", "must not be empty");
    if (dim_mult.size() > 8) r.fail("dim_mult", "has more than 8 levels");
    for (auto m : dim_mult) {
        if (m < 1) r.fail("dim_mult", "must hold positive multipliers");
    }
    if (temperal_downsample.size() + 1 != dim_mult.size()) {
        r.fail("temperal_downsample", "has " + std::to_string(temperal_downsample.size()) +
                                          " values; expected len(dim_mult)-1 = " + std::to_string(dim_mult.size() - 1));
    }
    // The decoder's up blocks after the first take half the channels of the previous level (Wan2.1's
    // upsampler halves them), so each level's width must be even except the first one's.
    for (size_t i = 0; i + 1 < dim_mult.size(); ++i) {
        if ((decoder_base_dim * dim_mult[dim_mult.size() - 1 - i]) % 2 != 0) {
            r.fail("decoder_base_dim", "times dim_mult must be even (the upsamplers halve the channels)");
        }
    }
    if (static_cast<int64_t>(latents_mean.size()) != z_dim) {
        r.fail("latents_mean", "has " + std::to_string(latents_mean.size()) + " values; expected z_dim = " +
                                   std::to_string(z_dim));
    }
    if (static_cast<int64_t>(latents_std.size()) != z_dim) {
        r.fail("latents_std", "has " + std::to_string(latents_std.size()) + " values; expected z_dim = " +
                                  std::to_string(z_dim));
    }
    for (double s : latents_std) {
        if (!(s > 0.0) || !std::isfinite(s)) r.fail("latents_std", "must hold positive finite values");
    }
    for (double m : latents_mean) {
        if (!std::isfinite(m)) r.fail("latents_mean", "must hold finite values");
    }
}

int64_t VaeConfig::spatialFactor() const { return int64_t{1} << (dim_mult.size() - 1); }

int64_t VaeConfig::temporalFactor() const {
    return int64_t{1} << std::count(temperal_downsample.begin(), temperal_downsample.end(), true);
}

// ---------------------------------------------------------------------------------------------------
// Building blocks. Activations are frames-major, [B, T, C, H, W], stored channels-last (the frames
// layout of vae_conv.h): channels sit at dim -3 as in the per-frame [B*T, C, H, W] view, so norms and
// 2D layers serve both without copies.

namespace {

constexpr int64_t kCacheFrames = 2;  // frames of history a causal 3-tap convolution needs

bool inference() { return !at::GradMode::is_enabled(); }

// [B, T, C, H, W] <-> [B*T, C, H, W], both in the frames layout (vae_conv.h)
at::Tensor fold(const at::Tensor& x) { return foldFrames(x); }
at::Tensor unfold(const at::Tensor& y, int64_t batch) {
    return toFrameLayout(y.contiguous(at::MemoryFormat::ChannelsLast)
                             .view({batch, y.size(0) / batch, y.size(1), y.size(2), y.size(3)}));
}

// SiLU of a freshly computed tensor: in place when no graph is recorded.
at::Tensor siluFresh(at::Tensor x) { return inference() ? at::silu_(x) : at::silu(x); }

// a + b where `a` is a freshly computed tensor.
at::Tensor addFresh(at::Tensor a, const at::Tensor& b) { return inference() ? a.add_(b) : a + b; }

}  // namespace

// The per-chunk state of every cached layer, in call order (the reference's feat_cache/feat_idx).
struct FeatureCache {
    struct Slot {
        at::Tensor frames;  // the last input frames (undefined: no chunk seen yet)
        bool rep = false;   // the upsampler's first-chunk marker ("Rep" in the reference)
    };
    std::vector<Slot> slots;
    size_t next = 0;

    void startChunk() { next = 0; }
    Slot& take() {
        if (next == slots.size()) slots.emplace_back();
        return slots[next++];
    }
};

// Causal 3D convolution: time padding 2*p only at the start, or the cached frames in its place.
class CausalConv3d : public torch::nn::Module {
public:
    CausalConv3d(int64_t in, int64_t out, std::array<int64_t, 3> kernel, std::array<int64_t, 3> padding,
                 int64_t stride_t = 1)
        : time_pad_(2 * padding[0]), pad_h_(padding[1]), pad_w_(padding[2]), stride_t_(stride_t) {
        weight = emptyParameter(*this, "weight", {out, in, kernel[0], kernel[1], kernel[2]});
        bias = emptyParameter(*this, "bias", {out});
    }

    // x [B, T, C, H, W]; `cache`: the frames before x, or undefined at the start of the clip.
    at::Tensor forward(const at::Tensor& x, const at::Tensor& cache = {}) const {
        if (time_pad_ > 0 && cache.defined()) {
            const int64_t zeros = time_pad_ - cache.size(1);
            return causalConv3dFrames(catFrames({cache, x}), weight, bias, zeros, stride_t_, pad_h_, pad_w_);
        }
        return causalConv3dFrames(x, weight, bias, time_pad_, stride_t_, pad_h_, pad_w_);
    }

    at::Tensor weight, bias;

private:
    int64_t time_pad_, pad_h_, pad_w_, stride_t_;
};

namespace {

// The last `n` frames of x as a copy of their own, so the cache never pins a whole activation.
at::Tensor lastFrames(const at::Tensor& x, int64_t n) {
    n = std::min(n, x.size(1));
    return x.narrow(1, x.size(1) - n, n).clone();
}

// One cached causal convolution step: convolve with the previous chunk's frames, then remember the
// last two input frames (with the previous chunk's last one when this chunk has a single frame).
at::Tensor cachedConv(const CausalConv3d& conv, const at::Tensor& x, FeatureCache& cache) {
    auto& slot = cache.take();
    at::Tensor keep = lastFrames(x, kCacheFrames);
    if (keep.size(1) < kCacheFrames && slot.frames.defined()) {
        keep = catFrames({slot.frames.narrow(1, slot.frames.size(1) - 1, 1), keep});
    }
    at::Tensor y = conv.forward(x, slot.frames);
    slot.frames = keep;
    return y;
}

}  // namespace

// 2D convolution applied per frame (Diffusers nn.Conv2d inside the resamplers and attention).
class Conv2dLayer : public torch::nn::Module {
public:
    Conv2dLayer(int64_t in, int64_t out, int64_t kernel) {
        weight = emptyParameter(*this, "weight", {out, in, kernel, kernel});
        bias = emptyParameter(*this, "bias", {out});
    }
    at::Tensor forward(const at::Tensor& x, int64_t stride = 1, int64_t padding = 0) const {
        // channels-last in and out (vae_conv.h); LibTorch's native kernel for small inputs returns NCHW
        return at::conv2d(x, weight, bias, stride, padding).contiguous(at::MemoryFormat::ChannelsLast);
    }
    at::Tensor weight, bias;
};

// L2 normalisation over channels (dim -3) times sqrt(channels) times gamma (WanRMS_norm, no bias).
class WanRmsNorm : public torch::nn::Module {
public:
    WanRmsNorm(int64_t channels, bool images) : channels_(channels), scale_(std::sqrt(static_cast<double>(channels))) {
        if (images) {
            gamma = emptyParameter(*this, "gamma", {channels, 1, 1});
        } else {
            gamma = emptyParameter(*this, "gamma", {channels, 1, 1, 1});
        }
    }
    at::Tensor forward(const at::Tensor& x) const {
        // F.normalize: x / max(||x||_2, 1e-12). The sum of squares is spelled out because LibTorch
        // 1.13's linalg_vector_norm over a non-innermost dim is 10-50x slower than square + sum
        // (it took half the decoder's time); reduced-precision input is summed in float32.
        const at::Tensor xf = x.scalar_type() == at::kFloat || x.scalar_type() == at::kDouble ? x : x.to(at::kFloat);
        const at::Tensor inv = xf.square().sum({-3}, /*keepdim=*/true).clamp_min(1e-24).rsqrt().to(x.scalar_type());
        const at::Tensor g = gamma.view({channels_, 1, 1}) * scale_;
        at::Tensor y = x * inv;
        return inference() ? y.mul_(g) : y * g;
    }
    at::Tensor gamma;

private:
    int64_t channels_;
    double scale_;
};

// A block of the encoder's flat down_blocks list: residual block or resampler.
class CachedBlock : public torch::nn::Module {
public:
    virtual at::Tensor forward(const at::Tensor& x, FeatureCache& cache) const = 0;
};

class WanResidualBlock : public CachedBlock {
public:
    WanResidualBlock(int64_t in, int64_t out) {
        norm1 = register_module("norm1", std::make_shared<WanRmsNorm>(in, false));
        conv1 = register_module("conv1", std::make_shared<CausalConv3d>(in, out, std::array<int64_t, 3>{3, 3, 3},
                                                                        std::array<int64_t, 3>{1, 1, 1}));
        norm2 = register_module("norm2", std::make_shared<WanRmsNorm>(out, false));
        conv2 = register_module("conv2", std::make_shared<CausalConv3d>(out, out, std::array<int64_t, 3>{3, 3, 3},
                                                                        std::array<int64_t, 3>{1, 1, 1}));
        if (in != out) {
            conv_shortcut = register_module(
                "conv_shortcut", std::make_shared<CausalConv3d>(in, out, std::array<int64_t, 3>{1, 1, 1},
                                                                std::array<int64_t, 3>{0, 0, 0}));
        }
    }
    at::Tensor forward(const at::Tensor& x, FeatureCache& cache) const override {
        const at::Tensor h = conv_shortcut ? conv_shortcut->forward(x) : x;
        at::Tensor y = cachedConv(*conv1, siluFresh(norm1->forward(x)), cache);
        // (dropout: identity; Wan2.1 is configured with 0 and this engine does not train with it)
        y = cachedConv(*conv2, siluFresh(norm2->forward(y)), cache);
        return addFresh(y, h);
    }
    std::shared_ptr<WanRmsNorm> norm1, norm2;
    std::shared_ptr<CausalConv3d> conv1, conv2, conv_shortcut;
};

// Single-head self-attention within each frame.
class WanAttentionBlock : public torch::nn::Module {
public:
    explicit WanAttentionBlock(int64_t dim) : dim_(dim) {
        norm = register_module("norm", std::make_shared<WanRmsNorm>(dim, true));
        to_qkv = register_module("to_qkv", std::make_shared<Conv2dLayer>(dim, 3 * dim, 1));
        proj = register_module("proj", std::make_shared<Conv2dLayer>(dim, dim, 1));
    }
    at::Tensor forward(const at::Tensor& x) const {
        const int64_t batch = x.size(0), h = x.size(3), w = x.size(4);
        const at::Tensor frames = fold(x);
        const int64_t n = frames.size(0), tokens = h * w;
        // [N, 3C, H, W] -> [N, HW, 3C]; q, k, v are consecutive channel thirds
        const at::Tensor qkv = to_qkv->forward(norm->forward(frames)).view({n, 3 * dim_, tokens}).transpose(1, 2);
        const at::Tensor q = qkv.narrow(2, 0, dim_), k = qkv.narrow(2, dim_, dim_), v = qkv.narrow(2, 2 * dim_, dim_);
        const at::Tensor kt = k.transpose(1, 2).contiguous();
        const double scale = 1.0 / std::sqrt(static_cast<double>(dim_));
        // Queries in blocks so the score matrix stays under ~32 MiB at large latents (a 720p frame has
        // 14400 tokens: a full score matrix would be 830 MB). Softmax is per query row, so this is exact.
        const int64_t rows = std::max<int64_t>(1, (int64_t{8} << 20) / std::max<int64_t>(tokens, 1));
        std::vector<at::Tensor> parts;
        for (int64_t r0 = 0; r0 < tokens; r0 += rows) {
            const int64_t nr = std::min(rows, tokens - r0);
            const at::Tensor scores = at::bmm(q.narrow(1, r0, nr), kt).mul_(scale).softmax(-1);
            parts.push_back(at::bmm(scores, v));
        }
        const at::Tensor attn = parts.size() == 1 ? parts[0] : at::cat(parts, 1);  // [N, HW, C]
        const at::Tensor y = proj->forward(attn.transpose(1, 2).reshape({n, dim_, h, w}));
        return addFresh(unfold(y, batch), x);
    }
    std::shared_ptr<WanRmsNorm> norm;
    std::shared_ptr<Conv2dLayer> to_qkv, proj;

private:
    int64_t dim_;
};

class WanMidBlock : public torch::nn::Module {
public:
    explicit WanMidBlock(int64_t dim) {
        attentions = register_module("attentions", std::make_shared<ModuleList<WanAttentionBlock>>());
        resnets = register_module("resnets", std::make_shared<ModuleList<WanResidualBlock>>());
        resnets->add(std::make_shared<WanResidualBlock>(dim, dim));
        attentions->add(std::make_shared<WanAttentionBlock>(dim));
        resnets->add(std::make_shared<WanResidualBlock>(dim, dim));
    }
    at::Tensor forward(at::Tensor x, FeatureCache& cache) const {
        x = resnets->items[0]->forward(x, cache);
        for (size_t i = 0; i < attentions->items.size(); ++i) {
            x = attentions->items[i]->forward(x);
            x = resnets->items[i + 1]->forward(x, cache);
        }
        return x;
    }
    std::shared_ptr<ModuleList<WanAttentionBlock>> attentions;
    std::shared_ptr<ModuleList<WanResidualBlock>> resnets;
};

// Spatial (and temporal) resampling (WanResample).
class WanResample : public CachedBlock {
public:
    enum class Mode { Upsample2d, Upsample3d, Downsample2d, Downsample3d };

    WanResample(int64_t dim, Mode mode, int64_t upsample_out_dim) : mode_(mode) {
        const bool up = mode == Mode::Upsample2d || mode == Mode::Upsample3d;
        // Named as Diffusers' nn.Sequential: index 0 is the parameter-free upsample or zero-pad.
        auto seq = register_module("resample", std::make_shared<torch::nn::Module>());
        conv = seq->register_module("1", std::make_shared<Conv2dLayer>(dim, up ? upsample_out_dim : dim, 3));
        if (mode == Mode::Upsample3d) {
            time_conv = register_module("time_conv", std::make_shared<CausalConv3d>(dim, 2 * dim, std::array<int64_t, 3>{3, 1, 1},
                                                                                  std::array<int64_t, 3>{1, 0, 0}));
        } else if (mode == Mode::Downsample3d) {
            time_conv = register_module("time_conv", std::make_shared<CausalConv3d>(dim, dim, std::array<int64_t, 3>{3, 1, 1},
                                                                                  std::array<int64_t, 3>{0, 0, 0}, 2));
        }
    }

    at::Tensor forward(const at::Tensor& input, FeatureCache& cache) const override {
        at::Tensor x = input;
        const int64_t batch = x.size(0);
        if (mode_ == Mode::Upsample3d) x = doubleFrames(x, cache.take());
        at::Tensor frames = fold(x);
        if (mode_ == Mode::Upsample2d || mode_ == Mode::Upsample3d) {
            // nearest-exact and nearest agree for an integer factor of 2; the upsampling and the 3x3
            // convolution are computed together at the low resolution (vae_conv.h)
            frames = upsample2xConv3x3(frames, conv->weight, conv->bias);
        } else {
            frames = conv->forward(at::constant_pad_nd(frames, {0, 1, 0, 1}).contiguous(at::MemoryFormat::ChannelsLast), 2, 0);
        }
        x = unfold(frames, batch);
        if (mode_ == Mode::Downsample3d) x = halveFrames(x, cache.take());
        return x;
    }

    std::shared_ptr<Conv2dLayer> conv;
    std::shared_ptr<CausalConv3d> time_conv;

private:
    // time_conv makes two output frames of every frame (channel halves, interleaved in time). The very
    // first chunk of a clip (one frame) passes unchanged; the next one convolves against zeros.
    at::Tensor doubleFrames(const at::Tensor& x, FeatureCache::Slot& slot) const {
        if (!slot.frames.defined() && !slot.rep) {
            slot.rep = true;
            return x;
        }
        at::Tensor keep = lastFrames(x, kCacheFrames);
        if (keep.size(1) < kCacheFrames) {
            const at::Tensor before = slot.rep ? at::zeros_like(keep) : slot.frames.narrow(1, slot.frames.size(1) - 1, 1);
            keep = catFrames({before, keep});
        }
        const at::Tensor y = slot.rep ? time_conv->forward(x) : time_conv->forward(x, slot.frames);
        slot.frames = keep;
        slot.rep = false;
        // [B, T, 2C, H, W] -> [B, 2T, C, H, W]: frame 2t is the first channel half of t, 2t+1 the second.
        // In memory order: [B, T, H, W, 2, C] -> [B, T, 2, H, W, C].
        const int64_t b = y.size(0), t = y.size(1), c = y.size(2) / 2, h = y.size(3), w = y.size(4);
        return y.permute({0, 1, 3, 4, 2})
            .reshape({b, t, h, w, 2, c})
            .permute({0, 1, 4, 2, 3, 5})
            .reshape({b, 2 * t, h, w, c})
            .permute({0, 1, 4, 2, 3});
    }

    // Temporal stride 2 over the previous chunk's last frame and this chunk; the first chunk (one
    // frame) passes unchanged.
    at::Tensor halveFrames(const at::Tensor& x, FeatureCache::Slot& slot) const {
        const at::Tensor keep = lastFrames(x, 1);
        if (!slot.frames.defined()) {
            slot.frames = keep;
            return x;
        }
        const at::Tensor y = time_conv->forward(catFrames({slot.frames, x}));
        slot.frames = keep;
        return y;
    }

    Mode mode_;
};

class WanEncoder3d : public torch::nn::Module {
public:
    explicit WanEncoder3d(const VaeConfig& c) {
        const int64_t z2 = 2 * c.z_dim;
        std::vector<int64_t> dims{c.base_dim};
        for (auto m : c.dim_mult) dims.push_back(c.base_dim * m);
        conv_in = register_module("conv_in", std::make_shared<CausalConv3d>(c.in_channels, dims[0], std::array<int64_t, 3>{3, 3, 3},
                                                                            std::array<int64_t, 3>{1, 1, 1}));
        down_blocks = register_module("down_blocks", std::make_shared<ModuleList<CachedBlock>>());
        for (size_t i = 0; i + 1 < dims.size(); ++i) {
            int64_t in = dims[i];
            const int64_t out = dims[i + 1];
            for (int64_t r = 0; r < c.num_res_blocks; ++r) {
                down_blocks->add(std::make_shared<WanResidualBlock>(in, out));
                in = out;
            }
            if (i + 1 != c.dim_mult.size()) {
                const auto mode = c.temperal_downsample[i] ? WanResample::Mode::Downsample3d : WanResample::Mode::Downsample2d;
                down_blocks->add(std::make_shared<WanResample>(out, mode, 0));
            }
        }
        const int64_t top = dims.back();
        mid_block = register_module("mid_block", std::make_shared<WanMidBlock>(top));
        norm_out = register_module("norm_out", std::make_shared<WanRmsNorm>(top, false));
        conv_out = register_module("conv_out", std::make_shared<CausalConv3d>(top, z2, std::array<int64_t, 3>{3, 3, 3},
                                                                              std::array<int64_t, 3>{1, 1, 1}));
    }
    at::Tensor forward(at::Tensor x, FeatureCache& cache) const {
        x = cachedConv(*conv_in, x, cache);
        for (const auto& block : down_blocks->items) x = block->forward(x, cache);
        x = mid_block->forward(x, cache);
        return cachedConv(*conv_out, siluFresh(norm_out->forward(x)), cache);
    }
    std::shared_ptr<CausalConv3d> conv_in, conv_out;
    std::shared_ptr<ModuleList<CachedBlock>> down_blocks;
    std::shared_ptr<WanMidBlock> mid_block;
    std::shared_ptr<WanRmsNorm> norm_out;
};

class WanUpBlock : public torch::nn::Module {
public:
    WanUpBlock(int64_t in, int64_t out, int64_t num_res_blocks, std::optional<WanResample::Mode> mode) {
        resnets = register_module("resnets", std::make_shared<ModuleList<WanResidualBlock>>());
        for (int64_t r = 0; r < num_res_blocks + 1; ++r) {
            resnets->add(std::make_shared<WanResidualBlock>(in, out));
            in = out;
        }
        if (mode) {
            upsamplers = register_module("upsamplers", std::make_shared<ModuleList<WanResample>>());
            upsamplers->add(std::make_shared<WanResample>(out, *mode, out / 2));
        }
    }
    at::Tensor forward(at::Tensor x, FeatureCache& cache) const {
        for (const auto& r : resnets->items) x = r->forward(x, cache);
        if (upsamplers) x = upsamplers->items[0]->forward(x, cache);
        return x;
    }
    std::shared_ptr<ModuleList<WanResidualBlock>> resnets;
    std::shared_ptr<ModuleList<WanResample>> upsamplers;
};

class WanDecoder3d : public torch::nn::Module {
public:
    explicit WanDecoder3d(const VaeConfig& c) {
        const int64_t d = c.decoder_base_dim;
        const size_t levels = c.dim_mult.size();
        std::vector<int64_t> dims{d * c.dim_mult.back()};
        for (size_t i = levels; i-- > 0;) dims.push_back(d * c.dim_mult[i]);
        conv_in = register_module("conv_in", std::make_shared<CausalConv3d>(c.z_dim, dims[0], std::array<int64_t, 3>{3, 3, 3},
                                                                            std::array<int64_t, 3>{1, 1, 1}));
        mid_block = register_module("mid_block", std::make_shared<WanMidBlock>(dims[0]));
        up_blocks = register_module("up_blocks", std::make_shared<ModuleList<WanUpBlock>>());
        for (size_t i = 0; i < levels; ++i) {
            // After the first level the input comes from an upsampler that halved the channels.
            const int64_t in = i > 0 ? dims[i] / 2 : dims[i];
            std::optional<WanResample::Mode> mode;
            if (i + 1 != levels) {
                // temporal upsampling mirrors the encoder's temporal downsampling
                const bool temporal = c.temperal_downsample[levels - 2 - i];
                mode = temporal ? WanResample::Mode::Upsample3d : WanResample::Mode::Upsample2d;
            }
            up_blocks->add(std::make_shared<WanUpBlock>(in, dims[i + 1], c.num_res_blocks, mode));
        }
        norm_out = register_module("norm_out", std::make_shared<WanRmsNorm>(dims.back(), false));
        conv_out = register_module("conv_out", std::make_shared<CausalConv3d>(dims.back(), c.out_channels,
                                                                              std::array<int64_t, 3>{3, 3, 3},
                                                                              std::array<int64_t, 3>{1, 1, 1}));
    }
    at::Tensor forward(at::Tensor x, FeatureCache& cache) const {
        x = cachedConv(*conv_in, x, cache);
        x = mid_block->forward(x, cache);
        for (const auto& up : up_blocks->items) x = up->forward(x, cache);
        return cachedConv(*conv_out, siluFresh(norm_out->forward(x)), cache);
    }
    std::shared_ptr<CausalConv3d> conv_in, conv_out;
    std::shared_ptr<WanMidBlock> mid_block;
    std::shared_ptr<ModuleList<WanUpBlock>> up_blocks;
    std::shared_ptr<WanRmsNorm> norm_out;
};

// ---------------------------------------------------------------------------------------------------
// The autoencoder

WanVAE::WanVAE(VaeConfig config) : config_(std::move(config)) {
    config_.validate();
    encoder_ = register_module("encoder", std::make_shared<WanEncoder3d>(config_));
    quant_conv_ = register_module("quant_conv", std::make_shared<CausalConv3d>(2 * config_.z_dim, 2 * config_.z_dim,
                                                                                std::array<int64_t, 3>{1, 1, 1},
                                                                                std::array<int64_t, 3>{0, 0, 0}));
    post_quant_conv_ = register_module("post_quant_conv", std::make_shared<CausalConv3d>(config_.z_dim, config_.z_dim,
                                                                                          std::array<int64_t, 3>{1, 1, 1},
                                                                                          std::array<int64_t, 3>{0, 0, 0}));
    decoder_ = register_module("decoder", std::make_shared<WanDecoder3d>(config_));
}

at::ScalarType WanVAE::dtype() const { return post_quant_conv_->weight.scalar_type(); }

namespace {

std::string shapeText(const at::Tensor& t) {
    std::string s = "[";
    for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
    return s + "]";
}

}  // namespace

std::pair<at::Tensor, at::Tensor> WanVAE::encode(const at::Tensor& video) const {
    const int64_t sf = config_.spatialFactor();
    if (!video.defined() || video.dim() != 5 || video.size(1) != config_.in_channels) {
        throw EngineError("VAE encode: the video must be [batch, " + std::to_string(config_.in_channels) +
                          ", frames, height, width], not " + (video.defined() ? shapeText(video) : std::string("empty")));
    }
    const int64_t frames = video.size(2), height = video.size(3), width = video.size(4);
    if (video.size(0) < 1 || frames < 1 || (frames - 1) % 4 != 0) {
        throw EngineError("VAE encode: " + std::to_string(frames) + " frames; the frame count must be 4k+1 (1, 5, 9, ...)");
    }
    if (height < sf || width < sf || height % sf != 0 || width % sf != 0) {
        throw EngineError("VAE encode: " + std::to_string(width) + "x" + std::to_string(height) +
                          "; width and height must be positive multiples of " + std::to_string(sf));
    }
    if (!video.is_floating_point()) throw EngineError("VAE encode: the video must be floating point");
    const at::Tensor x = video.to(dtype());
    FeatureCache cache;
    std::vector<at::Tensor> latents;
    // The first frame alone, then 4 frames at a time: the reference's chunking (it sets the numbers).
    for (int64_t start = 0; start < frames; start += (start == 0 ? 1 : 4)) {
        const int64_t n = start == 0 ? 1 : 4;
        cache.startChunk();
        latents.push_back(encoder_->forward(framesFromChannelMajor(x.narrow(2, start, n)), cache));
    }
    const at::Tensor enc = quant_conv_->forward(latents.size() == 1 ? latents[0] : catFrames(latents))
                               .permute({0, 2, 1, 3, 4});  // [B, 2z, T, h, w]
    const int64_t z = config_.z_dim;
    return {enc.narrow(1, 0, z).contiguous(), enc.narrow(1, z, z).clamp(-30.0, 20.0).contiguous()};
}

at::Tensor WanVAE::decode(const at::Tensor& latents, const std::function<void()>& between_chunks) const {
    return decodeChunks(latents, between_chunks, /*clamp=*/true);
}

at::Tensor WanVAE::decodeUnclamped(const at::Tensor& latents) const { return decodeChunks(latents, {}, false); }

at::Tensor WanVAE::decodeChunks(const at::Tensor& latents, const std::function<void()>& between_chunks,
                                bool clamp) const {
    if (!latents.defined() || latents.dim() != 5 || latents.size(1) != config_.z_dim || latents.size(0) < 1 ||
        latents.size(2) < 1 || latents.size(3) < 1 || latents.size(4) < 1) {
        throw EngineError("VAE decode: the latents must be [batch, " + std::to_string(config_.z_dim) +
                          ", frames, height, width], not " + (latents.defined() ? shapeText(latents) : std::string("empty")));
    }
    if (!latents.is_floating_point()) throw EngineError("VAE decode: the latents must be floating point");
    const int64_t batch = latents.size(0), steps = latents.size(2);
    const int64_t sf = config_.spatialFactor(), tf = config_.temporalFactor();
    const int64_t frames = 1 + tf * (steps - 1);
    // post_quant_conv is 1x1x1: the whole clip at once, frames-major
    const at::Tensor x = post_quant_conv_->forward(framesFromChannelMajor(latents.to(dtype())));

    FeatureCache cache;
    // Inference writes each chunk into the output as it comes (never two copies of the clip);
    // autograd keeps the chunks and concatenates them.
    const bool direct = inference();
    at::Tensor out;
    std::vector<at::Tensor> chunks;
    if (direct) {
        out = at::empty({batch, config_.out_channels, frames, sf * latents.size(3), sf * latents.size(4)},
                        x.options());
    }
    int64_t written = 0;
    for (int64_t t = 0; t < steps; ++t) {
        if (t > 0 && between_chunks) between_chunks();
        cache.startChunk();
        at::Tensor y = decoder_->forward(x.narrow(1, t, 1), cache);  // [B, n, C, H, W]
        if (clamp) y = direct ? y.clamp_(-1.0, 1.0) : y.clamp(-1.0, 1.0);
        const int64_t n = y.size(1);
        TORCH_INTERNAL_ASSERT(written + n <= frames, "VAE decode produced more frames than expected");
        if (direct) {
            out.narrow(2, written, n).copy_(y.permute({0, 2, 1, 3, 4}));
        } else {
            chunks.push_back(y);
        }
        written += n;
    }
    TORCH_INTERNAL_ASSERT(written == frames, "VAE decode produced ", written, " frames, expected ", frames);
    if (!direct) out = catFrames(chunks).permute({0, 2, 1, 3, 4}).contiguous();
    return out;
}

at::Tensor WanVAE::latentStat(const std::vector<double>& values, const at::Tensor& like) const {
    std::vector<int64_t> shape(static_cast<size_t>(like.dim()), 1);
    shape[1] = static_cast<int64_t>(values.size());
    return at::tensor(values, at::TensorOptions().dtype(at::kDouble)).to(like.scalar_type()).view(shape);
}

at::Tensor WanVAE::normalizeLatents(const at::Tensor& z) const {
    if (!z.defined() || z.dim() < 2 || z.size(1) != config_.z_dim) {
        throw EngineError("VAE: latents must have " + std::to_string(config_.z_dim) + " channels in dim 1");
    }
    return (z - latentStat(config_.latents_mean, z)) / latentStat(config_.latents_std, z);
}

at::Tensor WanVAE::denormalizeLatents(const at::Tensor& z) const {
    if (!z.defined() || z.dim() < 2 || z.size(1) != config_.z_dim) {
        throw EngineError("VAE: latents must have " + std::to_string(config_.z_dim) + " channels in dim 1");
    }
    return z * latentStat(config_.latents_std, z) + latentStat(config_.latents_mean, z);
}

namespace {

// Whether this LibTorch runs the VAE's operations in `dtype` on the CPU (1.13 has no float16
// convolution, SiLU or upsampling there); tried on a tiny tensor rather than assumed per version.
void requireCpuSupport(at::ScalarType dtype) {
    try {
        const at::Tensor x = at::ones({1, 1, 2, 2}, at::TensorOptions().dtype(dtype));
        at::silu(at::conv2d(at::upsample_nearest2d(x, {4, 4}), at::ones({1, 1, 3, 3}, x.options()), {}, 1, 1));
    } catch (const c10::Error&) {
        throw EngineError(std::string("the VAE cannot run in ") + c10::toString(dtype) +
                          " on this LibTorch's CPU (use Float or BFloat16)");
    }
}

}  // namespace

std::shared_ptr<WanVAE> loadVae(const std::string& vaeFolder, at::ScalarType dtype) {
    requireCpuSupport(dtype);
    auto vae = std::make_shared<WanVAE>(VaeConfig::fromFile(vaeFolder + "/config.json"));
    const auto checkpoint = Checkpoint::openInFolder(vaeFolder, {"diffusion_pytorch_model"});
    LoadOptions options;
    options.dtype = dtype;
    options.what = "the VAE (AutoencoderKLWan)";
    loadWeights(*vae, checkpoint, options);
    vae->eval();
    return vae;
}

}  // namespace kinora::engine
