#include "train/model_spec.h"

#include "engine/error.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace kinora::train {

namespace fs = std::filesystem;
using nlohmann::json;

json ModelSpec::textConfigJson() const {
    return {{"architectures", {"UMT5EncoderModel"}},
            {"model_type", "umt5"},
            {"vocab_size", text.vocab_size},
            {"d_model", text.d_model},
            {"d_kv", text.d_kv},
            {"d_ff", text.d_ff},
            {"num_layers", text.num_layers},
            {"num_decoder_layers", text.num_layers},
            {"num_heads", text.num_heads},
            {"relative_attention_num_buckets", text.num_buckets},
            {"relative_attention_max_distance", text.max_distance},
            {"dropout_rate", 0.0},
            {"layer_norm_epsilon", text.eps},
            {"initializer_factor", 1.0},
            {"feed_forward_proj", "gated-gelu"},
            {"dense_act_fn", "gelu_new"},
            {"is_gated_act", true},
            {"is_encoder_decoder", true},
            {"tie_word_embeddings", false},
            {"pad_token_id", text.pad_token_id},
            {"eos_token_id", text.eos_token_id},
            {"decoder_start_token_id", 0},
            {"scalable_attention", false},
            {"torch_dtype", "float32"}};
}

json ModelSpec::transformerConfigJson() const {
    const auto& t = transformer;
    return {{"_class_name", "WanTransformer3DModel"},
            {"_diffusers_version", "0.33.0"},
            {"added_kv_proj_dim", nullptr},
            {"attention_head_dim", t.head_dim},
            {"cross_attn_norm", t.cross_attn_norm},
            {"eps", t.eps},
            {"ffn_dim", t.ffn_dim},
            {"freq_dim", t.freq_dim},
            {"image_dim", nullptr},
            {"in_channels", t.in_channels},
            {"num_attention_heads", t.num_heads},
            {"num_layers", t.num_layers},
            {"out_channels", t.out_channels},
            {"patch_size", {t.patch_size[0], t.patch_size[1], t.patch_size[2]}},
            {"pos_embed_seq_len", nullptr},
            {"qk_norm", "rms_norm_across_heads"},
            {"rope_max_seq_len", t.rope_max_seq_len},
            {"text_dim", t.text_dim}};
}

json ModelSpec::vaeConfigJson() const {
    const auto& v = vae;
    return {{"_class_name", "AutoencoderKLWan"},
            {"_diffusers_version", "0.33.0"},
            {"attn_scales", json::array()},
            {"base_dim", v.base_dim},
            {"decoder_base_dim", v.decoder_base_dim == v.base_dim ? json(nullptr) : json(v.decoder_base_dim)},
            {"dim_mult", v.dim_mult},
            {"dropout", 0.0},
            {"in_channels", v.in_channels},
            {"is_residual", false},
            {"latents_mean", v.latents_mean},
            {"latents_std", v.latents_std},
            {"num_res_blocks", v.num_res_blocks},
            {"out_channels", v.out_channels},
            {"patch_size", nullptr},
            {"scale_factor_spatial", v.spatialFactor()},
            {"scale_factor_temporal", v.temporalFactor()},
            {"temperal_downsample", v.temperal_downsample},
            {"z_dim", v.z_dim}};
}

json ModelSpec::schedulerConfigJson() const {
    return {{"_class_name", "UniPCMultistepScheduler"},
            {"_diffusers_version", "0.33.0"},
            {"beta_end", 0.02},
            {"beta_schedule", "linear"},
            {"beta_start", 0.0001},
            {"disable_corrector", json::array()},
            {"dynamic_thresholding_ratio", 0.995},
            {"final_sigmas_type", "zero"},
            {"flow_shift", flow_shift},
            {"lower_order_final", true},
            {"num_train_timesteps", 1000},
            {"predict_x0", true},
            {"prediction_type", "flow_prediction"},
            {"rescale_betas_zero_snr", false},
            {"sample_max_value", 1.0},
            {"solver_order", 2},
            {"solver_p", nullptr},
            {"solver_type", "bh2"},
            {"steps_offset", 0},
            {"thresholding", false},
            {"timestep_spacing", "linspace"},
            {"trained_betas", nullptr},
            {"use_beta_sigmas", false},
            {"use_exponential_sigmas", false},
            {"use_flow_sigmas", true},
            {"use_karras_sigmas", false}};
}

json ModelSpec::modelIndexJson() const {
    return {{"_class_name", "WanPipeline"},
            {"_diffusers_version", "0.33.0"},
            {"scheduler", {"diffusers", "UniPCMultistepScheduler"}},
            {"text_encoder", {"transformers", "UMT5EncoderModel"}},
            {"tokenizer", {"transformers", "T5TokenizerFast"}},
            {"transformer", {"diffusers", "WanTransformer3DModel"}},
            {"transformer_2", {nullptr, nullptr}},
            {"vae", {"diffusers", "AutoencoderKLWan"}},
            {"kinora",
             {{"width", width}, {"height", height}, {"frames", frames}, {"fps", fps}, {"steps", steps},
              {"guidance", guidance}, {"max_sequence_length", max_sequence_length}, {"frame_noise_share", frame_noise_share}}}};
}

json ModelSpec::toJson() const {
    return {{"text_encoder", textConfigJson()}, {"transformer", transformerConfigJson()}, {"vae", vaeConfigJson()},
            {"scheduler", schedulerConfigJson()}, {"model_index", modelIndexJson()},
            {"training", {{"frame_noise_share", train_frame_noise_share}, {"flow_shift", train_flow_shift}}}};
}

namespace {

// Parses a component config through the engine's own reader, from a JSON value.
template <typename Config>
Config readVia(const json& j, const std::string& name) {
    const auto tmp = fs::temp_directory_path() / ("kinora-spec-" + std::to_string(getpid()) + "-" + name + ".json");
    writeJson(tmp.string(), j);
    try {
        auto c = Config::fromFile(tmp.string());
        fs::remove(tmp);
        return c;
    } catch (...) {
        fs::remove(tmp);
        throw;
    }
}

}  // namespace

ModelSpec ModelSpec::fromJson(const json& j) {
    ModelSpec s;
    s.text = readVia<engine::Umt5Config>(j.at("text_encoder"), "text");
    s.transformer = readVia<engine::TransformerConfig>(j.at("transformer"), "transformer");
    s.vae = readVia<engine::VaeConfig>(j.at("vae"), "vae");
    s.flow_shift = j.at("scheduler").at("flow_shift").get<double>();
    const auto& k = j.at("model_index").at("kinora");
    s.width = k.at("width");
    s.height = k.at("height");
    s.frames = k.at("frames");
    s.fps = k.at("fps");
    s.steps = k.at("steps");
    s.guidance = k.at("guidance");
    s.max_sequence_length = k.at("max_sequence_length");
    auto share = [](const json& obj, const std::string& where, double fallback) {
        const double v = obj.value("frame_noise_share", fallback);
        if (!(v >= 0 && v < 1)) {
            throw engine::EngineError(where + ".frame_noise_share: a share from 0 up to (not including) 1, not " + std::to_string(v));
        }
        return v;
    };
    s.frame_noise_share = share(k, "model_index.kinora", 0.0);
    s.train_frame_noise_share = s.frame_noise_share;
    s.train_flow_shift = s.flow_shift;
    if (j.contains("training")) {
        const auto& t = j.at("training");
        if (!t.is_object()) throw engine::EngineError("training: an object of trainer-only settings, such as {\"frame_noise_share\": 0.5}");
        s.train_frame_noise_share = share(t, "training", s.frame_noise_share);
        s.train_flow_shift = t.value("flow_shift", s.flow_shift);
        // The range --dit-shift accepts: below 1 the shift would favour low noise, past 20 nearly every
        // training step would be pure noise.
        if (!(s.train_flow_shift >= 1 && s.train_flow_shift <= 20)) {
            throw engine::EngineError("training.flow_shift: a timestep shift from 1 to 20, not " + std::to_string(s.train_flow_shift));
        }
    }
    return s;
}

void writeJson(const std::string& path, const json& j) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        out << j.dump(2) << "\n";
        if (!out) throw engine::EngineError(path + ": cannot write");
    }
    fs::rename(tmp, path);
}

// ---- initialisation ------------------------------------------------------------------------------

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Xavier-uniform for matrices (fan in/out of the last two dims times any kernel volume).
void xavier(at::Tensor& w, at::Generator& gen, double gain = 1.0) {
    const int64_t out = w.size(0);
    const int64_t in = w.numel() / out;
    const int64_t receptive = w.dim() > 2 ? w.numel() / (w.size(0) * w.size(1)) : 1;
    const double fan_in = static_cast<double>(in), fan_out = static_cast<double>(out * receptive);
    const double bound = gain * std::sqrt(6.0 / (fan_in + fan_out));
    w.uniform_(-bound, bound, gen);
}

}  // namespace

void initTextEncoder(engine::Umt5Encoder& m, uint64_t seed) {
    at::NoGradGuard ng;
    auto gen = at::detail::createCPUGenerator(seed);
    const auto& c = m.config();
    for (auto& p : m.named_parameters(true)) {
        const std::string& n = p.key();
        auto t = p.value();
        // T5's initialisation: unscaled attention, so queries start small (std (d_model*d_kv)^-1/2).
        if (endsWith(n, "layer_norm.weight") || endsWith(n, "final_layer_norm.weight")) t.fill_(1.0);
        else if (n == "shared.weight") t.normal_(0, 1.0, gen);
        else if (endsWith(n, "SelfAttention.q.weight")) t.normal_(0, std::pow(static_cast<double>(c.d_model * c.d_kv), -0.5), gen);
        else if (endsWith(n, "SelfAttention.k.weight") || endsWith(n, "SelfAttention.v.weight")) t.normal_(0, std::pow(static_cast<double>(c.d_model), -0.5), gen);
        else if (endsWith(n, "SelfAttention.o.weight")) t.normal_(0, std::pow(static_cast<double>(c.num_heads * c.d_kv), -0.5), gen);
        else if (endsWith(n, "relative_attention_bias.weight")) t.normal_(0, std::pow(static_cast<double>(c.d_model), -0.5), gen);
        else if (endsWith(n, "wi_0.weight") || endsWith(n, "wi_1.weight")) t.normal_(0, std::pow(static_cast<double>(c.d_model), -0.5), gen);
        else if (endsWith(n, "wo.weight")) t.normal_(0, std::pow(static_cast<double>(c.d_ff), -0.5), gen);
        else throw std::logic_error("initTextEncoder: no rule for " + n);
    }
}

void initTransformer(engine::WanTransformer& m, uint64_t seed) {
    at::NoGradGuard ng;
    auto gen = at::detail::createCPUGenerator(seed);
    const double dim = static_cast<double>(m.config().dim());
    for (auto& p : m.named_parameters(true)) {
        const std::string& n = p.key();
        auto t = p.value();
        if (endsWith(n, ".bias")) t.zero_();
        else if (endsWith(n, "norm_q.weight") || endsWith(n, "norm_k.weight") || endsWith(n, "norm2.weight")) t.fill_(1.0);
        else if (endsWith(n, "scale_shift_table")) t.normal_(0, 1.0 / std::sqrt(dim), gen);
        // The output projection starts at zero (the first prediction is 0), and the modulation
        // projection small, so early training is stable (adaLN-zero style).
        else if (n == "proj_out.weight") t.zero_();
        else if (n == "condition_embedder.time_proj.weight") t.normal_(0, 0.02 / std::sqrt(dim), gen);
        else if (n == "condition_embedder.text_embedder.linear_1.weight" ||
                 n == "condition_embedder.time_embedder.linear_1.weight") t.normal_(0, 0.02, gen);
        else if (endsWith(n, ".weight")) xavier(t, gen);
        else throw std::logic_error("initTransformer: no rule for " + n);
    }
}

void initVae(engine::WanVAE& m, uint64_t seed) {
    at::NoGradGuard ng;
    auto gen = at::detail::createCPUGenerator(seed);
    for (auto& p : m.named_parameters(true)) {
        const std::string& n = p.key();
        auto t = p.value();
        if (endsWith(n, ".bias")) t.zero_();
        else if (endsWith(n, "gamma")) t.fill_(1.0);  // RMS-norm scales
        else if (t.dim() >= 2) {
            // Kaiming-like for the convolutions: keeps activations' scale through the residual stacks.
            const double fan_in = static_cast<double>(t.numel() / t.size(0));
            t.normal_(0, std::sqrt(1.0 / fan_in), gen);
        } else t.fill_(1.0);
    }
}

// ---- writing ---------------------------------------------------------------------------------------

std::vector<std::pair<std::string, at::Tensor>> namedWeights(torch::nn::Module& m, at::ScalarType dtype) {
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& p : m.named_parameters(true)) out.emplace_back(p.key(), p.value().detach().to(dtype).contiguous());
    for (const auto& b : m.named_buffers(true)) out.emplace_back(b.key(), b.value().detach().to(dtype).contiguous());
    return out;
}

void writeModelFolder(const std::string& dir, const ModelSpec& spec, engine::Umt5Encoder& text,
                      engine::WanTransformer& transformer, engine::WanVAE& vae, const std::string& tokenizer_dir,
                      engine::StDType dtype) {
    const fs::path root(dir);
    const fs::path tmp = root.string() + ".writing";
    fs::remove_all(tmp);
    for (const char* sub : {"scheduler", "text_encoder", "tokenizer", "transformer", "vae"}) fs::create_directories(tmp / sub);
    const auto scalar = engine::toScalarType(dtype);
    writeJson((tmp / "model_index.json").string(), spec.modelIndexJson());
    writeJson((tmp / "scheduler" / "scheduler_config.json").string(), spec.schedulerConfigJson());
    writeJson((tmp / "text_encoder" / "config.json").string(), spec.textConfigJson());
    writeJson((tmp / "transformer" / "config.json").string(), spec.transformerConfigJson());
    writeJson((tmp / "vae" / "config.json").string(), spec.vaeConfigJson());
    const std::map<std::string, std::string> meta{{"format", "pt"}, {"producer", "kinora-train"}};
    engine::writeSafetensors((tmp / "text_encoder" / "model.safetensors").string(), namedWeights(text, scalar), meta);
    engine::writeSafetensors((tmp / "transformer" / "diffusion_pytorch_model.safetensors").string(),
                             namedWeights(transformer, scalar), meta);
    engine::writeSafetensors((tmp / "vae" / "diffusion_pytorch_model.safetensors").string(), namedWeights(vae, scalar), meta);
    for (const char* f : {"spiece.model", "tokenizer_config.json", "special_tokens_map.json"}) {
        const fs::path src = fs::path(tokenizer_dir) / f;
        if (fs::exists(src)) fs::copy_file(src, tmp / "tokenizer" / f, fs::copy_options::overwrite_existing);
    }
    fs::remove_all(root);
    fs::rename(tmp, root);
}

}  // namespace kinora::train
