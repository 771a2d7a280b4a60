#include "studio/job_queue.h"

#include "studio/job_request.h"

namespace kinora::studio {
namespace {
const QString kPausedKey = QStringLiteral("queue_paused");
}

JobQueue::JobQueue(QueueOptions options, QObject* parent) : QObject(parent), options_(std::move(options)) {
    qRegisterMetaType<JobProgress>();
    qRegisterMetaType<PreviewFrames>();
    qRegisterMetaType<JobState>();
    db_ = std::make_unique<HistoryDb>(options_.dataDir);
    paused_ = db_->setting(kPausedKey) == QLatin1String("1");

    worker_ = new Worker(options_.dataDir, options_.worker);
    worker_->setPaused(paused_);
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(worker_, &Worker::jobStarted, this, &JobQueue::jobStarted);
    connect(worker_, &Worker::jobStarted, this, &JobQueue::queueChanged);
    connect(worker_, &Worker::progress, this, &JobQueue::progress);
    connect(worker_, &Worker::preview, this, &JobQueue::preview);
    connect(worker_, &Worker::jobFinished, this, &JobQueue::jobFinished);
    connect(worker_, &Worker::modelLoaded, this, &JobQueue::modelLoaded);
    connect(worker_, &Worker::modelReleased, this, &JobQueue::modelReleased);
    connect(worker_, &Worker::idle, this, &JobQueue::idle);
    connect(worker_, &Worker::failed, this, &JobQueue::workerFailed);
    thread_.setObjectName(QStringLiteral("kinora-worker"));
    thread_.start();
    QMetaObject::invokeMethod(worker_, &Worker::open, Qt::QueuedConnection);
    poke();
}

JobQueue::~JobQueue() {
    worker_->requestStop();
    // Queued after whatever the worker is doing: the running job stops within a step, then the model
    // and the connection are freed in the thread that made them.
    QMetaObject::invokeMethod(worker_, &Worker::shutdown, Qt::BlockingQueuedConnection);
    thread_.quit();
    thread_.wait();
}

void JobQueue::poke() { QMetaObject::invokeMethod(worker_, &Worker::poke, Qt::QueuedConnection); }

int64_t JobQueue::enqueue(const JobRequest& request) {
    const int64_t id = db_->addQueued(request);
    emit jobQueued(id);
    emit queueChanged();
    poke();
    return id;
}

int64_t JobQueue::rerun(int64_t id) {
    const Job source = db_->get(id);
    const int64_t fresh = db_->addQueued(source.request, id);
    emit jobQueued(fresh);
    emit queueChanged();
    poke();
    return fresh;
}

QVector<int64_t> JobQueue::variations(int64_t id, int count) {
    const Job source = db_->get(id);
    QVector<int64_t> ids;
    for (int i = 0; i < count; ++i) {
        JobRequest r = source.request;
        do {
            r.seed = randomSeed();
        } while (r.seed == source.request.seed);
        ids.push_back(db_->addQueued(r, id));
        emit jobQueued(ids.back());
    }
    emit queueChanged();
    poke();
    return ids;
}

bool JobQueue::cancel(int64_t id) {
    // The worker marks its job running only after announcing it as current (worker.cpp), so one of
    // the two always succeeds for a job that is queued or running.
    if (db_->cancelQueued(id)) {
        emit jobFinished(id, JobState::Cancelled, QStringLiteral("cancelled"));
        emit queueChanged();
        return true;
    }
    return worker_->cancelRunning(id);
}

void JobQueue::pause() {
    if (paused_) return;
    paused_ = true;
    worker_->setPaused(true);
    db_->setSetting(kPausedKey, QStringLiteral("1"));
    emit pausedChanged(true);
}

void JobQueue::resume() {
    if (!paused_) return;
    paused_ = false;
    worker_->setPaused(false);
    db_->setSetting(kPausedKey, QStringLiteral("0"));
    emit pausedChanged(false);
    poke();
}

void JobQueue::move(int64_t id, int position) {
    db_->moveInQueue(id, position);
    emit queueChanged();
}

}  // namespace kinora::studio
