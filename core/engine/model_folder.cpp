#include "engine/model_folder.h"

#include "engine/config_json.h"
#include "engine/error.h"
#include "engine/safetensors.h"
#include "engine/schedulers.h"
#include "engine/text_encoder.h"
#include "engine/tokenizer.h"
#include "engine/transformer.h"

#include <filesystem>
#include <set>

namespace kinora::engine {

namespace fs = std::filesystem;

int64_t ModelSummary::parameters() const {
    int64_t n = 0;
    for (const auto& c : components) n += c.parameters;
    return n;
}

uint64_t ModelSummary::bytes() const {
    uint64_t n = 0;
    for (const auto& c : components) n += c.bytes;
    return n;
}

bool isModelFolder(const std::string& folder) {
    std::error_code ec;
    return fs::is_regular_file(fs::path(folder) / "model_index.json", ec);
}

namespace {

void summariseWeights(ComponentSummary& c, const std::vector<std::string>& stems) {
    const auto cp = Checkpoint::openInFolder(c.path, stems);
    std::set<std::string> dtypes;
    for (const auto& [name, entry] : cp.entries()) {
        c.parameters += entry.info->numel();
        dtypes.insert(dtypeName(entry.info->dtype));
    }
    for (const auto& d : dtypes) c.dtypes += (c.dtypes.empty() ? "" : ", ") + d;
    for (const auto& f : cp.files()) c.files.push_back(f->path());
}

uint64_t folderBytes(const std::string& folder) {
    uint64_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(folder, ec)) {
        if (e.is_regular_file(ec)) n += e.file_size(ec);
    }
    return n;
}

ComponentSummary component(const std::string& name, const std::string& cls, const std::string& folder) {
    ComponentSummary c;
    c.name = name;
    c.class_name = cls;
    c.path = (fs::path(folder) / name).string();
    return c;
}

ModelDefaults readDefaults(const ConfigReader& index, const TransformerConfig& t) {
    ModelDefaults d;
    // Wan2.1's own settings for its large models (480p, 81 frames at 16 fps, 50 steps, guidance 5);
    // small models (like the bundled one) default to what they were trained on.
    const bool large = t.dim() >= 1024;
    d.width = large ? 832 : 128;
    d.height = large ? 480 : 128;
    d.frames = large ? 81 : 17;
    d.fps = large ? 16 : 8;
    d.steps = large ? 50 : 20;
    d.guidance = 5.0;
    d.max_sequence_length = 512;
    if (index.has("kinora")) {
        const ConfigReader k(index.where() + " (key 'kinora')", index.raw()["kinora"]);
        d.width = static_cast<int>(k.integerOr("width", d.width, 16, 8192));
        d.height = static_cast<int>(k.integerOr("height", d.height, 16, 8192));
        d.frames = static_cast<int>(k.integerOr("frames", d.frames, 1, 4097));
        d.fps = static_cast<int>(k.integerOr("fps", d.fps, 1, 240));
        d.steps = static_cast<int>(k.integerOr("steps", d.steps, 1, 1000));
        d.guidance = k.numberOr("guidance", d.guidance);
        d.max_sequence_length = static_cast<int>(k.integerOr("max_sequence_length", d.max_sequence_length, 1, 4096));
        d.frame_noise_share = k.numberOr("frame_noise_share", 0.0);
        if (!(d.frame_noise_share >= 0 && d.frame_noise_share < 1)) {
            k.fail("frame_noise_share", "must be a share from 0 up to (not including) 1, not " + std::to_string(d.frame_noise_share));
        }
    }
    return d;
}

}  // namespace

RequestLimits requestLimits(const TransformerConfig& t) {
    RequestLimits l;
    l.size_multiple = static_cast<int>(8 * t.patch_size[1]);
    const int64_t positions = t.rope_max_seq_len;  // per axis, after patching
    l.max_size = static_cast<int>(std::min<int64_t>(4096 / l.size_multiple, positions) * l.size_multiple);
    // Latent frames are (frames - 1) / 4 + 1 and each needs a temporal position.
    l.max_frames = static_cast<int>(std::min<int64_t>(1025, 4 * (positions - 1) + 1));
    return l;
}

ModelSummary inspectModel(const std::string& folder) {
    ModelSummary m;
    m.path = folder;
    m.name = fs::path(folder).filename().string();
    if (m.name.empty()) m.name = fs::path(folder).parent_path().filename().string();
    try {
        std::error_code ec;
        if (!fs::is_directory(folder, ec)) throw EngineError(folder + ": not a folder");
        const auto index = ConfigReader::fromFile((fs::path(folder) / "model_index.json").string());
        const std::string cls = index.stringOr("_class_name", "");
        if (cls != "WanPipeline") {
            index.fail("_class_name", "is '" + cls + "'; Kinora runs Wan2.1 text-to-video models (\"WanPipeline\")");
        }
        for (const char* part : {"scheduler", "text_encoder", "tokenizer", "transformer", "vae"}) {
            if (!index.has(part)) index.fail(part, "is missing: the pipeline needs this component");
            if (!fs::is_directory(fs::path(folder) / part, ec)) {
                throw EngineError((fs::path(folder) / part).string() + ": missing component folder");
            }
        }
        // Diffusers writes [null, null] for an absent optional component.
        const auto& t2 = index.raw().contains("transformer_2") ? index.raw()["transformer_2"] : nlohmann::json();
        if (!t2.is_null() && !(t2.is_array() && !t2.empty() && t2[0].is_null())) {
            index.fail("transformer_2", "is set: two-expert (Wan2.2) models are not supported");
        }

        ComponentSummary text = component("text_encoder", "UMT5EncoderModel", folder);
        const auto umt5 = Umt5Config::fromFile(text.path + "/config.json");
        summariseWeights(text, {"model", "diffusion_pytorch_model"});

        ComponentSummary tok = component("tokenizer", "T5Tokenizer", folder);
        const auto tokenizer = Tokenizer::load(tok.path);
        checkTokenizerMatchesEncoder(*tokenizer, umt5, folder);

        ComponentSummary tr = component("transformer", "WanTransformer3DModel", folder);
        const auto tcfg = TransformerConfig::fromFile(tr.path + "/config.json");
        summariseWeights(tr, {"diffusion_pytorch_model", "model"});
        m.limits = requestLimits(tcfg);
        if (tcfg.text_dim != umt5.d_model) {
            throw EngineError(tr.path + "/config.json: text_dim " + std::to_string(tcfg.text_dim) +
                              " does not match the text encoder's d_model " + std::to_string(umt5.d_model));
        }

        ComponentSummary vae = component("vae", "AutoencoderKLWan", folder);
        const auto vcfg = ConfigReader::fromFile(vae.path + "/config.json");
        if (vcfg.stringOr("_class_name", "") != "AutoencoderKLWan") {
            vcfg.fail("_class_name", "is '" + vcfg.stringOr("_class_name", "") + "'; Kinora runs \"AutoencoderKLWan\"");
        }
        if (vcfg.integer("z_dim", 1, 4096) != tcfg.in_channels) {
            throw EngineError(vae.path + "/config.json: z_dim does not match the transformer's in_channels " +
                              std::to_string(tcfg.in_channels));
        }
        summariseWeights(vae, {"diffusion_pytorch_model", "model"});

        ComponentSummary sched = component("scheduler", "", folder);
        const auto scfg = SchedulerConfig::fromFile(sched.path + "/scheduler_config.json");
        sched.class_name = scfg.class_name;

        for (auto* c : {&text, &tok, &tr, &vae, &sched}) c->bytes = folderBytes(c->path);
        m.components = {text, tok, tr, vae, sched};
        m.defaults = readDefaults(index, tcfg);
        m.defaults.sampler = scfg.isUniPC() ? "unipc" : "euler";
        m.defaults.shift = scfg.shift;
        m.defaults.max_sequence_length = static_cast<int>(std::min<int64_t>(m.defaults.max_sequence_length, tokenizer->modelMaxLength()));
    } catch (const std::exception& e) {
        m.error = e.what();
        m.components.clear();
    }
    return m;
}

}  // namespace kinora::engine
