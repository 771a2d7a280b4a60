// `kinora generate`: one clip from a prompt, recorded in the history (its clip in the job's folder) unless
// --no-history, and written as MP4/WebM/GIF or PNG frames to --out when given; with progress.
#include "cli/cli.h"

#include "cli/history_access.h"
#include "cli/progress_printer.h"

#include "engine/error.h"
#include "engine/pipeline.h"
#include "studio/clip_output.h"
#include "studio/data_paths.h"
#include "studio/job_request.h"
#include "studio/model_catalog.h"
#include "media/safe_file.h"

#include <QFileInfo>

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <optional>
#include <iostream>

namespace kinora::cli {
namespace {

struct GenerateOptions {
    std::string prompt, negative, model, sampler, device = "cpu", dtype = "float32", out;
    int64_t seed = -1;
    int steps = 0, width = 0, height = 0, frames = 0, fps = 0;
    double guidance = -1;
    double shift = 0;
    bool noHistory = false, noLabel = false, quiet = false, json = false;
};

std::atomic<bool> g_interrupted{false};

extern "C" void onInterrupt(int) { g_interrupted = true; }

engine::GenerationRequest engineRequest(const GenerateOptions& o) {
    engine::GenerationRequest req;
    req.prompt = o.prompt;
    req.negative_prompt = o.negative;
    req.width = o.width;
    req.height = o.height;
    req.frames = o.frames;
    req.steps = o.steps;
    req.guidance = o.guidance;
    req.fps = o.fps;
    req.sampler = o.sampler;
    if (o.seed >= 0) req.seed = static_cast<uint64_t>(o.seed);
    if (o.shift != 0) req.shift = o.shift;
    return req;
}

void printResult(const GenerateOptions& o, const engine::GeneratedClip& clip, const std::string& modelName,
                 const media::ExportResult& written, std::optional<int64_t> jobId, const std::string& historyClip) {
    const auto& r = clip.request;
    if (o.json) {
        nlohmann::json j = {
            {"output", written.path},
            {"sidecar", written.sidecar_path},
            {"format", media::formatName(written.format)},
            {"bytes", written.bytes},
            {"sha256", written.sha256},
            {"job_id", jobId ? nlohmann::json(*jobId) : nlohmann::json(nullptr)},
            {"history_clip", historyClip},
            {"request",
             {{"prompt", r.prompt}, {"negative_prompt", r.negative_prompt}, {"model", modelName},
              {"seed", static_cast<int64_t>(*r.seed)}, {"steps", r.steps}, {"guidance", r.guidance},
              {"sampler", r.sampler}, {"shift", r.shift.value_or(0.0)}, {"width", r.width}, {"height", r.height},
              {"frames", r.frames}, {"fps", r.fps}}},
            {"timings",
             {{"text_s", clip.timings.text}, {"denoise_s", clip.timings.denoise}, {"decode_s", clip.timings.decode},
              {"seconds_per_step", clip.timings.seconds_per_step}, {"total_s", clip.timings.total}}},
            {"warnings", clip.warnings},
        };
        std::cout << j.dump(2) << std::endl;
    } else if (!o.quiet) {
        if (jobId) std::printf("job %lld: ", static_cast<long long>(*jobId));
        std::printf("wrote %s (%s, %d frames %dx%d at %d fps, seed %llu) in %s\n", written.path.c_str(),
                    media::formatName(written.format), written.frames, written.width, written.height, r.fps,
                    static_cast<unsigned long long>(*r.seed), secondsText(clip.timings.total).c_str());
    }
}

// --no-history: the clip goes to --out only, nothing is recorded.
int runUnrecorded(const GenerateOptions& o, const CommonOptions& common) {
    if (o.out.empty()) {
        throw UserError("--out is required with --no-history: a .mp4, .webm or .gif file, or a folder for PNG frames (a new one ending in /)");
    }
    media::formatForPath(o.out);  // an unknown extension fails before any work
    const auto data = studio::resolveDataDir(QString::fromStdString(common.data_dir));
    const auto model = studio::resolveModel(QString::fromStdString(o.model), data.path);
    const auto req = engine::resolveRequest(engineRequest(o), model);  // every invalid value before loading weights
    engine::checkDeviceSupport(o.device, o.dtype);

    ProgressPrinter progress(o.quiet);
    progress.stage("loading " + model.name);
    engine::PipelineOptions popts;
    popts.device = o.device;
    popts.dtype = o.dtype;
    popts.threads = common.threads;
    auto pipeline = engine::Pipeline::load(model.path, popts);

    engine::GenerationCallbacks cb;
    cb.cancel = &g_interrupted;
    cb.on_stage = [&progress](const std::string& s) { progress.stage(s); };
    cb.on_step = [&progress](const engine::StepProgress& p) { progress.step(p); };
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    engine::GeneratedClip clip;
    try {
        clip = pipeline->generate(req, cb);
    } catch (const engine::Cancelled&) {
        progress.finish();
        throw UserError("cancelled; nothing was written");
    }
    progress.finish();
    for (const auto& w : clip.warnings) std::fprintf(stderr, "kinora: warning: %s\n", w.c_str());
    progress.stage("encoding");
    const auto record = studio::provenanceFor(clip, model, studio::weightsHash(model).toStdString(), "");
    const auto written = studio::writeGeneratedClip(clip, record, o.out, !o.noLabel);
    printResult(o, clip, model.name, written, std::nullopt, "");
    return kExitOk;
}

// The default: the job is recorded, its clip lives in the job's history folder, and --out (when
// given) gets its own copy in the format its extension names.
int runRecordedGenerate(const GenerateOptions& o, const CommonOptions& common) {
    if (!o.out.empty()) media::formatForPath(o.out);
    auto db = openHistory(common);
    const auto request = studio::prepareRequest(engineRequest(o), QString::fromStdString(o.model), db->dataDir(), !o.noLabel);
    RecordedRunOptions ro;
    ro.device = o.device;
    ro.dtype = o.dtype;
    ro.quiet = o.quiet;
    int64_t jobId = 0;
    const auto outcome = runRecorded(*db, request, std::nullopt, ro, common, jobId);
    const std::string historyClip = studio::absolutePath(*db, outcome.files.clip).toStdString();
    media::ExportResult written;
    if (!o.out.empty()) {
        engine::ModelSummary model;
        model.name = request.model.toStdString();
        const auto record = studio::provenanceFor(outcome.clip, model, request.weights_sha256.toStdString(), "");
        written = studio::writeGeneratedClip(outcome.clip, record, o.out, !o.noLabel);
    } else {
        written.path = historyClip;
        written.sidecar_path = studio::absolutePath(*db, outcome.files.sidecar).toStdString();
        written.format = media::Format::Mp4;
        written.sha256 = media::sha256OfFile(historyClip);
        written.bytes = uint64_t(QFileInfo(QString::fromStdString(historyClip)).size());
        written.frames = outcome.clip.video.frames;
        written.width = outcome.clip.video.width;
        written.height = outcome.clip.video.height;
    }
    printResult(o, outcome.clip, request.model.toStdString(), written, jobId, historyClip);
    return kExitOk;
}

int runGenerate(const GenerateOptions& o, const CommonOptions& common) {
    return o.noHistory ? runUnrecorded(o, common) : runRecordedGenerate(o, common);
}

}  // namespace

void addGenerateCommand(CLI::App& app, const CommonOptions& common, int& exitStatus) {
    auto* cmd = app.add_subcommand("generate", "Generate a clip from a prompt");
    auto o = std::make_shared<GenerateOptions>();
    cmd->add_option("--prompt", o->prompt, "What the clip shows")->required();
    cmd->add_option("--negative", o->negative, "What to steer away from");
    cmd->add_option("--model", o->model, "Model name or folder (default: kinora-tiny)");
    cmd->add_option("--seed", o->seed, "Seed (default: random; printed with the result)")
        ->check(CLI::Range(int64_t{0}, int64_t{0x7fffffffffffffff}));
    cmd->add_option("--steps", o->steps, "Denoising steps (default: the model's)")->check(CLI::Range(1, 1000));
    cmd->add_option("--guidance", o->guidance, "Classifier-free guidance scale, 1 to 30 (1: off)");
    cmd->add_option("--width", o->width, "Width in pixels, a multiple of 16");
    cmd->add_option("--height", o->height, "Height in pixels, a multiple of 16");
    cmd->add_option("--frames", o->frames, "Number of frames, 4k+1 (e.g. 17, 33, 81)");
    cmd->add_option("--fps", o->fps, "Frames per second written with the clip")->check(CLI::Range(1, 240));
    cmd->add_option("--sampler", o->sampler, "unipc or euler (default: the model's)")->check(CLI::IsMember({"unipc", "euler"}));
    cmd->add_option("--shift", o->shift, "Flow shift (default: the model's)");
    cmd->add_option("--device", o->device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
    cmd->add_option("--dtype", o->dtype, "float32, bfloat16 or float16")->check(CLI::IsMember({"float32", "bfloat16", "float16"}));
    cmd->add_option("--out", o->out, "Also write the clip here: .mp4, .webm, .gif (replaced if it exists), or a folder for PNG frames (a new one ending in /; required with --no-history)");
    cmd->add_flag("--no-history", o->noHistory, "Do not record the clip in the history");
    cmd->add_flag("--no-label", o->noLabel, "No visible AI mark (the metadata record is always written)");
    cmd->add_flag("--quiet", o->quiet, "No progress output");
    cmd->add_flag("--json", o->json, "Print the result (paths, request, timings) as JSON");
    cmd->callback([o, &common, &exitStatus] { exitStatus = runGenerate(*o, common); });
}

}  // namespace kinora::cli
