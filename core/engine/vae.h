// Wan2.1's causal 3D VAE (Diffusers' AutoencoderKLWan): video [B, 3, F, H, W] in [-1, 1] <-> latents
// [B, z, (F-1)/4+1, H/8, W/8]. Parameters carry the checkpoint's names, so loadWeights matches them.
//
// The clip is processed in chunks (encode: the first frame, then 4 frames at a time; decode: one latent
// frame at a time) with a cache of the last frames seen by every causal convolution carried from chunk
// to chunk, exactly as the reference does: the numbers depend on this chunking, and memory stays bounded
// by a few frames of activations whatever the clip length.
#pragma once

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kinora::engine {

struct VaeConfig {
    std::string source;  // the config.json it came from, for messages ("" when built in code)
    int64_t base_dim = 96;
    int64_t decoder_base_dim = 96;  // config's decoder_base_dim, or base_dim when null
    int64_t z_dim = 16;
    std::vector<int64_t> dim_mult{1, 2, 4, 4};
    int64_t num_res_blocks = 2;
    std::vector<bool> temperal_downsample{false, true, true};  // Diffusers' spelling
    int64_t in_channels = 3;
    int64_t out_channels = 3;
    std::vector<double> latents_mean, latents_std;  // z_dim values each

    // Reads a Diffusers vae/config.json; EngineError naming the file and the key for anything missing,
    // mistyped, out of range, or a variant this engine does not implement (Wan2.2's residual VAE).
    static VaeConfig fromFile(const std::string& path);
    // Throws EngineError (naming `source` and the key) unless the values describe a buildable VAE.
    void validate() const;

    int64_t spatialFactor() const;   // 2^(number of down blocks)
    int64_t temporalFactor() const;  // 2^(number of temporal downsamples)
};

class WanEncoder3d;
class WanDecoder3d;
class CausalConv3d;

class WanVAE : public torch::nn::Module {
public:
    explicit WanVAE(VaeConfig config);

    const VaeConfig& config() const { return config_; }
    at::ScalarType dtype() const;

    // video [B, in_channels, F, H, W], F = 4k+1, H and W multiples of spatialFactor(), values in
    // [-1, 1] -> (mean, logvar) of the latent distribution, [B, z, (F-1)/4+1, H/8, W/8] each
    // (logvar clamped to [-30, 20] as DiagonalGaussianDistribution does). Computed in the parameters'
    // dtype; the caller chooses autograd or InferenceMode.
    std::pair<at::Tensor, at::Tensor> encode(const at::Tensor& video) const;

    // Raw latents [B, z, T, h, w] (as AutoencoderKLWan.decode takes them, i.e. already un-normalised)
    // -> video [B, out_channels, 1 + 4(T-1), 8h, 8w] clamped to [-1, 1]. `between_chunks` runs
    // between two latent frames (T-1 times); an exception from it stops decoding and propagates.
    at::Tensor decode(const at::Tensor& latents, const std::function<void()>& between_chunks = {}) const;

    // The same decode without the final clamp, for training: a clamped output has no gradient wherever
    // the decoder overshoots [-1, 1], so pixels that overshoot while their target changes could never be
    // pulled back (most of a black or white background sits exactly on the bound).
    at::Tensor decodeUnclamped(const at::Tensor& latents) const;

    // (z - latents_mean) / latents_std and its inverse, per channel (dim 1) of [B, z, ...] latents.
    at::Tensor normalizeLatents(const at::Tensor& z) const;
    at::Tensor denormalizeLatents(const at::Tensor& z) const;

private:
    at::Tensor decodeChunks(const at::Tensor& latents, const std::function<void()>& between_chunks, bool clamp) const;
    at::Tensor latentStat(const std::vector<double>& values, const at::Tensor& like) const;

    VaeConfig config_;
    std::shared_ptr<WanEncoder3d> encoder_;
    std::shared_ptr<CausalConv3d> quant_conv_;
    std::shared_ptr<CausalConv3d> post_quant_conv_;
    std::shared_ptr<WanDecoder3d> decoder_;
};

// config.json + diffusion_pytorch_model.safetensors of a Diffusers `vae` folder, weights converted to
// `dtype` (Float, or BFloat16; Half only where LibTorch's CPU kernels support it). EngineError naming
// the file for a bad config or mismatched weights, or the dtype when this LibTorch cannot run it.
// Load outside InferenceMode when the VAE will be trained: weights made inside it are inference tensors.
std::shared_ptr<WanVAE> loadVae(const std::string& vaeFolder, at::ScalarType dtype = at::kFloat);

}  // namespace kinora::engine
