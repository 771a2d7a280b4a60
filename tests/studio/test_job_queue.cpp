// The job queue and its worker thread on the reference model: a job from queue to a finished folder,
// progress and preview signals (and their throttle), cancel of a queued and of the running job, pause,
// reorder, re-run and variations, the queue surviving a restart, the model cache, and the database
// watcher.
#include "../media/media_test_util.h"
#include "media/provenance.h"
#include "studio/db_watcher.h"
#include "studio/job_queue.h"
#include "studio/job_request.h"
#include "studio_test_util.h"

#include <QtTest>

using namespace kinora::studio;
using namespace kinora::test;

namespace {

JobRequest request(const QString& dataDir, int steps = 2, int size = 32, std::optional<uint64_t> seed = 11,
                   const QString& model = referenceModelDir()) {
    kinora::engine::GenerationRequest g;
    g.prompt = "a red circle moving left on a black background";
    g.width = size;
    g.height = size;
    g.frames = 5;
    g.steps = steps;
    g.seed = seed;
    return prepareRequest(g, model, dataDir, true);
}

QueueOptions options(const QString& dir, int intervalMs = 50, int idleMs = 120000) {
    QueueOptions o;
    o.dataDir = dir;
    o.worker.pipeline.threads = 2;
    o.worker.progressIntervalMs = intervalMs;
    o.worker.modelIdleMs = idleMs;
    return o;
}

// Waits until `spy` has seen job `id` (first argument) finish, and returns its state.
std::optional<JobState> waitFinished(QSignalSpy& spy, int64_t id, int timeoutMs = 120000) {
    QElapsedTimer t;
    t.start();
    for (;;) {
        for (const auto& args : spy) {
            if (args[0].toLongLong() == id) return args[1].value<JobState>();
        }
        if (t.elapsed() > timeoutMs) return std::nullopt;
        spy.wait(200);
    }
}

QVector<int64_t> startedIds(const QSignalSpy& spy) {
    QVector<int64_t> out;
    for (const auto& args : spy) out << args[0].toLongLong();
    return out;
}

std::vector<uint8_t> decodedFrames(const QString& path) { return kinora::media::test::decodedRgb(path.toStdString()); }

quint32 be32(const QByteArray& b, int at) {
    return (quint32(uchar(b[at])) << 24) | (quint32(uchar(b[at + 1])) << 16) | (quint32(uchar(b[at + 2])) << 8) |
           quint32(uchar(b[at + 3]));
}

}  // namespace

class TestJobQueue : public QObject {
    Q_OBJECT
private slots:
    void throttleLetsForcedEventsThroughAndSpacesTheRest() {
        ProgressThrottle t(50);
        QVERIFY(t.allow(0, false));
        QVERIFY(!t.allow(10, false));
        QVERIFY(!t.allow(49, false));
        QVERIFY(t.allow(50, false));
        QVERIFY(t.allow(51, true));  // forced
        QVERIFY(!t.allow(60, false));
        QVERIFY(t.allow(101, false));
    }

    void aQueuedJobRunsToAFinishedFolder() {
        QTemporaryDir dir;
        JobQueue q(options(dir.path()));
        QSignalSpy started(&q, &JobQueue::jobStarted), finished(&q, &JobQueue::jobFinished),
            progress(&q, &JobQueue::progress), preview(&q, &JobQueue::preview);
        // Paused while enqueuing: otherwise the worker may claim the job before it can be looked at (a
        // loaded CI machine saw it Running here).
        q.pause();
        const auto id = q.enqueue(request(dir.path()));
        QCOMPARE(q.history().get(id).state, JobState::Queued);
        q.resume();
        QCOMPARE(waitFinished(finished, id), std::optional<JobState>(JobState::Done));
        QCOMPARE(startedIds(started), QVector<int64_t>{id});

        const Job job = q.history().get(id);
        QCOMPARE(job.state, JobState::Done);
        QVERIFY(job.started_ms && job.finished_ms && *job.finished_ms >= *job.started_ms);
        QVERIFY(job.times.load > 0 && job.times.denoise > 0 && job.times.decode > 0 && job.times.encode > 0);
        QVERIFY(job.output_dir.startsWith(QLatin1String("clips/")));
        QCOMPARE(job.clip_path, job.output_dir + "/clip.mp4");
        const auto report = kinora::media::verify(absolutePath(q.history(), job.clip_path).toStdString());
        QVERIFY(report.verified());
        QCOMPARE(QString::fromStdString(report.record()->prompt), job.request.prompt);
        QCOMPARE(report.record()->seed.value(), int64_t(11));
        QCOMPARE(QString::fromStdString(report.record()->weights_sha256), job.request.weights_sha256);
        // The strip: 5 frames of 32x32 as 64x64 thumbnails side by side.
        const QByteArray png = readAll(absolutePath(q.history(), job.thumbs_path));
        QVERIFY(png.startsWith("\x89PNG"));
        QCOMPARE(be32(png, 16), quint32(5 * 64));
        QCOMPARE(be32(png, 20), quint32(64));
        QVERIFY(QFile::exists(absolutePath(q.history(), job.sidecar_path)));
        // Nothing else in the data folder: no staging, no lock, no temporary file.
        QCOMPARE(filesUnder(dir.path() + "/" + job.output_dir).size(), 3);
        QCOMPARE(QDir(dir.path() + "/locks").entryList(QDir::Files | QDir::Hidden).size(), 0);

        QStringList stages;
        for (const auto& args : progress) {
            const auto p = args[0].value<JobProgress>();
            QCOMPARE(p.id, id);
            if (stages.isEmpty() || stages.back() != p.stage) stages << p.stage;
        }
        QCOMPARE(stages, (QStringList{"loading model", "encoding prompt", "denoising", "decoding", "encoding"}));
        const auto lastDenoise = std::find_if(progress.rbegin(), progress.rend(), [](const QList<QVariant>& a) {
            return a[0].value<JobProgress>().stage == QLatin1String("denoising") && a[0].value<JobProgress>().step > 0;
        });
        QVERIFY(lastDenoise != progress.rend());
        QCOMPARE((*lastDenoise)[0].value<JobProgress>().step, 2);
        QCOMPARE((*lastDenoise)[0].value<JobProgress>().total, 2);
        QVERIFY(preview.size() >= 1);
        const auto f = preview.first()[0].value<PreviewFrames>();
        QCOMPARE(f.id, id);
        QVERIFY(f.frames > 0 && f.width > 0 && f.height > 0);
        QCOMPARE(f.rgb.size(), qsizetype(f.frames) * f.width * f.height * 3);
    }

    // Fast steps: far more steps than signals. Every signal but the forced ones (first and last step,
    // a new stage) comes at least the interval after the one before.
    void progressIsThrottled() {
        QTemporaryDir dir;
        JobQueue q(options(dir.path(), 100));
        QSignalSpy finished(&q, &JobQueue::jobFinished), progress(&q, &JobQueue::progress), preview(&q, &JobQueue::preview);
        QElapsedTimer clock;
        clock.start();
        const auto id = q.enqueue(request(dir.path(), 60));
        QCOMPARE(waitFinished(finished, id), std::optional<JobState>(JobState::Done));
        const double seconds = clock.elapsed() / 1000.0;
        int denoising = 0;
        double lastElapsed = -1;
        QString lastStage;
        for (const auto& args : progress) {
            const auto p = args[0].value<JobProgress>();
            const bool forced = p.stage != lastStage || p.step == 1 || p.step == p.total;
            if (!forced) QVERIFY2(p.elapsed - lastElapsed >= 0.099, qPrintable(QString::number(p.elapsed - lastElapsed)));
            if (p.stage == QLatin1String("denoising") && p.step > 0) {
                ++denoising;
                QVERIFY(p.eta >= 0);
            }
            lastElapsed = p.elapsed;
            lastStage = p.stage;
        }
        qInfo("60 steps in %.2f s: %d denoising progress signals, %d previews, %d signals in all", seconds, denoising,
              int(preview.size()), int(progress.size()));
        QVERIFY(denoising >= 2);  // first and last at least
        QVERIFY(denoising < 60);
        QVERIFY(progress.size() <= int(seconds * 10) + 8);  // 10 a second plus the forced ones
        QVERIFY(preview.size() <= int(seconds * 10) + 1);
    }

    void cancellingAQueuedJobRemovesItFromTheQueue() {
        QTemporaryDir dir;
        JobQueue q(options(dir.path()));
        q.pause();
        QSignalSpy started(&q, &JobQueue::jobStarted), finished(&q, &JobQueue::jobFinished);
        const auto a = q.enqueue(request(dir.path()));
        const auto b = q.enqueue(request(dir.path()));
        QVERIFY(q.cancel(b));
        QCOMPARE(q.history().get(b).state, JobState::Cancelled);
        QVERIFY(!q.cancel(b));  // no longer queued or running
        QCOMPARE(q.history().queued().size(), 1);
        q.resume();
        QCOMPARE(waitFinished(finished, a), std::optional<JobState>(JobState::Done));
        QTest::qWait(200);
        QCOMPARE(startedIds(started), QVector<int64_t>{a});
        QVERIFY(q.history().get(b).output_dir.isEmpty());
    }

    // The engine's cancel flag is checked between steps (and inside them): the run stops within one
    // step of the request, and nothing of it stays on disk.
    void cancellingTheRunningJobStopsItWithinAStep() {
        QTemporaryDir dir;
        JobQueue q(options(dir.path(), 0));
        QSignalSpy finished(&q, &JobQueue::jobFinished);
        const auto id = q.enqueue(request(dir.path(), 200, 128));
        int stepAtCancel = -1, stepsAfterCancel = 0;
        int64_t cancelledAtMs = -1;
        connect(&q, &JobQueue::progress, this, [&](const JobProgress& p) {
            if (p.stage != QLatin1String("denoising") || p.step == 0) return;
            // Signals arrive queued, so some may have been emitted before the cancel although they are
            // received after it: count by when the worker emitted them.
            if (cancelledAtMs >= 0 && p.emitted_ms > cancelledAtMs) ++stepsAfterCancel;
            if (stepAtCancel < 0 && p.step >= 2) {
                stepAtCancel = p.step;
                QElapsedTimer now;
                now.start();
                cancelledAtMs = now.msecsSinceReference();
                QVERIFY(q.cancel(id));
            }
        });
        QCOMPARE(waitFinished(finished, id), std::optional<JobState>(JobState::Cancelled));
        QVERIFY(stepAtCancel >= 2);
        // At most the step in flight when the flag went up completes (the engine also checks it between
        // transformer blocks, so usually none does).
        QVERIFY2(stepsAfterCancel <= 1, qPrintable(QStringLiteral("%1 steps completed after the cancel").arg(stepsAfterCancel)));
        const Job job = q.history().get(id);
        QCOMPARE(job.state, JobState::Cancelled);
        QVERIFY(!QFileInfo::exists(dir.path() + "/" + job.output_dir));
        QVERIFY(!QFileInfo::exists(dir.path() + "/" + stagingFolderFor(job.output_dir)));
        QVERIFY(job.clip_path.isEmpty());
    }

    void pauseHoldsTheQueueAndReorderChangesWhatRunsNext() {
        QTemporaryDir dir;
        JobQueue q(options(dir.path()));
        QSignalSpy paused(&q, &JobQueue::pausedChanged), started(&q, &JobQueue::jobStarted), finished(&q, &JobQueue::jobFinished);
        q.pause();
        QCOMPARE(paused.size(), 1);
        const auto a = q.enqueue(request(dir.path()));
        const auto b = q.enqueue(request(dir.path()));
        const auto c = q.enqueue(request(dir.path()));
        QTest::qWait(500);
        QVERIFY(started.isEmpty());
        q.move(c, 0);
        q.move(a, 2);
        q.resume();
        QCOMPARE(waitFinished(finished, a), std::optional<JobState>(JobState::Done));
        QCOMPARE(startedIds(started), (QVector<int64_t>{c, b, a}));
    }

    void theQueueSurvivesARestart() {
        QTemporaryDir dir;
        QVector<int64_t> ids;
        {
            JobQueue q(options(dir.path()));
            q.pause();
            ids << q.enqueue(request(dir.path())) << q.enqueue(request(dir.path(), 2, 32, 12));
            q.move(ids[1], 0);
        }
        JobQueue q(options(dir.path()));
        QVERIFY(q.paused());  // the pause is remembered too
        QVector<int64_t> queued;
        for (const auto& j : q.history().queued()) queued << j.id;
        QCOMPARE(queued, (QVector<int64_t>{ids[1], ids[0]}));
        QSignalSpy started(&q, &JobQueue::jobStarted), finished(&q, &JobQueue::jobFinished);
        q.resume();
        QCOMPARE(waitFinished(finished, ids[0]), std::optional<JobState>(JobState::Done));
        QCOMPARE(startedIds(started), (QVector<int64_t>{ids[1], ids[0]}));
        QCOMPARE(q.history().get(ids[1]).state, JobState::Done);
    }

    // Closing the studio while a job runs puts it back at the head of the queue for the next start.
    void closingWhileRunningRequeuesTheJob() {
        QTemporaryDir dir;
        int64_t id = 0, other = 0;
        {
            JobQueue q(options(dir.path(), 0));
            QSignalSpy progress(&q, &JobQueue::progress);
            q.pause();  // before the first enqueue: else the worker may take `other` first
            other = q.enqueue(request(dir.path()));
            id = q.enqueue(request(dir.path(), 200, 128));
            q.move(id, 0);
            q.resume();
            QVERIFY(QTest::qWaitFor([&] {
                for (const auto& a : progress) {
                    const auto p = a[0].value<JobProgress>();
                    if (p.id == id && p.step >= 1) return true;
                }
                return false;
            }, 60000));
        }
        HistoryDb db(dir.path());
        const Job job = db.get(id);
        QCOMPARE(job.state, JobState::Queued);
        QVector<int64_t> queued;
        for (const auto& j : db.queued()) queued << j.id;
        QCOMPARE(queued, (QVector<int64_t>{id, other}));
        QVERIFY(db.recovery().interrupted.isEmpty());
        QCOMPARE(QDir(dir.path() + "/clips").entryList(QDir::AllEntries | QDir::NoDotAndDotDot).size(), 0);
    }

    void rerunGivesTheSameClipAndVariationsNewSeeds() {
        QTemporaryDir dir;
        JobQueue q(options(dir.path()));
        QSignalSpy finished(&q, &JobQueue::jobFinished);
        const auto first = q.enqueue(request(dir.path(), 2, 32, std::nullopt));
        QCOMPARE(waitFinished(finished, first), std::optional<JobState>(JobState::Done));
        const auto again = q.rerun(first);
        const auto vars = q.variations(first, 2);
        QCOMPARE(vars.size(), 2);
        for (const auto id : QVector<int64_t>{again} + vars) QCOMPARE(waitFinished(finished, id), std::optional<JobState>(JobState::Done));
        auto& h = q.history();
        const auto a = h.get(first), b = h.get(again), v1 = h.get(vars[0]), v2 = h.get(vars[1]);
        QCOMPARE(b.request.seed, a.request.seed);
        QCOMPARE(b.rerun_of, std::optional<int64_t>(first));
        QCOMPARE(decodedFrames(absolutePath(h, b.clip_path)), decodedFrames(absolutePath(h, a.clip_path)));
        QVERIFY(v1.request.seed != a.request.seed && v2.request.seed != a.request.seed && v1.request.seed != v2.request.seed);
        QCOMPARE(v1.rerun_of, std::optional<int64_t>(first));
        QCOMPARE(v1.request.prompt, a.request.prompt);
        QCOMPARE(v1.request.steps, a.request.steps);
        QVERIFY(decodedFrames(absolutePath(h, v1.clip_path)) != decodedFrames(absolutePath(h, a.clip_path)));
    }

    void theModelStaysLoadedBetweenJobsAndIsReleasedWhenIdleOrReplaced() {
        QTemporaryDir dir;
        // A second model: the same files under another folder name.
        const QString other = dir.path() + "/models/second-model";
        QVERIFY(QDir().mkpath(other));
        QVERIFY(QProcess::execute("cp", {"-r", referenceModelDir() + "/.", other}) == 0);
        JobQueue q(options(dir.path(), 50, 400));
        QSignalSpy loaded(&q, &JobQueue::modelLoaded), released(&q, &JobQueue::modelReleased), finished(&q, &JobQueue::jobFinished);
        q.pause();
        const auto a = q.enqueue(request(dir.path()));
        const auto b = q.enqueue(request(dir.path()));
        const auto c = q.enqueue(request(dir.path(), 2, 32, 11, other));
        q.resume();
        QCOMPARE(waitFinished(finished, c), std::optional<JobState>(JobState::Done));
        QCOMPARE(q.history().get(a).times.load > 0, true);
        QCOMPARE(q.history().get(b).times.load, 0.0);  // already loaded
        QVERIFY(q.history().get(c).times.load > 0);
        QCOMPARE(loaded.size(), 2);
        QCOMPARE(loaded[0][0].toString(), referenceModelDir());
        QCOMPARE(loaded[1][0].toString(), QDir::cleanPath(other));
        QCOMPARE(released.size(), 1);  // the first, to make room for the second
        QCOMPARE(released[0][0].toString(), referenceModelDir());
        QVERIFY(released.wait(5000));  // idle for 400 ms
        QCOMPARE(released.size(), 2);
        QCOMPARE(released[1][0].toString(), QDir::cleanPath(other));
    }

    void theWatcherSeesCommitsOfOtherConnections() {
        QTemporaryDir dir;
        HistoryDb mine(dir.path());
        DbWatcher watcher(dir.path(), 100);
        QSignalSpy changed(&watcher, &DbWatcher::historyChanged);
        QTest::qWait(400);
        QCOMPARE(changed.size(), 0);  // nothing changed, nothing said
        HistoryDb other(dir.path());
        QElapsedTimer t;
        t.start();
        const auto id = other.addQueued(textRequest(QStringLiteral("from elsewhere")));
        QVERIFY(changed.wait(1000));
        qInfo("noticed after %lld ms", t.elapsed());
        changed.clear();
        mine.setFavourite(id, true);  // the studio's own connection counts too
        QVERIFY(changed.wait(1000));
    }
};

QTEST_GUILESS_MAIN(TestJobQueue)
#include "test_job_queue.moc"
