#include "engine/text_encoder.h"

#include "engine/config_json.h"
#include "engine/error.h"
#include "engine/safetensors.h"
#include "engine/weights.h"

#include <cmath>
#include <limits>
#include <filesystem>

namespace kinora::engine {

Umt5Config Umt5Config::fromFile(const std::string& path) { return fromReader(ConfigReader::fromFile(path)); }

Umt5Config Umt5Config::fromReader(const ConfigReader& r) {
    const std::string type = r.stringOr("model_type", "");
    if (type != "umt5") {
        r.fail("model_type", "is '" + type + "'; Kinora's text encoder is UMT5 (model_type \"umt5\"), as in Wan2.1");
    }
    Umt5Config c;
    c.vocab_size = r.integer("vocab_size", 2, 10'000'000);
    c.d_model = r.integer("d_model", 1, 65536);
    c.d_kv = r.integer("d_kv", 1, 4096);
    c.d_ff = r.integer("d_ff", 1, 1 << 20);
    c.num_layers = r.integer("num_layers", 1, 1024);
    c.num_heads = r.integer("num_heads", 1, 1024);
    c.num_buckets = r.integerOr("relative_attention_num_buckets", 32, 2, 4096);
    c.max_distance = r.integerOr("relative_attention_max_distance", 128, 2, 1 << 20);
    c.eps = r.numberOr("layer_norm_epsilon", 1e-6);
    if (!(c.eps > 0 && c.eps < 1)) r.fail("layer_norm_epsilon", "must be in (0, 1)");
    c.pad_token_id = r.integerOr("pad_token_id", 0, 0, c.vocab_size - 1);
    c.eos_token_id = r.integerOr("eos_token_id", 1, 0, c.vocab_size - 1);
    const std::string ff = r.stringOr("feed_forward_proj", "gated-gelu");
    if (ff != "gated-gelu") r.fail("feed_forward_proj", "is '" + ff + "'; only \"gated-gelu\" (UMT5) is supported");
    if (c.num_buckets / 2 / 2 < 1) r.fail("relative_attention_num_buckets", "must be at least 4");
    return c;
}

at::Tensor relativePositionBuckets(int64_t q_len, int64_t k_len, int64_t num_buckets, int64_t max_distance) {
    // Half the buckets for each sign of (key - query); exact buckets for small distances, then
    // logarithmically wider ones up to max_distance (T5's _relative_position_bucket, bidirectional).
    const auto ctx = at::arange(q_len, at::kLong).unsqueeze(1);
    const auto mem = at::arange(k_len, at::kLong).unsqueeze(0);
    auto rel = mem - ctx;
    const int64_t half = num_buckets / 2;
    auto buckets = (rel > 0).to(at::kLong) * half;
    rel = rel.abs();
    const int64_t max_exact = half / 2;
    const auto is_small = rel < max_exact;
    auto large = max_exact + (at::log(rel.to(at::kFloat) / static_cast<float>(max_exact)) /
                              std::log(static_cast<double>(max_distance) / static_cast<double>(max_exact)) *
                              static_cast<double>(half - max_exact))
                                 .to(at::kLong);
    large = at::clamp_max(large, half - 1);
    return buckets + at::where(is_small, rel, large);
}

namespace {

// The mask value of the reference (torch.finfo(dtype).min): masked scores become exactly this.
double lowestValue(at::ScalarType t) {
    switch (t) {
        case at::kHalf: return static_cast<double>(std::numeric_limits<c10::Half>::lowest());
        case at::kBFloat16: return static_cast<double>(std::numeric_limits<c10::BFloat16>::lowest());
        case at::kDouble: return std::numeric_limits<double>::lowest();
        default: return static_cast<double>(std::numeric_limits<float>::lowest());
    }
}

}  // namespace

class Umt5Attention : public torch::nn::Module {
public:
    Umt5Attention(const Umt5Config& c) : heads(c.num_heads), d_kv(c.d_kv), num_buckets(c.num_buckets),
                                          max_distance(c.max_distance) {
        const int64_t inner = c.num_heads * c.d_kv;
        q = register_module("q", std::make_shared<Linear>(c.d_model, inner, false));
        k = register_module("k", std::make_shared<Linear>(c.d_model, inner, false));
        v = register_module("v", std::make_shared<Linear>(c.d_model, inner, false));
        o = register_module("o", std::make_shared<Linear>(inner, c.d_model, false));
        relative_attention_bias = register_module("relative_attention_bias", std::make_shared<torch::nn::Module>());
        bias_table = emptyParameter(*relative_attention_bias, "weight", {c.num_buckets, c.num_heads});
    }

    // x [B, L, D]; mask_bias [B, 1, 1, L] (0 or the dtype's lowest value).
    at::Tensor forward(const at::Tensor& x, const at::Tensor& mask_bias) const {
        const int64_t B = x.size(0), L = x.size(1);
        auto split = [&](const at::Tensor& t) { return t.view({B, L, heads, d_kv}).transpose(1, 2); };
        const auto qh = split(q->forward(x)), kh = split(k->forward(x)), vh = split(v->forward(x));
        // Every UMT5 layer has its own bias table.
        const auto buckets = relativePositionBuckets(L, L, num_buckets, max_distance);
        const auto pos_bias = at::embedding(bias_table, buckets).permute({2, 0, 1}).unsqueeze(0).to(x.scalar_type());
        // T5 attention is not scaled by 1/sqrt(d); the softmax runs in float32.
        auto scores = at::matmul(qh, kh.transpose(-1, -2)) + pos_bias + mask_bias;
        const auto probs = at::softmax(scores.to(at::kFloat), -1).to(x.scalar_type());
        const auto out = at::matmul(probs, vh).transpose(1, 2).reshape({B, L, heads * d_kv});
        return o->forward(out);
    }

    std::shared_ptr<Linear> q, k, v, o;
    std::shared_ptr<torch::nn::Module> relative_attention_bias;
    at::Tensor bias_table;
    int64_t heads, d_kv, num_buckets, max_distance;
};

class Umt5Layer : public torch::nn::Module {
public:
    explicit Umt5Layer(const Umt5Config& c) {
        auto l0 = register_module("0", std::make_shared<torch::nn::Module>());
        attn = l0->register_module("SelfAttention", std::make_shared<Umt5Attention>(c));
        norm0 = l0->register_module("layer_norm", std::make_shared<RMSNorm>(c.d_model, c.eps));
        auto l1 = register_module("1", std::make_shared<torch::nn::Module>());
        auto ff = l1->register_module("DenseReluDense", std::make_shared<torch::nn::Module>());
        wi_0 = ff->register_module("wi_0", std::make_shared<Linear>(c.d_model, c.d_ff, false));
        wi_1 = ff->register_module("wi_1", std::make_shared<Linear>(c.d_model, c.d_ff, false));
        wo = ff->register_module("wo", std::make_shared<Linear>(c.d_ff, c.d_model, false));
        norm1 = l1->register_module("layer_norm", std::make_shared<RMSNorm>(c.d_model, c.eps));
    }

    at::Tensor forward(const at::Tensor& x, const at::Tensor& mask_bias) const {
        auto h = x + attn->forward(norm0->forward(x), mask_bias);
        const auto n = norm1->forward(h);
        // Gated GELU: wo(gelu_tanh(wi_0 x) * wi_1 x)
        return h + wo->forward(at::gelu(wi_0->forward(n), "tanh") * wi_1->forward(n));
    }

    std::shared_ptr<Umt5Attention> attn;
    std::shared_ptr<RMSNorm> norm0, norm1;
    std::shared_ptr<Linear> wi_0, wi_1, wo;
};

Umt5Encoder::Umt5Encoder(const Umt5Config& config) : config_(config) {
    auto sharedModule = register_module("shared", std::make_shared<torch::nn::Module>());
    shared = emptyParameter(*sharedModule, "weight", {config.vocab_size, config.d_model});
    auto encoder = register_module("encoder", std::make_shared<torch::nn::Module>());
    auto blocks = encoder->register_module("block", std::make_shared<torch::nn::Module>());
    for (int64_t i = 0; i < config.num_layers; ++i) {
        auto block = blocks->register_module(std::to_string(i), std::make_shared<torch::nn::Module>());
        layers_.push_back(block->register_module("layer", std::make_shared<Umt5Layer>(config)));
    }
    final_norm_ = encoder->register_module("final_layer_norm", std::make_shared<RMSNorm>(config.d_model, config.eps));
}

at::Tensor Umt5Encoder::forward(const at::Tensor& input_ids, const at::Tensor& attention_mask) const {
    if (input_ids.dim() != 2 || attention_mask.sizes() != input_ids.sizes()) {
        throw EngineError("text encoder: input_ids and attention_mask must both be [batch, length]");
    }
    if (input_ids.numel() > 0 && (input_ids.min().item<int64_t>() < 0 || input_ids.max().item<int64_t>() >= config_.vocab_size)) {
        throw EngineError("text encoder: token ids outside the vocabulary of " + std::to_string(config_.vocab_size));
    }
    auto x = at::embedding(shared, input_ids);
    const double lowest = lowestValue(x.scalar_type());
    const auto mask_bias = at::where(attention_mask.view({input_ids.size(0), 1, 1, input_ids.size(1)}) == 0,
                                     at::scalar_tensor(lowest, x.options()), at::scalar_tensor(0.0, x.options()));
    for (const auto& layer : layers_) x = layer->forward(x, mask_bias);
    return final_norm_->forward(x);
}

at::Tensor promptEmbeds(const at::Tensor& last_hidden_state, const at::Tensor& attention_mask) {
    const int64_t L = last_hidden_state.size(1);
    const auto lengths = attention_mask.sum(1, /*keepdim=*/true);
    const auto keep = (at::arange(L, at::kLong).unsqueeze(0) < lengths).unsqueeze(-1);
    return at::where(keep, last_hidden_state, at::zeros({}, last_hidden_state.options()));
}

std::shared_ptr<Umt5Encoder> loadTextEncoder(const std::string& folder, at::ScalarType dtype) {
    namespace fs = std::filesystem;
    const auto config = Umt5Config::fromFile((fs::path(folder) / "config.json").string());
    const auto checkpoint = Checkpoint::openInFolder(folder, {"model", "diffusion_pytorch_model"});
    LoadOptions opts;
    opts.dtype = dtype;
    opts.what = "the UMT5 text encoder of " + folder + "/config.json";
    // Transformers checkpoints may carry a second copy of the embedding under this name.
    opts.ignore = [](const std::string& name) { return name == "encoder.embed_tokens.weight"; };
    {
        // The config's sizes are only trusted once the checkpoint has tensors of those shapes.
        ShapeOnlyParameters shapeOnly;
        checkWeights(Umt5Encoder(config), checkpoint, opts);
    }
    auto model = std::make_shared<Umt5Encoder>(config);
    loadWeights(*model, checkpoint, opts);
    return model;
}

}  // namespace kinora::engine
