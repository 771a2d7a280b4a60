// WanTransformer3DModel: the diffusion transformer of Wan2.1 text-to-video (Diffusers semantics).
#pragma once

#include "engine/nn.h"

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>

namespace kinora::engine {

class ConfigReader;

struct TransformerConfig {
    std::array<int64_t, 3> patch_size{1, 2, 2};  // frames, height, width
    int64_t num_heads = 0;
    int64_t head_dim = 0;
    int64_t in_channels = 0;
    int64_t out_channels = 0;
    int64_t text_dim = 0;
    int64_t freq_dim = 0;
    int64_t ffn_dim = 0;
    int64_t num_layers = 0;
    bool cross_attn_norm = true;
    double eps = 1e-6;
    int64_t rope_max_seq_len = 1024;

    int64_t dim() const { return num_heads * head_dim; }
    // Reads transformer/config.json; throws EngineError naming the file and key.
    static TransformerConfig fromFile(const std::string& path);
    // The same checks on an already parsed config (the fuzzer's entry point).
    static TransformerConfig fromReader(const ConfigReader& r);
};

// Intermediate values of one forward pass, for parity tests (filled when a pointer is passed).
struct TransformerTrace {
    at::Tensor patch_embedding, rope_cos, rope_sin, temb, timestep_proj, text_embeds, block0_out;
};

class WanBlock;

class WanTransformer : public torch::nn::Module {
public:
    explicit WanTransformer(const TransformerConfig& config);

    // hidden_states [B, C, F, H, W]; timestep [B] (or [1], broadcast); encoder_hidden_states [B, L, text_dim]
    // -> prediction [B, out_channels, F, H, W]. `between_blocks` runs before each block (cancel).
    at::Tensor forward(const at::Tensor& hidden_states, const at::Tensor& timestep,
                       const at::Tensor& encoder_hidden_states, TransformerTrace* trace = nullptr,
                       const std::function<void()>& between_blocks = {});

    // cos and sin tables [1, F*H*W, 1, head_dim] for a latent grid of f x h x w patches (cached).
    std::pair<at::Tensor, at::Tensor> rotary(int64_t f, int64_t h, int64_t w);

    const TransformerConfig& config() const { return config_; }

private:
    TransformerConfig config_;
    at::Tensor patch_weight_, patch_bias_;
    std::shared_ptr<Linear> time_1_, time_2_, time_proj_, text_1_, text_2_, proj_out_;
    std::vector<std::shared_ptr<WanBlock>> blocks_;
    at::Tensor scale_shift_table_;
    std::map<std::tuple<int64_t, int64_t, int64_t>, std::pair<at::Tensor, at::Tensor>> rope_cache_;
};

// Sinusoidal embedding of `timesteps` [B] with `dim` channels: cos first, then sin (flip_sin_to_cos),
// frequency shift 0, max period 10000. float32 [B, dim].
at::Tensor timestepEmbedding(const at::Tensor& timesteps, int64_t dim);

// softmax(q kᵀ / sqrt(d)) v for q [B, H, L, D], k and v [B, H, S, D]. Where LibTorch has no fused
// attention (1.x), the scores are computed for blocks of query rows so that no block holds more than
// `max_score_bytes` (each row's softmax needs only its own scores, so the result is the same): at
// Wan2.1-1.3B's 480x832x81 (32,760 tokens, 12 heads) the whole score matrix would take 51 GB.
// 30 MiB keeps a block's scores and its softmax each below the 32 MiB mmap threshold of the
// allocator policy (runtime.h), so they come from the heap and reuse its freed memory: with 256 MiB a
// 256x256 clip's 52 MB score matrix was mapped and faulted in afresh at every call (23,000-38,000
// faults and 1.6-2.2x the time per attention; docs/BENCHMARKS.md). It stays above a training batch's
// 25 MiB (16 clips x 4 heads x 320 tokens squared), which is computed in one block as before.
inline constexpr int64_t kAttentionScoreBytes = int64_t(30) << 20;
at::Tensor dotProductAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               int64_t max_score_bytes = kAttentionScoreBytes);

std::shared_ptr<WanTransformer> loadTransformer(const std::string& folder, at::ScalarType dtype = at::kFloat);

}  // namespace kinora::engine
