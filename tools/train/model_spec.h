// A Kinora model's architecture as one value, and writing it out as a Diffusers-format model folder
// (the same layout the engine loads for any Wan2.1 model): configs, weights, tokenizer, scheduler.
#pragma once

#include "engine/safetensors.h"
#include "engine/text_encoder.h"
#include "engine/transformer.h"
#include "engine/vae.h"

#include <nlohmann/json.hpp>

#include <string>

namespace kinora::train {

struct ModelSpec {
    engine::Umt5Config text;
    engine::TransformerConfig transformer;
    engine::VaeConfig vae;
    // The timestep shift the model folder's scheduler samples with.
    double flow_shift = 3.0;
    // The shift the DiT's training timesteps are drawn with: the spec's "training": {"flow_shift"},
    // trainer-only; without it, flow_shift. Sampling with a larger shift than the weights trained with
    // (more of the 20 steps at high noise, where the object's place is decided) measured better.
    double train_flow_shift = 3.0;
    // Generation defaults written under model_index.json's "kinora" key.
    int width = 128, height = 128, frames = 17, fps = 8, steps = 20;
    double guidance = 5.0;
    int max_sequence_length = 64;
    // The noise prior the model folder declares and so samples from (engine::ModelDefaults::
    // frame_noise_share). Optional in a spec (0).
    double frame_noise_share = 0;
    // The share the DiT trains on: the spec's "training": {"frame_noise_share"}, trainer-only (not in the
    // folder); without it, frame_noise_share. They differ because sampling at a higher share than the
    // weights were trained on measured better (tools/train/specs/kinora-tiny.json, CONTRIBUTING.md).
    double train_frame_noise_share = 0;

    nlohmann::json textConfigJson() const;
    nlohmann::json transformerConfigJson() const;
    nlohmann::json vaeConfigJson() const;
    nlohmann::json schedulerConfigJson() const;
    nlohmann::json modelIndexJson() const;
    nlohmann::json toJson() const;  // all of the above, for the trainer's own files
    static ModelSpec fromJson(const nlohmann::json& j);
};

// Random initialisation suited to training from scratch (see model_init.cpp for the rules).
void initTextEncoder(engine::Umt5Encoder& m, uint64_t seed);
void initTransformer(engine::WanTransformer& m, uint64_t seed);
void initVae(engine::WanVAE& m, uint64_t seed);

// Writes a complete model folder: model_index.json, scheduler/, text_encoder/, tokenizer/ (copied from
// `tokenizer_dir`: spiece.model + configs), transformer/, vae/. Weights in `dtype` (F16 for shipping,
// F32 for exact checkpoints). Files are written next to the target and renamed into place.
void writeModelFolder(const std::string& dir, const ModelSpec& spec, engine::Umt5Encoder& text,
                      engine::WanTransformer& transformer, engine::WanVAE& vae, const std::string& tokenizer_dir,
                      engine::StDType dtype);

// The parameters of a module as (name, tensor) pairs, converted to `dtype`.
std::vector<std::pair<std::string, at::Tensor>> namedWeights(torch::nn::Module& m, at::ScalarType dtype);

void writeJson(const std::string& path, const nlohmann::json& j);

}  // namespace kinora::train
