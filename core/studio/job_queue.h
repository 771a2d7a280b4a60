// The studio's job queue: what the UI talks to. Jobs are rows in the history from the moment they are
// queued, so the queue survives a restart; one worker thread (worker.h) runs them in order. All
// methods are called on the thread that made the queue; results arrive as signals.
#pragma once

#include "studio/history_db.h"
#include "studio/progress.h"
#include "studio/worker.h"

#include <QObject>
#include <QThread>
#include <QVector>

#include <memory>

namespace kinora::studio {

struct QueueOptions {
    QString dataDir;  // resolved and prepared (data_paths.h)
    WorkerOptions worker;
};

class JobQueue : public QObject {
    Q_OBJECT
public:
    // Opens the history (throws DatabaseDamaged or StudioError as HistoryDb does) and starts the
    // worker, which picks up jobs left queued by an earlier session unless the queue was paused.
    explicit JobQueue(QueueOptions options, QObject* parent = nullptr);
    // Stops the worker: a running job goes back to the head of the queue, to run at the next start.
    ~JobQueue() override;

    HistoryDb& history() { return *db_; }

    int64_t enqueue(const JobRequest& request);
    // The same request again (same seed: the same clip), queued.
    int64_t rerun(int64_t id);
    // `count` copies of the request with new random seeds, queued.
    QVector<int64_t> variations(int64_t id, int count);
    // Cancels a queued job, or stops the running one within one denoising step. False when the job is
    // neither queued nor running.
    bool cancel(int64_t id);
    void pause();
    void resume();
    bool paused() const { return paused_; }
    void move(int64_t id, int position);
    int64_t runningJob() const { return worker_->runningJob(); }

signals:
    void jobQueued(qint64 id);
    void jobStarted(qint64 id);
    void progress(kinora::studio::JobProgress progress);
    void preview(kinora::studio::PreviewFrames frames);
    void jobFinished(qint64 id, kinora::studio::JobState state, QString error);
    void queueChanged();
    void pausedChanged(bool paused);
    void modelLoaded(QString path);
    void modelReleased(QString path);
    void idle();
    void workerFailed(QString message);

private:
    void poke();

    QueueOptions options_;
    std::unique_ptr<HistoryDb> db_;
    QThread thread_;
    Worker* worker_ = nullptr;  // lives in thread_, deleted when it finishes
    bool paused_ = false;
};

}  // namespace kinora::studio
