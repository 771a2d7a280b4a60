#include "studio/job_runner.h"

#include "engine/error.h"
#include "media/error.h"
#include "studio/clip_output.h"
#include "studio/job_request.h"

#include <chrono>

namespace kinora::studio {

RunOutcome runJob(HistoryDb& db, const Job& job, engine::Pipeline& pipeline, double loadSeconds,
                  const engine::GenerationCallbacks& callbacks) {
    RunOutcome out;
    out.times.load = loadSeconds;
    try {
        out.clip = pipeline.generate(toEngineRequest(job.request), callbacks);
        out.times.text = out.clip.timings.text;
        out.times.denoise = out.clip.timings.denoise;
        out.times.decode = out.clip.timings.decode;
        if (callbacks.on_stage) callbacks.on_stage("encoding");
        const auto t0 = std::chrono::steady_clock::now();
        const auto record = provenanceFor(out.clip, pipeline.model(), job.request.weights_sha256.toStdString(), "");
        out.files = writeJobFiles(db.dataDir(), job.output_dir, out.clip, record, job.request.label);
        out.times.encode = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        db.markDone(job.id, out.files, out.times);
        out.state = JobState::Done;
        return out;
    } catch (const engine::Cancelled&) {
        out.state = JobState::Cancelled;
        out.error = QStringLiteral("cancelled");
    } catch (const engine::EngineError& e) {
        out.error = QString::fromUtf8(e.what());
    } catch (const media::MediaError& e) {
        out.error = QString::fromUtf8(e.what());
    } catch (const SqliteError&) {
        throw;
    } catch (const StudioError& e) {
        out.error = QString::fromUtf8(e.what());
    } catch (const std::bad_alloc&) {
        out.error = QStringLiteral("out of memory; try a smaller size, fewer frames or a smaller model");
    }
    removeJobFolder(db.dataDir(), job.output_dir);
    db.markStopped(job.id, out.state, out.error, out.times);
    return out;
}

}  // namespace kinora::studio
