// The generation history: <data>/kinora.db, one connection per HistoryDb (one per thread). Opening
// sets WAL mode, foreign keys and a busy timeout, applies migrations, checks the file is healthy and
// runs crash recovery. A damaged file is never replaced silently: it is moved aside with a timestamp
// and DatabaseDamaged says where it went; the next open starts a fresh history.
#pragma once

#include "studio/job.h"
#include "studio/job_files.h"
#include "studio/sqlite_db.h"

#include <QString>
#include <QVector>

#include <functional>
#include <memory>
#include <optional>

namespace kinora::studio {

class DatabaseDamaged : public StudioError {
public:
    DatabaseDamaged(const std::string& message, QString movedTo) : StudioError(message), moved_to(std::move(movedTo)) {}
    QString moved_to;  // where the damaged file is now
};

struct RecoveryReport {
    QVector<int64_t> interrupted;  // jobs that were running when their process died
};

class HistoryDb {
public:
    static constexpr int kRankWindow = 2000;
    static QString databasePath(const QString& dataDir);  // <dataDir>/kinora.db

    // Opens or creates the database in `dataDir` (which must exist). Throws DatabaseDamaged (after
    // moving the damaged file aside) or StudioError (unwritable folder, newer schema, locked).
    explicit HistoryDb(const QString& dataDir);
    ~HistoryDb();

    const QString& dataDir() const { return dataDir_; }
    Connection& connection() { return *db_; }
    const RecoveryReport& recovery() const { return recovery_; }

    // A new job with `request` (resolved), queued at the end of the queue or, for a job this process
    // runs itself (the command line), directly `Running` with its folder. Returns its ID.
    int64_t addQueued(const JobRequest& request, std::optional<int64_t> rerunOf = {});
    // `beforeCommit` runs with the new ID inside the inserting transaction: the caller takes the job's
    // lock there, so no other process ever sees the job running without a live owner.
    int64_t addRunning(const JobRequest& request, std::optional<int64_t> rerunOf,
                       const std::function<void(int64_t)>& beforeCommit);

    // Jobs as they are (state, times, files included) in one transaction: imports and the history
    // benchmark. IDs are assigned; the given ones are ignored.
    void addRecords(const QVector<Job>& jobs);

    std::optional<Job> find(int64_t id);
    Job get(int64_t id);  // throws StudioError "no job N in the history"

    // Newest first, `limit` jobs older than `beforeId` (keyset paging: each page costs the same).
    QVector<Job> page(std::optional<int64_t> beforeId, int limit);
    // Jobs matching every word of `text` in prompt, negative prompt or tags, best match first (BM25;
    // the prompt weighs most) among the kRankWindow newest matches. Words of 3+ characters go through
    // the trigram index (any substring, so prefixes match; a trailing * is accepted); shorter ones
    // (one or two Chinese characters, say) are matched with LIKE, newest first when they are alone.
    QVector<Job> search(const QString& text, int limit);
    QVector<Job> queued();  // in queue order
    int64_t count();

    // Queue -> running, when still queued (a cancel may have come first). Sets the folder and start time.
    bool claim(int64_t id);
    // Running -> done with its files and times, in one transaction.
    void markDone(int64_t id, const JobFiles& files, const StageTimes& times);
    // Running -> failed / cancelled / interrupted, with the reason.
    void markStopped(int64_t id, JobState state, const QString& error, const StageTimes& times);
    // Queued -> cancelled; false when the job was not queued.
    bool cancelQueued(int64_t id);
    // Running (or just cancelled by the worker stopping) -> queued at the head of the queue: the studio
    // closing while a job runs.
    void requeueFront(int64_t id);
    // Moves a queued job to `position` (0 = next) in the queue; throws when it is not queued.
    void moveInQueue(int64_t id, int position);

    void setFavourite(int64_t id, bool favourite);
    void setTags(int64_t id, const QStringList& tags);
    void removeRow(int64_t id);

    QString setting(const QString& key, const QString& fallback = {});
    void setSetting(const QString& key, const QString& value);

    // Changes whenever another connection commits (PRAGMA data_version).
    int64_t dataVersion();
    // "ok" or SQLite's list of problems.
    QString integrityCheck();

private:
    int64_t insert(const JobRequest& request, JobState state, std::optional<int64_t> rerunOf,
                   const std::function<void(int64_t)>& beforeCommit);
    void open();
    // Running jobs whose process is gone (see job_lock.h) become interrupted, and whatever they had
    // written is removed.
    RecoveryReport recoverInterruptedJobs();
    QString dataDir_;
    std::unique_ptr<Connection> db_;
    RecoveryReport recovery_;
};

// The job's files as absolute paths.
QString absolutePath(const HistoryDb& db, const QString& relative);

// Tags as the user types them: trimmed, no empties, no commas (the stored separator), no duplicates.
QStringList normalizedTags(const QStringList& tags);

int64_t nowMs();

}  // namespace kinora::studio
