#include "engine/debug_tools.h"

#include "engine/error.h"
#include "engine/safetensors.h"
#include "engine/text_encoder.h"
#include "engine/tokenizer.h"
#include "engine/transformer.h"
#include "engine/vae.h"

#include <filesystem>

namespace kinora::engine {

namespace fs = std::filesystem;

namespace {

at::Tensor input(const SafetensorsFile& file, const std::string& name, at::ScalarType dtype, int64_t dims) {
    if (!file.find(name)) throw EngineError(file.path() + ": the input tensor '" + name + "' is missing");
    auto t = file.tensor(name);
    if (t.dim() != dims) {
        throw EngineError(file.path() + ": '" + name + "' must have " + std::to_string(dims) + " dimensions, not " +
                          std::to_string(t.dim()));
    }
    if (dtype == at::kLong && !(t.scalar_type() == at::kLong || t.scalar_type() == at::kInt)) {
        throw EngineError(file.path() + ": '" + name + "' must be an integer tensor (I64)");
    }
    return t.to(dtype);
}

std::string component(const std::string& model_dir, const std::string& name) {
    const auto path = fs::path(model_dir) / name;
    std::error_code ec;
    if (!fs::is_directory(path, ec)) throw EngineError(path.string() + ": missing component folder");
    return path.string();
}

}  // namespace

nlohmann::json debugTokenize(const std::string& model_dir, int64_t max_length, const std::vector<std::string>& texts) {
    const auto tok = Tokenizer::load(component(model_dir, "tokenizer"));
    const auto batch = tok->tokenize(texts, max_length);
    nlohmann::json ids = nlohmann::json::array(), mask = nlohmann::json::array();
    for (int64_t b = 0; b < batch.input_ids.size(0); ++b) {
        const auto row = batch.input_ids[b].contiguous();
        const auto m = batch.attention_mask[b].contiguous();
        ids.push_back(std::vector<int64_t>(row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + row.numel()));
        mask.push_back(std::vector<int64_t>(m.data_ptr<int64_t>(), m.data_ptr<int64_t>() + m.numel()));
    }
    return {{"input_ids", ids}, {"attention_mask", mask}};
}

std::vector<std::string> debugComponents() { return {"text_encoder", "transformer", "vae_encode", "vae_decode"}; }

void debugRunComponent(const std::string& model_dir, const std::string& name, const std::string& inputs,
                       const std::string& out) {
    at::InferenceMode guard;
    const auto in = SafetensorsFile::open(inputs);
    std::vector<std::pair<std::string, at::Tensor>> outputs;
    if (name == "text_encoder") {
        const auto ids = input(*in, "input_ids", at::kLong, 2);
        const auto mask = input(*in, "attention_mask", at::kLong, 2);
        const auto enc = loadTextEncoder(component(model_dir, "text_encoder"));
        const auto hidden = enc->forward(ids, mask);
        outputs = {{"last_hidden_state", hidden.to(at::kFloat)}, {"prompt_embeds", promptEmbeds(hidden, mask).to(at::kFloat)}};
    } else if (name == "transformer") {
        const auto x = input(*in, "hidden_states", at::kFloat, 5);
        const auto t = input(*in, "timestep", at::kFloat, 1);
        const auto text = input(*in, "encoder_hidden_states", at::kFloat, 3);
        auto model = loadTransformer(component(model_dir, "transformer"));
        outputs = {{"sample", model->forward(x, t, text).to(at::kFloat)}};
    } else if (name == "vae_encode") {
        const auto video = input(*in, "sample", at::kFloat, 5);
        const auto vae = loadVae(component(model_dir, "vae"));
        const auto [mean, logvar] = vae->encode(video);
        outputs = {{"latent_mean", mean.to(at::kFloat)}, {"latent_logvar", logvar.to(at::kFloat)}};
    } else if (name == "vae_decode") {
        const auto latents = input(*in, "latents", at::kFloat, 5);
        const auto vae = loadVae(component(model_dir, "vae"));
        outputs = {{"sample", vae->decode(latents).to(at::kFloat)}};
    } else {
        std::string known;
        for (const auto& c : debugComponents()) known += (known.empty() ? "" : ", ") + c;
        throw EngineError("unknown component '" + name + "' (known: " + known + ")");
    }
    writeSafetensors(out, outputs, {{"producer", "kinora debug run-component"}, {"component", name}});
}

}  // namespace kinora::engine
