#include "studio/worker.h"

#include "engine/runtime.h"
#include "studio/history_db.h"
#include "studio/job_lock.h"
#include "studio/job_runner.h"
#include "studio/model_cache.h"

#include <optional>

#include <QElapsedTimer>
#include <QTimer>

namespace kinora::studio {

Worker::Worker(QString dataDir, WorkerOptions options) : dataDir_(std::move(dataDir)), options_(std::move(options)) {}

Worker::~Worker() = default;

bool Worker::cancelRunning(int64_t id) {
    if (id == 0 || current_ != id) return false;
    cancel_ = true;
    return true;
}

void Worker::requestStop() {
    stopping_ = true;
    cancel_ = true;
}

void Worker::open() {
    try {
        db_ = std::make_unique<HistoryDb>(dataDir_);
    } catch (const std::exception& e) {
        emit failed(QString::fromUtf8(e.what()));
        return;
    }
    models_ = std::make_unique<ModelCache>(options_.pipeline);
    idleTimer_ = new QTimer(this);
    idleTimer_->setSingleShot(true);
    connect(idleTimer_, &QTimer::timeout, this, &Worker::releaseModel);
}

void Worker::releaseModel() {
    if (!models_ || !models_->loaded()) return;
    const QString path = models_->loadedPath();
    models_->release();
    engine::releaseFreedMemory();
    emit modelReleased(path);
}

void Worker::shutdown() {
    releaseModel();
    models_.reset();
    db_.reset();
}

void Worker::poke() {
    if (busy_ || !db_ || paused_ || stopping_) return;
    busy_ = true;
    std::optional<int64_t> next;
    try {
        const auto queue = db_->queued();
        if (!queue.isEmpty()) next = queue.front().id;
        if (next) runOne(*next);
    } catch (const std::exception& e) {
        // Only the database itself gets here (a run's own failures are recorded in its row).
        busy_ = false;
        current_ = 0;
        emit failed(QString::fromUtf8(e.what()));
        return;
    }
    busy_ = false;
    if (next) {
        // Through the event loop, so that a stop or the idle timer gets a turn between jobs.
        QMetaObject::invokeMethod(this, &Worker::poke, Qt::QueuedConnection);
    } else {
        if (models_->loaded()) idleTimer_->start(options_.modelIdleMs);
        engine::releaseFreedMemory();  // the last job's freed tensors (engine/runtime.h)
        emit idle();
    }
}

void Worker::runOne(int64_t id) {
    idleTimer_->stop();
    // The lock comes before the claim: once the row says running, a live owner can be seen. Another
    // studio on the same data folder may be taking the same job this very moment: it is theirs.
    std::optional<JobLock> lock;
    try {
        lock.emplace(dataDir_, id);
    } catch (const StudioError&) {
        return;
    }
    current_ = id;
    cancel_ = stopping_.load();
    if (!db_->claim(id)) {  // cancelled (or taken by another studio) since it was listed
        current_ = 0;
        return;
    }
    const Job job = db_->get(id);
    emit jobStarted(id);
    QElapsedTimer clock;
    clock.start();
    ProgressThrottle stepThrottle(options_.progressIntervalMs), previewThrottle(options_.progressIntervalMs);
    auto report = [&](const QString& s, int step, int total, double eta, bool force) {
        if (!stepThrottle.allow(clock.elapsed(), force)) return;
        QElapsedTimer now;
        now.start();
        emit progress(JobProgress{id, s, step, total, clock.elapsed() / 1000.0, eta, now.msecsSinceReference()});
    };

    report(QStringLiteral("loading model"), 0, job.request.steps, 0, true);
    double loadSeconds = 0;
    engine::Pipeline* pipeline = nullptr;
    const QString before = models_->loadedPath();
    try {
        pipeline = &models_->acquire(job.request.model_path, loadSeconds);
    } catch (const std::exception& e) {
        if (!before.isEmpty()) emit modelReleased(before);
        const QString error = QStringLiteral("cannot load model %1: %2").arg(job.request.model, QString::fromUtf8(e.what()));
        StageTimes times;
        db_->markStopped(id, JobState::Failed, error, times);
        lock.reset();
        current_ = 0;
        emit jobFinished(id, JobState::Failed, error);
        return;
    }
    if (loadSeconds > 0) {
        if (!before.isEmpty()) emit modelReleased(before);
        emit modelLoaded(job.request.model_path);
    }

    engine::GenerationCallbacks cb;
    cb.cancel = &cancel_;
    cb.on_stage = [&](const std::string& s) { report(QString::fromStdString(s), 0, job.request.steps, 0, true); };
    cb.on_step = [&](const engine::StepProgress& p) {
        report(QStringLiteral("denoising"), p.step, p.total, p.eta, p.step == 1 || p.step == p.total);
    };
    if (options_.previews) {
        int lastStep = 0;
        cb.on_step = [&, inner = cb.on_step](const engine::StepProgress& p) {
            lastStep = p.step;
            inner(p);
        };
        cb.on_preview = [&](const engine::RgbVideo& v) {
            if (!previewThrottle.allow(clock.elapsed(), false)) return;
            PreviewFrames f{id, lastStep, v.frames, v.width, v.height,
                            QByteArray(reinterpret_cast<const char*>(v.rgb.data()), qsizetype(v.rgb.size()))};
            emit preview(f);
        };
    }
    RunOutcome out = runJob(*db_, job, *pipeline, loadSeconds, cb);
    if (out.state == JobState::Cancelled && stopping_) {
        db_->requeueFront(id);  // closing the studio is not the user cancelling the job
        lock.reset();
        current_ = 0;
        emit jobFinished(id, JobState::Queued, QString());
        return;
    }
    // The row is final: the lock goes before anyone hears the job finished, so listeners never see a
    // finished job that still looks owned.
    lock.reset();
    current_ = 0;
    emit jobFinished(id, out.state, out.error);
}

}  // namespace kinora::studio
