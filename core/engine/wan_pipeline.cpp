#include "engine/wan_pipeline.h"

#include "engine/error.h"
#include "engine/frame_noise.h"
#include "engine/runtime.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/cuda.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

namespace kinora::engine {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void checkCancel(const GenerationCallbacks& cb) {
    if (cb.cancel && cb.cancel->load(std::memory_order_relaxed)) throw Cancelled();
}

at::ScalarType parseDtype(const std::string& d) {
    if (d == "float32") return at::kFloat;
    if (d == "bfloat16") return at::kBFloat16;
    if (d == "float16") return at::kHalf;
    throw EngineError("unknown dtype '" + d + "' (use float32, bfloat16 or float16)");
}

// Wan2.1's published 16x3 latent-to-RGB factors (as used by common video tools for previews), applied
// to normalised latents.
const float kWan21Rgb[16][3] = {
    {-0.1299f, -0.1692f, 0.2932f}, {0.0671f, 0.0406f, 0.0442f},   {0.3568f, 0.2548f, 0.1747f},
    {0.0372f, 0.2344f, 0.1420f},   {0.0313f, 0.0189f, -0.0328f},  {0.0296f, -0.0956f, -0.0665f},
    {-0.3477f, -0.4059f, -0.2925f}, {0.0166f, 0.1902f, 0.1975f},  {-0.0412f, 0.0267f, -0.1364f},
    {-0.1293f, 0.0740f, 0.1636f},  {0.0680f, 0.3019f, 0.1128f},   {0.0032f, 0.0581f, 0.0639f},
    {-0.1251f, 0.0927f, 0.1699f},  {0.0060f, -0.0633f, 0.0005f},  {0.3477f, 0.2275f, 0.2950f},
    {0.1984f, 0.0913f, 0.1861f}};
const float kWan21RgbBias[3] = {-0.1835f, -0.0868f, -0.3360f};

}  // namespace

void checkDeviceSupport(const std::string& device, const std::string& dtype) {
    const auto dt = parseDtype(dtype);
    if (device == "cuda") {
        if (!torch::cuda::is_available()) {
            throw EngineError("--device cuda: this LibTorch build (" + std::string(TORCH_VERSION) +
                              ") has no CUDA support or no GPU is visible; use --device cpu, or build Kinora against a CUDA LibTorch");
        }
    } else if (device != "cpu") {
        throw EngineError("unknown device '" + device + "' (use cpu or cuda)");
    }
    if (device == "cpu" && dt == at::kHalf) {
        throw EngineError("--dtype float16 is not supported on the CPU (LibTorch lacks half-precision CPU kernels); use float32 or bfloat16");
    }
}

WanPipeline::WanPipeline(ModelSummary model, PipelineOptions options) : model_(std::move(model)), options_(std::move(options)) {
    if (!model_.ok()) throw EngineError(model_.error);
    checkDeviceSupport(options_.device, options_.dtype);
    configureThreads(options_.threads);
    device_ = at::Device(options_.device == "cuda" ? at::kCUDA : at::kCPU);
    dtype_ = parseDtype(options_.dtype);
    const fs::path root(model_.path);
    tokenizer = Tokenizer::load((root / "tokenizer").string());
    text_encoder = loadTextEncoder((root / "text_encoder").string(), dtype_);
    transformer = loadTransformer((root / "transformer").string(), dtype_);
    // The VAE stays in float32 on the CPU: it is small next to the transformer, and its conv paths are
    // tuned for float32 there.
    vae = loadVae((root / "vae").string(), device_.is_cuda() ? dtype_ : at::kFloat);
    scheduler_config = SchedulerConfig::fromFile((root / "scheduler" / "scheduler_config.json").string());
    if (device_.is_cuda()) {
        text_encoder->to(device_);
        transformer->to(device_);
        vae->to(device_);
    }
    text_encoder->eval();
    transformer->eval();
    vae->eval();
}

namespace {

GenerationRequest resolveWith(const GenerationRequest& in, const ModelDefaults& d, const RequestLimits& l) {
    GenerationRequest r = in;
    if (r.width == 0) r.width = d.width;
    if (r.height == 0) r.height = d.height;
    if (r.frames == 0) r.frames = d.frames;
    if (r.steps == 0) r.steps = d.steps;
    if (r.fps == 0) r.fps = d.fps;
    if (r.guidance == -1) r.guidance = d.guidance;  // the "use the default" sentinel
    if (r.sampler.empty()) r.sampler = d.sampler;

    const int m = l.size_multiple;
    auto sizeCheck = [&](int v, const char* what) {
        if (v < m || v > 4096 || v % m != 0) {
            throw EngineError(std::string(what) + " " + std::to_string(v) + " is not allowed: it must be a multiple of " +
                              std::to_string(m) + " between " + std::to_string(m) + " and 4096");
        }
        if (v > l.max_size) {
            throw EngineError(std::string(what) + " " + std::to_string(v) + " is larger than this model supports (" +
                              std::to_string(l.max_size) + ")");
        }
    };
    sizeCheck(r.width, "width");
    sizeCheck(r.height, "height");
    if (r.frames < 1 || (r.frames - 1) % 4 != 0 || r.frames > 1025) {
        throw EngineError("frames " + std::to_string(r.frames) + " is not allowed: it must be 4k+1 (1, 5, 9, ..., 17, ..., 81) and at most 1025");
    }
    if (r.frames > l.max_frames) {
        throw EngineError("frames " + std::to_string(r.frames) + " is more than this model supports (" +
                          std::to_string(l.max_frames) + ")");
    }
    if (r.steps < 1 || r.steps > l.max_steps) {
        throw EngineError("steps " + std::to_string(r.steps) + " is not allowed: use 1 to " + std::to_string(l.max_steps));
    }
    if (!std::isfinite(r.guidance) || r.guidance < l.min_guidance || r.guidance > l.max_guidance) {
        throw EngineError("guidance " + std::to_string(r.guidance) + " is not allowed: use a value from 1 (no guidance) to " +
                          std::to_string(int(l.max_guidance)));
    }
    if (r.fps < 1 || r.fps > l.max_fps) {
        throw EngineError("fps " + std::to_string(r.fps) + " is not allowed: use 1 to " + std::to_string(l.max_fps));
    }
    if (!r.sampler.empty() && r.sampler != "unipc" && r.sampler != "euler") {
        throw EngineError("sampler '" + r.sampler + "' is unknown: use unipc or euler");
    }
    if (r.shift && (!std::isfinite(*r.shift) || *r.shift <= 0 || *r.shift > l.max_shift)) {
        throw EngineError("shift " + std::to_string(*r.shift) + " is not allowed: use a value above 0 and at most 100");
    }
    if (!r.shift) r.shift = d.shift;
    return r;
}

}  // namespace

GenerationRequest resolveRequest(const GenerationRequest& request, const ModelSummary& model) {
    if (!model.ok()) throw EngineError(model.error);
    return resolveWith(request, model.defaults, model.limits);
}

GenerationRequest WanPipeline::resolve(const GenerationRequest& in) const {
    return resolveWith(in, model_.defaults, requestLimits(transformer->config()));
}

at::Tensor WanPipeline::encodePrompts(const std::vector<std::string>& prompts, std::vector<bool>* truncated,
                                      PipelineTrace* trace) {
    const auto batch = tokenizer->tokenize(prompts, model_.defaults.max_sequence_length);
    if (truncated) *truncated = batch.truncated;
    const auto ids = batch.input_ids.to(device_), mask = batch.attention_mask.to(device_);
    const auto embeds = promptEmbeds(text_encoder->forward(ids, mask), mask).to(at::kFloat);
    if (trace) {  // the reference traces cond then uncond ids as one [2, L] batch
        for (const char* key : {"input_ids", "attention_mask"}) {
            const auto& t = std::string(key) == "input_ids" ? batch.input_ids : batch.attention_mask;
            auto& slot = trace->tensors[key];
            slot = slot.defined() ? at::cat({slot, t}, 0) : t;
        }
    }
    return embeds;
}

at::Tensor WanPipeline::initialLatents(const GenerationRequest& r, uint64_t seed) const {
    const int64_t z = transformer->config().in_channels;
    auto gen = at::detail::createCPUGenerator(seed);
    const auto own = at::randn({1, z, (r.frames - 1) / 4 + 1, r.height / 8, r.width / 8}, gen, at::kFloat);
    return mixFrameNoise(own, model_.defaults.frame_noise_share, gen);
}

GeneratedClip WanPipeline::run(const GenerationRequest& r, const GenerationCallbacks& cb, PipelineTrace* trace) {
    at::InferenceMode guard;
    if (!r.seed) throw std::logic_error("WanPipeline::run needs a resolved request with a seed");
    GeneratedClip clip;
    clip.request = r;
    if (dtype_ == at::kBFloat16 && device_.is_cpu() && !nativeBfloat16()) {
        clip.warnings.push_back("this processor has no bfloat16 instructions (AVX512-BF16): LibTorch emulates them, "
                                "which is much slower than float32; use --dtype float32");
    }
    const auto start = Clock::now();
    auto stage = [&](const char* s) {
        if (cb.on_stage) cb.on_stage(s);
    };

    // 1. Text.
    stage("encoding prompt");
    checkCancel(cb);
    const bool cfg = r.guidance > 1.0;
    std::vector<bool> cut;
    auto embeds = encodePrompts({r.prompt}, &cut, trace);
    if (cut[0]) clip.warnings.push_back("the prompt is longer than " + std::to_string(model_.defaults.max_sequence_length) +
                                        " tokens; the rest was ignored");
    if (trace) trace->tensors["prompt_embeds"] = embeds;
    if (cfg) {
        auto negative = encodePrompts({r.negative_prompt}, &cut, trace);
        if (cut[0]) clip.warnings.push_back("the negative prompt was cut to " + std::to_string(model_.defaults.max_sequence_length) + " tokens");
        if (trace) trace->tensors["negative_prompt_embeds"] = negative;
        embeds = at::cat({embeds, negative}, 0);
    }
    embeds = embeds.to(dtype_);
    clip.timings.text = since(start);

    // 2. Denoising.
    stage("denoising");
    auto scheduler = makeScheduler(scheduler_config, r.sampler, r.shift);
    scheduler->setTimesteps(r.steps);
    auto latents = initialLatents(r, *r.seed);
    if (trace) trace->tensors["initial_latents"] = latents;
    latents = latents.to(device_);
    const auto timesteps = scheduler->timesteps().to(at::kFloat);
    const auto denoiseStart = Clock::now();
    auto betweenBlocks = [&cb] { checkCancel(cb); };
    for (int i = 0; i < r.steps; ++i) {
        checkCancel(cb);
        const auto t = timesteps[i].to(device_);
        const auto modelIn = (cfg ? at::cat({latents, latents}, 0) : latents).to(dtype_);
        const auto pred = transformer->forward(modelIn, t.expand({modelIn.size(0)}), embeds, nullptr, betweenBlocks).to(at::kFloat);
        at::Tensor noise;
        if (cfg) {
            const auto cond = pred.narrow(0, 0, 1), uncond = pred.narrow(0, 1, 1);
            noise = uncond + r.guidance * (cond - uncond);
            if (trace) {
                trace->tensors["step" + std::to_string(i) + "_noise_pred_cond"] = cond;
                trace->tensors["step" + std::to_string(i) + "_noise_pred_uncond"] = uncond;
            }
        } else {
            noise = pred;
            if (trace) trace->tensors["step" + std::to_string(i) + "_noise_pred_cond"] = pred;
        }
        if (trace) {
            trace->tensors["step" + std::to_string(i) + "_timestep"] = t.reshape({1});
            trace->tensors["step" + std::to_string(i) + "_latent_model_input"] = latents;
        }
        const auto before = latents;
        latents = scheduler->step(noise, i, latents);
        if (trace) trace->tensors["step" + std::to_string(i) + "_latents_after"] = latents;

        const double elapsed = since(denoiseStart);
        if (cb.on_step) {
            StepProgress p;
            p.step = i + 1;
            p.total = r.steps;
            p.elapsed = elapsed;
            p.seconds_per_step = elapsed / (i + 1);
            p.eta = p.seconds_per_step * (r.steps - i - 1);
            cb.on_step(p);
        }
        if (cb.on_preview) {
            // Flow matching: x_t = (1 - sigma) x0 + sigma * noise and v = noise - x0, so x0 = x_t - sigma v.
            const double sigma = scheduler->sigmas()[i].item<double>();
            cb.on_preview(previewFrames(before - sigma * noise));
        }
    }
    clip.timings.denoise = since(denoiseStart);
    clip.timings.seconds_per_step = clip.timings.denoise / r.steps;
    if (trace) trace->tensors["final_latents"] = latents;

    // 3. Decoding.
    stage("decoding");
    const auto decodeStart = Clock::now();
    const auto frames = decode(latents, cb);
    clip.timings.decode = since(decodeStart);
    if (trace) {
        trace->tensors["frames"] = frames.unsqueeze(0);
        trace->tensors["frames_uint8"] = at::round(frames * 255).to(at::kByte).unsqueeze(0);
    }
    clip.video = toRgbVideo(frames);
    clip.timings.total = since(start);
    return clip;
}

at::Tensor WanPipeline::decode(const at::Tensor& latents, const GenerationCallbacks& cb) {
    at::InferenceMode guard;
    const auto z = vae->denormalizeLatents(latents.to(vae->parameters()[0].scalar_type()));
    const auto video = vae->decode(z, [&cb] { checkCancel(cb); });  // [1, 3, F, H, W] in [-1, 1]
    return (video.to(at::kFloat) / 2 + 0.5).clamp(0, 1)[0].permute({1, 2, 3, 0}).contiguous().cpu();
}

const LatentPreview& WanPipeline::preview() {
    if (preview_) return *preview_;
    LatentPreview p;
    const int64_t zdim = transformer->config().in_channels;
    const fs::path file = fs::path(model_.path) / "vae" / "latent_preview.json";
    std::error_code ec;
    if (fs::exists(file, ec)) {
        // Stored with the model (the trainer writes it for the bundled model).
        std::ifstream in(file);
        const auto j = nlohmann::json::parse(in, nullptr, false);
        if (j.is_discarded() || !j.contains("weight") || !j.contains("bias")) {
            throw EngineError(file.string() + ": not a latent preview file ({\"weight\": [[r,g,b], ...], \"bias\": [r,g,b]})");
        }
        const auto w = j["weight"].get<std::vector<std::vector<float>>>();
        const auto b = j["bias"].get<std::vector<float>>();
        if (static_cast<int64_t>(w.size()) != zdim || b.size() != 3) throw EngineError(file.string() + ": wrong number of rows");
        p.weight = at::empty({zdim, 3});
        for (int64_t c = 0; c < zdim; ++c) {
            if (w[c].size() != 3) throw EngineError(file.string() + ": each weight row needs 3 values");
            for (int k = 0; k < 3; ++k) p.weight[c][k] = w[c][k];
        }
        p.bias = at::tensor(b);
        p.source = "file";
    } else if (zdim == 16) {
        p.weight = at::from_blob(const_cast<float*>(&kWan21Rgb[0][0]), {16, 3}, at::kFloat).clone();
        p.bias = at::from_blob(const_cast<float*>(kWan21RgbBias), {3}, at::kFloat).clone();
        p.source = "published (Wan2.1)";
    } else {
        // Fit a linear map from normalised latent channels to the mean colour of each decoded 8x8 block,
        // by least squares over decodes of random latents (one frame each: cheap for any VAE size).
        at::InferenceMode guard;
        auto gen = at::detail::createCPUGenerator(7);
        const auto lat = at::randn({4, zdim, 1, 8, 8}, gen, at::kFloat);
        std::vector<at::Tensor> xs, ys;
        for (int64_t s = 0; s < lat.size(0); ++s) {
            const auto one = lat.narrow(0, s, 1);
            const auto rgb = vae->decode(vae->denormalizeLatents(one)).to(at::kFloat);  // [1,3,1,64,64]
            const auto blocks = at::avg_pool2d(rgb[0].select(1, 0).unsqueeze(0), 8)[0];  // [3, 8, 8]
            xs.push_back(one[0].select(1, 0).reshape({zdim, -1}).t());
            ys.push_back(blocks.reshape({3, -1}).t());
        }
        const auto X = at::cat({at::cat(xs, 0), at::ones({static_cast<int64_t>(xs.size()) * 64, 1})}, 1);
        const auto Y = at::cat(ys, 0);
        const auto sol = std::get<0>(at::linalg_lstsq(X, Y));
        p.weight = sol.narrow(0, 0, zdim).contiguous();
        p.bias = sol[zdim].contiguous();
        p.source = "fitted";
    }
    preview_ = p;
    return *preview_;
}

RgbVideo WanPipeline::previewFrames(const at::Tensor& x0) {
    const auto& p = preview();
    // [1, z, T, h, w] -> [T, h, w, z] x [z, 3]
    const auto lat = x0.to(at::kFloat).cpu()[0].permute({1, 2, 3, 0});
    const auto rgb = (at::matmul(lat, p.weight) + p.bias);
    return toRgbVideo((rgb / 2 + 0.5).clamp(0, 1));
}

RgbVideo toRgbVideo(const at::Tensor& frames) {
    RgbVideo v;
    v.frames = static_cast<int>(frames.size(0));
    v.height = static_cast<int>(frames.size(1));
    v.width = static_cast<int>(frames.size(2));
    const auto bytes = at::round(frames.to(at::kFloat) * 255).clamp(0, 255).to(at::kByte).contiguous();
    v.rgb.assign(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + bytes.numel());
    return v;
}

// ---- Pipeline facade -------------------------------------------------------------------------------

Pipeline::Pipeline(std::unique_ptr<WanPipeline> impl) : impl_(std::move(impl)) {}
Pipeline::~Pipeline() = default;

std::unique_ptr<Pipeline> Pipeline::load(const std::string& model_dir, const PipelineOptions& options) {
    auto summary = inspectModel(model_dir);
    if (!summary.ok()) throw EngineError(summary.error);
    return std::unique_ptr<Pipeline>(new Pipeline(std::make_unique<WanPipeline>(std::move(summary), options)));
}

const ModelSummary& Pipeline::model() const { return impl_->model(); }
const PipelineOptions& Pipeline::options() const { return impl_->options(); }
GenerationRequest Pipeline::resolve(const GenerationRequest& request) const { return impl_->resolve(request); }

GeneratedClip Pipeline::generate(const GenerationRequest& request, const GenerationCallbacks& callbacks) {
    auto r = impl_->resolve(request);
    if (!r.seed) {
        // A random 63-bit seed, reported with the clip so it can be reproduced.
        std::random_device rd;
        r.seed = ((static_cast<uint64_t>(rd()) << 32) | rd()) & 0x7fffffffffffffffull;
    }
    return impl_->run(r, callbacks, nullptr);
}

}  // namespace kinora::engine
