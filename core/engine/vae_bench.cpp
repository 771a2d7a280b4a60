#include "engine/vae_bench.h"

#include "engine/error.h"
#include "engine/vae.h"
#include "engine/vae_conv.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>

namespace kinora::engine {
namespace {

VaeConfig benchConfig(int base_dim) {
    VaeConfig c;
    c.base_dim = c.decoder_base_dim = base_dim;
    c.z_dim = 16;
    c.dim_mult = {1, 2, 2, 2};
    c.num_res_blocks = 1;
    c.temperal_downsample = {false, true, true};
    c.latents_mean.assign(16, 0.0);
    c.latents_std.assign(16, 1.0);
    return c;
}

// Weights scaled by 1/sqrt(fan-in) so activations keep their size through the network, as trained
// weights do (the timing does not depend on the values, but NaNs or denormals would).
void randomWeights(torch::nn::Module& m, uint64_t seed) {
    at::NoGradGuard noGrad;
    auto gen = at::detail::createCPUGenerator(seed);
    for (auto& p : m.named_parameters(true)) {
        at::Tensor t = p.value();
        const std::string& name = p.key();
        if (name.size() >= 5 && name.compare(name.size() - 5, 5, "gamma") == 0) {
            t.fill_(1.0);
        } else if (t.dim() == 1) {
            t.zero_();
        } else {
            const double fan_in = static_cast<double>(t.numel() / t.size(0));
            t.copy_(at::randn(t.sizes(), gen) / std::sqrt(fan_in));
        }
    }
}

// The decoder's work from its architecture, mirroring WanDecoder3d chunk by chunk: a k-tap causal
// convolution costs 2*Cin*Cout*k*frames*H*W whatever the padding (the reference computes every tap).
struct FlopCounter {
    double total = 0;
    void conv(double cin, double cout, double taps, double frames, double h, double w) {
        total += 2.0 * cin * cout * taps * frames * h * w;
    }
};

double decodeGflop(const VaeConfig& c, int64_t steps, int64_t h, int64_t w) {
    FlopCounter f;
    f.conv(c.z_dim, c.z_dim, 1, steps, h, w);  // post_quant_conv
    const size_t levels = c.dim_mult.size();
    std::vector<int64_t> dims{c.decoder_base_dim * c.dim_mult.back()};
    for (size_t i = levels; i-- > 0;) dims.push_back(c.decoder_base_dim * c.dim_mult[i]);
    auto resblock = [&](double in, double out, double n, double hh, double ww) {
        f.conv(in, out, 27, n, hh, ww);
        f.conv(out, out, 27, n, hh, ww);
        if (in != out) f.conv(in, out, 1, n, hh, ww);
    };
    for (int64_t t = 0; t < steps; ++t) {
        double n = 1, hh = static_cast<double>(h), ww = static_cast<double>(w);
        const double d0 = static_cast<double>(dims[0]);
        f.conv(c.z_dim, d0, 27, n, hh, ww);
        resblock(d0, d0, n, hh, ww);
        const double tokens = hh * ww;
        f.total += n * (2.0 * d0 * 3 * d0 * tokens + 4.0 * tokens * tokens * d0 + 2.0 * d0 * d0 * tokens);
        resblock(d0, d0, n, hh, ww);
        for (size_t i = 0; i < levels; ++i) {
            double in = static_cast<double>(i > 0 ? dims[i] / 2 : dims[i]);
            const double out = static_cast<double>(dims[i + 1]);
            for (int64_t r = 0; r < c.num_res_blocks + 1; ++r) {
                resblock(in, out, n, hh, ww);
                in = out;
            }
            if (i + 1 == levels) continue;
            if (c.temperal_downsample[levels - 2 - i] && t > 0) {
                f.conv(out, 2 * out, 3, n, hh, ww);  // time_conv (skipped on the first chunk)
                n *= 2;
            }
            hh *= 2;
            ww *= 2;
            f.conv(out, out / 2, 9, n, hh, ww);  // the upsampler's 3x3 conv2d
        }
        f.conv(static_cast<double>(dims.back()), c.out_channels, 27, n, hh, ww);
    }
    return f.total / 1e9;
}

const char* convName(VaeBenchConv c) {
    switch (c) {
        case VaeBenchConv::Conv3d: return "conv3d";
        case VaeBenchConv::FrameConv2d: return "conv2d-frames";
        default: return "auto";
    }
}

// Restores the process-wide convolution path when the benchmark ends, also on an exception.
class ConvPathScope {
public:
    explicit ConvPathScope(VaeConvPath p) : saved_(vaeConvPath()) { setVaeConvPath(p); }
    ~ConvPathScope() { setVaeConvPath(saved_); }
    ConvPathScope(const ConvPathScope&) = delete;
    ConvPathScope& operator=(const ConvPathScope&) = delete;

private:
    VaeConvPath saved_;
};

}  // namespace

VaeBenchResult benchVaeDecode(int base_dim, int frames, int height, int width, int repeats, VaeBenchConv conv) {
    if (base_dim < 2 || base_dim > 1024 || base_dim % 2 != 0) {
        throw EngineError("VAE benchmark: base_dim must be even, 2..1024 (got " + std::to_string(base_dim) + ")");
    }
    if (frames < 1 || (frames - 1) % 4 != 0) {
        throw EngineError("VAE benchmark: frames must be 4k+1 (got " + std::to_string(frames) + ")");
    }
    if (height < 8 || width < 8 || height % 8 != 0 || width % 8 != 0) {
        throw EngineError("VAE benchmark: width and height must be multiples of 8 (got " + std::to_string(width) +
                          "x" + std::to_string(height) + ")");
    }
    if (repeats < 1) throw EngineError("VAE benchmark: repeats must be at least 1");

    at::InferenceMode inference;
    const VaeConfig config = benchConfig(base_dim);
    WanVAE vae(config);
    randomWeights(vae, 1234);
    const int64_t steps = (frames - 1) / 4 + 1;
    auto gen = at::detail::createCPUGenerator(42);
    const at::Tensor latents = at::randn({1, config.z_dim, steps, height / 8, width / 8}, gen);

    ConvPathScope scope(conv == VaeBenchConv::Conv3d        ? VaeConvPath::Conv3d
                        : conv == VaeBenchConv::FrameConv2d ? VaeConvPath::FrameConv2d
                                                            : VaeConvPath::Auto);
    using Clock = std::chrono::steady_clock;
    vae.decode(latents);  // warm-up: allocator, oneDNN primitive creation
    double best = 1e30, sum = 0;
    for (int r = 0; r < repeats; ++r) {
        const auto start = Clock::now();
        vae.decode(latents);
        const double s = std::chrono::duration<double>(Clock::now() - start).count();
        best = std::min(best, s);
        sum += s;
    }
    VaeBenchResult result;
    result.base_dim = base_dim;
    result.frames = frames;
    result.height = height;
    result.width = width;
    result.repeats = repeats;
    result.threads = at::get_num_threads();
    result.conv = convName(conv);
    result.seconds = best;
    result.mean_seconds = sum / repeats;
    result.gflop = decodeGflop(config, steps, height / 8, width / 8);
    result.gflops = result.gflop / best;
    return result;
}

}  // namespace kinora::engine
