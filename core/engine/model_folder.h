// A model folder in the Diffusers layout (model_index.json, scheduler/, text_encoder/, tokenizer/,
// transformer/, vae/): what it holds, checked without loading any weights.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kinora::engine {

struct ComponentSummary {
    std::string name;        // "text_encoder", "transformer", ...
    std::string class_name;  // from the config, e.g. "WanTransformer3DModel"
    std::string path;        // the component's folder
    int64_t parameters = 0;  // from the safetensors headers
    std::string dtypes;      // stored dtypes, e.g. "F32" or "BF16, F32"
    uint64_t bytes = 0;      // size of the component's files on disk
    std::vector<std::string> files;  // weight files (for hashing)
};

// Generation defaults of a model: Kinora's own optional "kinora" object in model_index.json, else
// Wan2.1's published settings for large models and the bundled model's for small ones.
struct ModelDefaults {
    int width = 0, height = 0, frames = 0, fps = 0, steps = 0;
    double guidance = 5.0;
    int max_sequence_length = 0;  // text tokens the pipeline pads to
    std::string sampler;          // "unipc" or "euler", from the scheduler config
    double shift = 1.0;           // the scheduler config's flow shift
    // Share of the initial noise's variance that all latent frames have in common (model_index.json's
    // kinora.frame_noise_share; 0, Wan2.1's: independent frames). A property of the model, not a
    // setting: it must be the noise prior the model was trained on (tools/train, DitStageOptions).
    double frame_noise_share = 0.0;
};

// What a model accepts for each request value: one place for the engine's checks and for front ends
// that check (and word) each value themselves, e.g. in the user's language.
struct RequestLimits {
    int size_multiple = 16;  // width and height: multiples of this (VAE 8x times the patch)...
    int max_size = 4096;     // ...up to this (the smaller of 4096 and what the position table covers)
    int max_frames = 1025;   // frames: 4k+1 up to this
    int max_steps = 1000;
    double min_guidance = 1.0, max_guidance = 30.0;
    int max_fps = 240;
    double max_shift = 100.0;
};

struct TransformerConfig;
RequestLimits requestLimits(const TransformerConfig& transformer);

struct ModelSummary {
    std::string name;  // the folder's name
    std::string path;
    std::vector<ComponentSummary> components;
    ModelDefaults defaults;
    RequestLimits limits;  // from the transformer config
    std::string error;  // why the folder is not usable; empty when it is
    bool ok() const { return error.empty(); }
    int64_t parameters() const;
    uint64_t bytes() const;
};

// Reads model_index.json, every component's config and the safetensors headers, and the tokenizer.
// Never throws: a broken folder comes back with `error` set (the first problem, naming the file).
ModelSummary inspectModel(const std::string& folder);

// Whether `folder` looks like a model (has a model_index.json), without checking anything else.
bool isModelFolder(const std::string& folder);

}  // namespace kinora::engine
