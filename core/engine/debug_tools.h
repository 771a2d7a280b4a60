// Torch-free entry points behind `kinora debug`: run one stage of the pipeline on inputs from a
// safetensors file, so any implementation can be compared tensor by tensor with the reference.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace kinora::engine {

// Cleans and tokenizes each text as the pipeline does: {"input_ids": [[...]], "attention_mask": [[...]]}.
// max_length 0: the model's default (tokenizer model_max_length, at most 512).
nlohmann::json debugTokenize(const std::string& model_dir, int64_t max_length, const std::vector<std::string>& texts);

// The components `kinora debug run-component` knows, in the order of the help text.
std::vector<std::string> debugComponents();

// Runs `component` of the model in `model_dir` on the tensors of `inputs` and writes its outputs to
// `out` (float32 unless said; names as in DESIGN.md):
//   text_encoder  input_ids, attention_mask (int64) -> last_hidden_state, prompt_embeds
//   transformer   hidden_states, timestep, encoder_hidden_states -> sample
//   vae_encode    sample -> latent_mean, latent_logvar
//   vae_decode    latents -> sample
// Throws EngineError for a missing or mis-shaped input.
void debugRunComponent(const std::string& model_dir, const std::string& component, const std::string& inputs,
                       const std::string& out);

}  // namespace kinora::engine
