#include "engine/bench.h"

#include "engine/error.h"
#include "engine/runtime.h"
#include "engine/wan_pipeline.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include <sys/resource.h>

namespace kinora::engine {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double statusField(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) == 0) return std::stod(line.substr(std::string(key).size())) / 1024.0;
    }
    return 0;
}

int64_t countParameters(torch::nn::Module& m) {
    int64_t n = 0;
    for (const auto& p : m.parameters()) n += p.numel();
    return n;
}

// Multiply-adds x 2 of one transformer call on one sample with `S` video tokens and `L` text tokens.
double transformerFlop(const TransformerConfig& c, int64_t S, int64_t L) {
    const double d = static_cast<double>(c.dim()), f = static_cast<double>(c.ffn_dim);
    const double s = static_cast<double>(S), l = static_cast<double>(L);
    const double patch = static_cast<double>(c.in_channels * c.patch_size[0] * c.patch_size[1] * c.patch_size[2]);
    const double patchOut = static_cast<double>(c.out_channels * c.patch_size[0] * c.patch_size[1] * c.patch_size[2]);
    double flop = 2 * s * patch * d + 2 * s * d * patchOut;              // patch embedding, output projection
    flop += 2 * l * (static_cast<double>(c.text_dim) * d + d * d);       // text projection
    const double block = 2 * s * 4 * d * d + 4 * s * s * d               // self-attention: q k v o, QK^T and PV
                         + 2 * s * 2 * d * d + 2 * l * 2 * d * d + 4 * s * l * d  // cross-attention
                         + 2 * s * 2 * d * f;                             // feed-forward
    return flop + static_cast<double>(c.num_layers) * block;
}

}  // namespace

int64_t minorPageFaults() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<int64_t>(u.ru_minflt);
}

double peakRssMiB() { return statusField("VmHWM:"); }
double rssMiB() { return statusField("VmRSS:"); }

LoadBench benchLoad(const std::string& model_dir, const std::string& dtype) {
    at::InferenceMode guard;
    LoadBench b;
    b.rss_before_mib = rssMiB();
    const auto summary = inspectModel(model_dir);
    if (!summary.ok()) throw EngineError(summary.error);
    checkDeviceSupport("cpu", dtype);
    const auto dt = dtype == "bfloat16" ? at::kBFloat16 : at::kFloat;
    const fs::path root(model_dir);
    const auto start = Clock::now();
    auto time = [&](const std::string& name, auto&& load) {
        const auto t = Clock::now();
        const int64_t params = load();
        b.parts.push_back({name, since(t), params});
        b.weights_mib += static_cast<double>(params) * static_cast<double>(at::elementSize(dt)) / (1024.0 * 1024.0);
    };
    std::shared_ptr<Tokenizer> tok;
    std::shared_ptr<Umt5Encoder> text;
    std::shared_ptr<WanTransformer> transformer;
    std::shared_ptr<WanVAE> vae;
    time("tokenizer", [&] { tok = Tokenizer::load((root / "tokenizer").string()); return int64_t{0}; });
    time("text_encoder", [&] { text = loadTextEncoder((root / "text_encoder").string(), dt); return countParameters(*text); });
    time("transformer", [&] { transformer = loadTransformer((root / "transformer").string(), dt); return countParameters(*transformer); });
    time("vae", [&] { vae = loadVae((root / "vae").string(), at::kFloat); return countParameters(*vae); });
    b.total_seconds = since(start);
    b.peak_rss_mib = peakRssMiB();
    return b;
}

GenerationBench benchGeneration(const std::string& model_dir, const GenerationRequest& request,
                                const PipelineOptions& options) {
    GenerationBench b;
    const auto loadStart = Clock::now();
    auto pipeline = Pipeline::load(model_dir, options);
    b.load_seconds = since(loadStart);
    auto& impl = pipeline->impl();
    auto r = impl.resolve(request);
    if (!r.seed) r.seed = 42;
    b.request = r;
    const auto& tc = impl.transformer->config();
    b.transformer_parameters = countParameters(*impl.transformer);
    b.tokens = static_cast<int>(((r.frames - 1) / 4 + 1) / tc.patch_size[0] * (r.height / 8 / tc.patch_size[1]) *
                                (r.width / 8 / tc.patch_size[2]));
    b.transformer_gflop = transformerFlop(tc, b.tokens, impl.model().defaults.max_sequence_length) / 1e9;

    at::InferenceMode guard;
    // Per-step costs from a guided and an unguided run (best step of each, after the first).
    auto bestStep = [&](double guidance) {
        auto rr = r;
        rr.guidance = guidance;
        rr.steps = std::max(3, std::min(r.steps, 6));
        std::vector<double> stepTimes;
        double last = 0;
        GenerationCallbacks cb;
        cb.on_step = [&](const StepProgress& p) {
            stepTimes.push_back(p.elapsed - last);
            last = p.elapsed;
        };
        impl.run(rr, cb, nullptr);
        return *std::min_element(stepTimes.begin() + 1, stepTimes.end());
    };
    b.step_plain_seconds = bestStep(1.0);
    b.step_cfg_seconds = bestStep(r.guidance > 1 ? r.guidance : 5.0);
    b.achieved_gflops = 2 * b.transformer_gflop / b.step_cfg_seconds;
    // The clip as a user asks for it, end to end (load excluded), after the warm-up runs above.
    const int64_t faultsBefore = minorPageFaults();
    const auto clip = impl.run(r, {}, nullptr);
    b.page_faults = minorPageFaults() - faultsBefore;
    b.text_seconds = clip.timings.text;
    b.decode_seconds = clip.timings.decode;
    b.total_seconds = clip.timings.total;
    b.peak_rss_mib = peakRssMiB();
    return b;
}

}  // namespace kinora::engine
