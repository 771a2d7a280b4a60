// The Wan2.1 text-to-video pipeline on tensors (Diffusers' WanPipeline semantics): prompt encoding,
// initial noise, the denoising loop with classifier-free guidance, VAE decode. Used through the
// torch-free Pipeline facade, and directly by parity tests and the trainer.
#pragma once

#include "engine/pipeline.h"
#include "engine/schedulers.h"
#include "engine/text_encoder.h"
#include "engine/tokenizer.h"
#include "engine/transformer.h"
#include "engine/vae.h"

#include <ATen/ATen.h>

#include <map>

namespace kinora::engine {

// Every intermediate of one run, for the parity test against the reference (names as in e_pipeline).
struct PipelineTrace {
    std::map<std::string, at::Tensor> tensors;
};

// Linear map from (normalised) latent channels to RGB, for live previews.
struct LatentPreview {
    at::Tensor weight;  // [z_dim, 3]
    at::Tensor bias;    // [3]
    std::string source;  // "published (Wan2.1)", "file", "fitted"
};

class WanPipeline {
public:
    WanPipeline(ModelSummary model, PipelineOptions options);

    const ModelSummary& model() const { return model_; }
    const PipelineOptions& options() const { return options_; }
    at::Device device() const { return device_; }
    at::ScalarType dtype() const { return dtype_; }

    GenerationRequest resolve(const GenerationRequest& request) const;

    // The pipeline's prompt embeddings [B, L, text_dim] (float32, on the compute device) for `prompts`;
    // `truncated` receives one flag per prompt; the ids and masks are appended to `trace`.
    at::Tensor encodePrompts(const std::vector<std::string>& prompts, std::vector<bool>* truncated = nullptr,
                             PipelineTrace* trace = nullptr);

    // randn of the latent shape from a CPU generator seeded with `seed` (bit-identical to
    // torch.randn(shape, generator=torch.Generator("cpu").manual_seed(seed))).
    at::Tensor initialLatents(const GenerationRequest& resolved, uint64_t seed) const;

    // The whole run on a resolved request with a seed set.
    GeneratedClip run(const GenerationRequest& resolved, const GenerationCallbacks& callbacks, PipelineTrace* trace);

    // Latents [1, z, T, h, w] -> frames [F, H, W, 3] float in [0, 1].
    at::Tensor decode(const at::Tensor& latents, const GenerationCallbacks& callbacks);

    const LatentPreview& preview();
    // Clean-estimate latents [1, z, T, h, w] -> a small RGB preview.
    RgbVideo previewFrames(const at::Tensor& x0);

    std::shared_ptr<Tokenizer> tokenizer;
    std::shared_ptr<Umt5Encoder> text_encoder;
    std::shared_ptr<WanTransformer> transformer;
    std::shared_ptr<WanVAE> vae;
    SchedulerConfig scheduler_config;

private:
    ModelSummary model_;
    PipelineOptions options_;
    at::Device device_{at::kCPU};
    at::ScalarType dtype_ = at::kFloat;
    std::optional<LatentPreview> preview_;
};

// float [F, H, W, 3] in [0, 1] -> uint8 RGB24, rounded as the reference (round(x * 255)).
RgbVideo toRgbVideo(const at::Tensor& frames);

}  // namespace kinora::engine
