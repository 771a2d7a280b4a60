#include "cli/history_access.h"

#include "cli/progress_printer.h"
#include "engine/error.h"
#include "studio/data_paths.h"
#include "studio/job_lock.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>

namespace kinora::cli {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void onRecordedRunInterrupt(int) { g_interrupted = true; }

}  // namespace

std::unique_ptr<studio::HistoryDb> openHistory(const CommonOptions& common) {
    const auto data = studio::resolveDataDir(QString::fromStdString(common.data_dir));
    const QString problem = studio::prepareDataDir(data.path);
    if (!problem.isEmpty()) throw UserError(problem.toStdString());
    std::unique_ptr<studio::HistoryDb> db;
    try {
        db = std::make_unique<studio::HistoryDb>(data.path);
    } catch (const studio::DatabaseDamaged& e) {
        throw UserError(e.what());
    }
    for (const int64_t id : db->recovery().interrupted) {
        std::fprintf(stderr, "kinora: note: job %lld was interrupted (Kinora stopped while it ran); "
                             "`kinora history rerun %lld` runs it again\n",
                     static_cast<long long>(id), static_cast<long long>(id));
    }
    return db;
}

int64_t parseJobId(const std::string& text) {
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
        throw UserError("'" + text + "' is not a job ID (a number, as `kinora history list` shows)");
    }
    return std::stoll(text);
}

studio::RunOutcome runRecorded(studio::HistoryDb& db, const studio::JobRequest& request,
                               std::optional<int64_t> rerunOf, const RecordedRunOptions& options,
                               const CommonOptions& common, int64_t& jobId) {
    engine::checkDeviceSupport(options.device, options.dtype);
    std::optional<studio::JobLock> lock;
    jobId = db.addRunning(request, rerunOf, [&](int64_t id) { lock.emplace(db.dataDir(), id); });
    const studio::Job job = db.get(jobId);

    ProgressPrinter progress(options.quiet);
    progress.stage("job " + std::to_string(jobId) + ": loading " + request.model.toStdString());
    engine::PipelineOptions popts;
    popts.device = options.device;
    popts.dtype = options.dtype;
    popts.threads = common.threads;
    std::unique_ptr<engine::Pipeline> pipeline;
    const auto t0 = std::chrono::steady_clock::now();
    try {
        pipeline = engine::Pipeline::load(request.model_path.toStdString(), popts);
    } catch (const std::exception& e) {
        db.markStopped(jobId, studio::JobState::Failed, QString::fromUtf8(e.what()), {});
        throw;
    }
    const double loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    engine::GenerationCallbacks cb;
    cb.cancel = &g_interrupted;
    cb.on_stage = [&progress](const std::string& s) { progress.stage(s); };
    cb.on_step = [&progress](const engine::StepProgress& p) { progress.step(p); };
    std::signal(SIGINT, onRecordedRunInterrupt);
    std::signal(SIGTERM, onRecordedRunInterrupt);
    auto outcome = studio::runJob(db, job, *pipeline, loadSeconds, cb);
    progress.finish();
    if (outcome.state == studio::JobState::Cancelled) {
        throw UserError("cancelled; job " + std::to_string(jobId) + " is recorded as cancelled and nothing was written");
    }
    if (outcome.state != studio::JobState::Done) {
        throw UserError("job " + std::to_string(jobId) + " failed: " + outcome.error.toStdString());
    }
    for (const auto& w : outcome.clip.warnings) std::fprintf(stderr, "kinora: warning: %s\n", w.c_str());
    return outcome;
}

}  // namespace kinora::cli
