// The UMT5 text encoder of Wan2.1 (Transformers' UMT5EncoderModel / Wan's T5 encoder) and the
// pipeline's post-processing of its output into prompt embeddings.
#pragma once

#include "engine/nn.h"

#include <memory>
#include <string>

namespace kinora::engine {

class ConfigReader;

struct Umt5Config {
    int64_t vocab_size = 0;
    int64_t d_model = 0;
    int64_t d_kv = 0;
    int64_t d_ff = 0;
    int64_t num_layers = 0;
    int64_t num_heads = 0;
    int64_t num_buckets = 32;   // relative_attention_num_buckets
    int64_t max_distance = 128;  // relative_attention_max_distance
    double eps = 1e-6;
    int64_t pad_token_id = 0;
    int64_t eos_token_id = 1;

    // Reads text_encoder/config.json; throws EngineError naming the file and key for anything missing,
    // mistyped, out of range, or of another architecture.
    static Umt5Config fromFile(const std::string& path);
    // The same checks on an already parsed config (the fuzzer's entry point).
    static Umt5Config fromReader(const ConfigReader& r);
};

class Umt5Layer;

class Umt5Encoder : public torch::nn::Module {
public:
    explicit Umt5Encoder(const Umt5Config& config);
    // input_ids, attention_mask: [B, L] int64 -> last_hidden_state [B, L, d_model].
    at::Tensor forward(const at::Tensor& input_ids, const at::Tensor& attention_mask) const;
    const Umt5Config& config() const { return config_; }

    at::Tensor shared;  // token embedding [vocab, d_model] ("shared.weight")

private:
    Umt5Config config_;
    std::vector<std::shared_ptr<Umt5Layer>> layers_;
    std::shared_ptr<RMSNorm> final_norm_;
};

// The Wan pipeline keeps the first mask.sum() rows of each sequence and sets the rest to zero (not the
// encoder's values at the padded places).
at::Tensor promptEmbeds(const at::Tensor& last_hidden_state, const at::Tensor& attention_mask);

// Relative-position bucket of each (query, key) pair for a bidirectional encoder: [q_len, k_len] int64.
at::Tensor relativePositionBuckets(int64_t q_len, int64_t k_len, int64_t num_buckets, int64_t max_distance);

// Config + weights of <folder> (a Diffusers text_encoder/ folder). `dtype`: compute dtype.
std::shared_ptr<Umt5Encoder> loadTextEncoder(const std::string& folder, at::ScalarType dtype = at::kFloat);

}  // namespace kinora::engine
