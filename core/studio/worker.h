// The worker: lives in its own QThread, takes queued jobs from the history one at a time and runs
// them on the engine (job_runner.h), with its own database connection and the model cache. Controls
// (pause, cancel, stop) are atomics, so the queue's thread sets them while a job runs; everything else
// reaches the worker as queued slot calls and leaves it as signals.
#pragma once

#include "engine/pipeline.h"
#include "studio/job.h"
#include "studio/progress.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

class QTimer;

namespace kinora::studio {

class HistoryDb;
class ModelCache;

struct WorkerOptions {
    engine::PipelineOptions pipeline;
    int modelIdleMs = 120000;     // release the model after this long without work
    int progressIntervalMs = 50;  // at most one progress (and one preview) signal per interval
    bool previews = true;
};

class Worker : public QObject {
    Q_OBJECT
public:
    Worker(QString dataDir, WorkerOptions options);
    ~Worker() override;

    // Thread-safe.
    void setPaused(bool paused) { paused_ = paused; }
    bool cancelRunning(int64_t id);
    // The running job (if any) is stopped and put back at the head of the queue; nothing new starts.
    void requestStop();
    int64_t runningJob() const { return current_; }

public slots:
    void open();      // in the worker thread, first
    void poke();      // look for work
    void shutdown();  // in the worker thread, last: frees the model and the connection

signals:
    void jobStarted(qint64 id);
    void progress(kinora::studio::JobProgress progress);
    void preview(kinora::studio::PreviewFrames frames);
    void jobFinished(qint64 id, kinora::studio::JobState state, QString error);
    void modelLoaded(QString path);
    void modelReleased(QString path);
    void idle();
    void failed(QString message);  // the worker's database connection failed; it stops taking jobs

private:
    void runOne(int64_t id);
    void releaseModel();

    QString dataDir_;
    WorkerOptions options_;
    std::unique_ptr<HistoryDb> db_;
    std::unique_ptr<ModelCache> models_;
    QTimer* idleTimer_ = nullptr;
    std::atomic<bool> paused_{false};
    std::atomic<bool> stopping_{false};
    std::atomic<bool> cancel_{false};
    std::atomic<int64_t> current_{0};
    bool busy_ = false;
};

}  // namespace kinora::studio
