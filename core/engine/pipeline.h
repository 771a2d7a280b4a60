// Text to video: the engine's public, torch-free interface (what the studio and the command line use).
// A GenerationRequest goes in, RGB frames come out; progress, live previews and cancel go through
// GenerationCallbacks. Implemented by WanPipeline (wan_pipeline.h).
#pragma once

#include "engine/model_folder.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kinora::engine {

struct GenerationRequest {
    std::string prompt;
    std::string negative_prompt;
    int width = 0;        // 0: the model's default
    int height = 0;
    int frames = 0;       // 4k+1
    int steps = 0;
    double guidance = -1;  // -1: the model's default; 1 disables classifier-free guidance
    std::optional<uint64_t> seed;  // unset: a random seed (reported in the result)
    std::string sampler;           // "" (the model's scheduler), "unipc" or "euler"
    std::optional<double> shift;   // flow shift; unset: the scheduler config's
    int fps = 0;                   // playback rate written with the clip; 0: the model's default
};

struct RgbVideo {
    int frames = 0, height = 0, width = 0;
    std::vector<uint8_t> rgb;  // frames * height * width * 3, row-major RGB24
};

struct StepProgress {
    int step = 0;   // steps done, 1..total
    int total = 0;
    double elapsed = 0;           // seconds since denoising started
    double seconds_per_step = 0;  // mean so far
    double eta = 0;               // seconds left for the remaining steps (decode not included)
};

struct GenerationCallbacks {
    std::function<void(const std::string& stage)> on_stage;  // "encoding prompt", "denoising", "decoding"
    std::function<void(const StepProgress&)> on_step;
    // A cheap preview of the clip's current clean estimate after each step (a linear projection of the
    // latents, at latent resolution). Only computed when set.
    std::function<void(const RgbVideo&)> on_preview;
    // Checked before every step, between transformer blocks and between decoded frames; when it turns
    // true the run stops with Cancelled within one step.
    const std::atomic<bool>* cancel = nullptr;
};

struct GenerationTimings {
    double text = 0, denoise = 0, decode = 0, total = 0;
    double seconds_per_step = 0;
};

struct GeneratedClip {
    GenerationRequest request;  // with every default filled in (seed included)
    RgbVideo video;
    GenerationTimings timings;
    std::vector<std::string> warnings;  // e.g. "the prompt was cut to 512 tokens"
};

struct PipelineOptions {
    std::string device = "cpu";      // "cpu" or "cuda" (when LibTorch has CUDA)
    std::string dtype = "float32";   // "float32", "bfloat16" or "float16"
    int threads = 0;                 // 0: every core
};

class WanPipeline;

class Pipeline {
public:
    // Loads every component of the model folder; throws EngineError naming what is wrong.
    static std::unique_ptr<Pipeline> load(const std::string& model_dir, const PipelineOptions& options = {});
    ~Pipeline();

    const ModelSummary& model() const;
    const PipelineOptions& options() const;

    // The request with the model's defaults filled in (seed excluded); throws EngineError for an invalid
    // value, before any heavy work, with what was wrong and what is allowed.
    GenerationRequest resolve(const GenerationRequest& request) const;

    // Runs the whole pipeline. Throws Cancelled when the cancel flag was raised.
    GeneratedClip generate(const GenerationRequest& request, const GenerationCallbacks& callbacks = {});

    WanPipeline& impl() { return *impl_; }

private:
    explicit Pipeline(std::unique_ptr<WanPipeline> impl);
    std::unique_ptr<WanPipeline> impl_;
};

// Checks a device/dtype choice against what this LibTorch build supports; throws EngineError.
void checkDeviceSupport(const std::string& device, const std::string& dtype);

// The request with the model's defaults filled in (seed excluded), validated against the model's
// limits (read from its transformer config) without loading any weights: throws EngineError saying what
// was wrong and what is allowed. Pipeline::resolve gives the same answer.
GenerationRequest resolveRequest(const GenerationRequest& request, const ModelSummary& model);

}  // namespace kinora::engine
