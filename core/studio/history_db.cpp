#include "studio/history_db.h"

#include "studio/job_lock.h"
#include "studio/schema.h"

#include <sqlite3.h>

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>
#include <limits>

namespace kinora::studio {
namespace {

constexpr const char* kColumns =
    "jobs.id, jobs.prompt, jobs.negative_prompt, jobs.model, jobs.model_path, jobs.weights_sha256, "
    "jobs.seed, jobs.steps, jobs.guidance, jobs.sampler, jobs.shift, jobs.width, jobs.height, "
    "jobs.frames, jobs.fps, jobs.label, jobs.state, jobs.queue_pos, jobs.created_ms, jobs.started_ms, "
    "jobs.finished_ms, jobs.load_s, jobs.text_s, jobs.denoise_s, jobs.decode_s, jobs.encode_s, "
    "jobs.output_dir, jobs.clip_path, jobs.thumbs_path, jobs.sidecar_path, jobs.error, jobs.favourite, "
    "jobs.tags, jobs.rerun_of";

std::optional<int64_t> optInt(const Statement& s, int col) {
    if (s.isNull(col)) return std::nullopt;
    return s.int64(col);
}

Job readJob(const Statement& s) {
    Job j;
    int c = 0;
    j.id = s.int64(c++);
    auto& r = j.request;
    r.prompt = s.text(c++);
    r.negative_prompt = s.text(c++);
    r.model = s.text(c++);
    r.model_path = s.text(c++);
    r.weights_sha256 = s.text(c++);
    r.seed = static_cast<uint64_t>(s.int64(c++));
    r.steps = int(s.int64(c++));
    r.guidance = s.real(c++);
    r.sampler = s.text(c++);
    r.shift = s.real(c++);
    r.width = int(s.int64(c++));
    r.height = int(s.int64(c++));
    r.frames = int(s.int64(c++));
    r.fps = int(s.int64(c++));
    r.label = s.int64(c++) != 0;
    j.state = stateFromName(s.text(c++));
    j.queue_pos = optInt(s, c++);
    j.created_ms = s.int64(c++);
    j.started_ms = optInt(s, c++);
    j.finished_ms = optInt(s, c++);
    j.times.load = s.real(c++);
    j.times.text = s.real(c++);
    j.times.denoise = s.real(c++);
    j.times.decode = s.real(c++);
    j.times.encode = s.real(c++);
    j.output_dir = s.text(c++);
    j.clip_path = s.text(c++);
    j.thumbs_path = s.text(c++);
    j.sidecar_path = s.text(c++);
    j.error = s.text(c++);
    j.favourite = s.int64(c++) != 0;
    const QString tags = s.text(c++);
    j.tags = tags.isEmpty() ? QStringList() : tags.split(QLatin1Char(','));
    j.rerun_of = optInt(s, c++);
    return j;
}

QVector<Job> readJobs(Statement& s) {
    QVector<Job> out;
    while (s.step()) out.push_back(readJob(s));
    return out;
}

std::string select(const char* rest) { return std::string("SELECT ") + kColumns + " FROM jobs " + rest; }

// `word` for LIKE '%word%' with the wildcard characters taken literally.
QString likePattern(const QString& word) {
    QString escaped = word;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

QString timestampForName() {
    return QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
}

}  // namespace

int64_t nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

QStringList normalizedTags(const QStringList& tags) {
    QStringList out;
    for (QString t : tags) {
        t.replace(QLatin1Char(','), QLatin1Char(' '));
        t = t.simplified();
        if (!t.isEmpty() && !out.contains(t)) out << t;
    }
    return out;
}

QString absolutePath(const HistoryDb& db, const QString& relative) {
    return relative.isEmpty() ? QString() : db.dataDir() + QLatin1Char('/') + relative;
}

QString HistoryDb::databasePath(const QString& dataDir) { return dataDir + QStringLiteral("/kinora.db"); }

HistoryDb::HistoryDb(const QString& dataDir) : dataDir_(dataDir) { open(); }

HistoryDb::~HistoryDb() = default;

void HistoryDb::open() {
    const QString path = databasePath(dataDir_);
    QString problem;
    try {
        db_ = std::make_unique<Connection>(path, true);
        // Before anything else, so that every later statement waits for a writer in another process
        // instead of failing.
        db_->setBusyHandler();
        db_->exec("PRAGMA journal_mode = WAL");
        // FULL: a commit is on disk when it returns, so a job marked done survives a power cut too.
        // Commits are rare (a few per job), the cost is one fsync each.
        db_->exec("PRAGMA synchronous = FULL");
        db_->exec("PRAGMA foreign_keys = ON");
        // quick_check reads every page (without integrity_check's index-to-row comparison): measured
        // 0.1 s for 100,000 jobs (56 MB) on the development VM, and it catches a truncated or
        // overwritten file at open instead of in the middle of some later query.
        {
            // Scoped: a statement left open keeps its read transaction, and migrate() could then never
            // take the write lock once another connection has written.
            Statement check(*db_, "PRAGMA quick_check(1)");
            if (check.step() && check.text(0) != QLatin1String("ok")) {
                // SQLite's report reads "*** in database main ***\nPage 3: ..."; one line is wanted.
                problem = check.text(0).remove(QStringLiteral("*** in database main ***")).simplified();
            }
        }
        if (problem.isEmpty()) migrate(*db_);
    } catch (const SqliteError& e) {
        if (!e.damaged()) throw;
        problem = QString::fromUtf8(e.what());
    }
    if (problem.isEmpty()) {
        recovery_ = recoverInterruptedJobs();
        return;
    }
    db_.reset();
    const QString aside = path + QStringLiteral(".damaged-") + timestampForName();
    if (!QFile::rename(path, aside)) {
        throw StudioError("the history database " + path.toStdString() + " is damaged (" + problem.toStdString() +
                          ") and could not be moved aside; move it away by hand to start a new history");
    }
    // The WAL belongs to the damaged file; the shared-memory index is rebuilt from it when needed.
    QFile::rename(path + QStringLiteral("-wal"), aside + QStringLiteral("-wal"));
    QFile::remove(path + QStringLiteral("-shm"));
    throw DatabaseDamaged("the history database " + path.toStdString() + " is damaged (" + problem.toStdString() +
                              "); it was kept as " + aside.toStdString() +
                              " and a new, empty history is started",
                          aside);
}

RecoveryReport HistoryDb::recoverInterruptedJobs() {
    RecoveryReport report;
    QVector<std::pair<int64_t, QString>> running;
    {
        Statement s(*db_, "SELECT id, output_dir FROM jobs WHERE state = 'running'");
        while (s.step()) running.push_back({s.int64(0), s.text(1)});
    }
    for (const auto& [id, dir] : running) {
        if (JobLock::isHeld(dataDir_, id)) continue;  // a live process is running it
        {
            WriteTransaction tx(*db_);
            Statement u(*db_,
                        "UPDATE jobs SET state = 'interrupted', queue_pos = NULL, finished_ms = ?2, error = ?3 "
                        "WHERE id = ?1 AND state = 'running'");
            u.bind(1, id).bind(2, nowMs())
                .bind(3, QStringLiteral("Kinora stopped while this job was running; re-run it with "
                                        "`kinora history rerun %1`")
                             .arg(id))
                .run();
            if (db_->changes() == 0) continue;  // it finished between the two looks
            tx.commit();
        }
        // Only complete files ever reach a job folder, but a job that is not done must not have one:
        // the history would list a clip the database does not know.
        removeJobFolder(dataDir_, dir);
        JobLock::removeStale(dataDir_, id);
        report.interrupted.push_back(id);
    }
    return report;
}

int64_t HistoryDb::insert(const JobRequest& r, JobState state, std::optional<int64_t> rerunOf,
                          const std::function<void(int64_t)>& beforeCommit) {
    WriteTransaction tx(*db_);
    const int64_t now = nowMs();
    std::optional<int64_t> pos;
    if (state == JobState::Queued) pos = db_->queryInt("SELECT COALESCE(MAX(queue_pos), -1) + 1 FROM jobs WHERE state = 'queued'");
    Statement s(*db_,
                "INSERT INTO jobs (prompt, negative_prompt, model, model_path, weights_sha256, seed, steps, guidance, "
                "sampler, shift, width, height, frames, fps, label, state, queue_pos, created_ms, started_ms, rerun_of) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)");
    s.bind(1, r.prompt).bind(2, r.negative_prompt).bind(3, r.model).bind(4, r.model_path).bind(5, r.weights_sha256);
    s.bind(6, static_cast<int64_t>(r.seed)).bind(7, r.steps).bind(8, r.guidance).bind(9, r.sampler).bind(10, r.shift);
    s.bind(11, r.width).bind(12, r.height).bind(13, r.frames).bind(14, r.fps).bind(15, int64_t(r.label ? 1 : 0));
    s.bind(16, QString::fromLatin1(stateName(state))).bind(17, pos).bind(18, now);
    if (state == JobState::Running) s.bind(19, now);
    else s.bindNull(19);
    s.bind(20, rerunOf);
    s.run();
    const int64_t id = db_->lastInsertId();
    if (state == JobState::Running) {
        Statement d(*db_, "UPDATE jobs SET output_dir = ?2 WHERE id = ?1");
        d.bind(1, id).bind(2, jobFolderFor(id, now)).run();
    }
    if (beforeCommit) beforeCommit(id);
    tx.commit();
    return id;
}

int64_t HistoryDb::addQueued(const JobRequest& request, std::optional<int64_t> rerunOf) {
    return insert(request, JobState::Queued, rerunOf, {});
}

int64_t HistoryDb::addRunning(const JobRequest& request, std::optional<int64_t> rerunOf,
                              const std::function<void(int64_t)>& beforeCommit) {
    return insert(request, JobState::Running, rerunOf, beforeCommit);
}

void HistoryDb::addRecords(const QVector<Job>& jobs) {
    WriteTransaction tx(*db_);
    Statement s(*db_,
                "INSERT INTO jobs (prompt, negative_prompt, model, model_path, weights_sha256, seed, steps, guidance, "
                "sampler, shift, width, height, frames, fps, label, state, queue_pos, created_ms, started_ms, "
                "finished_ms, load_s, text_s, denoise_s, decode_s, encode_s, output_dir, clip_path, thumbs_path, "
                "sidecar_path, error, favourite, tags, rerun_of) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, "
                "?32, ?33)");
    for (const Job& j : jobs) {
        const auto& r = j.request;
        s.bind(1, r.prompt).bind(2, r.negative_prompt).bind(3, r.model).bind(4, r.model_path).bind(5, r.weights_sha256);
        s.bind(6, static_cast<int64_t>(r.seed)).bind(7, r.steps).bind(8, r.guidance).bind(9, r.sampler).bind(10, r.shift);
        s.bind(11, r.width).bind(12, r.height).bind(13, r.frames).bind(14, r.fps).bind(15, int64_t(r.label ? 1 : 0));
        s.bind(16, QString::fromLatin1(stateName(j.state))).bind(17, j.queue_pos).bind(18, j.created_ms);
        s.bind(19, j.started_ms).bind(20, j.finished_ms);
        s.bind(21, j.times.load).bind(22, j.times.text).bind(23, j.times.denoise).bind(24, j.times.decode).bind(25, j.times.encode);
        s.bind(26, j.output_dir).bind(27, j.clip_path).bind(28, j.thumbs_path).bind(29, j.sidecar_path).bind(30, j.error);
        s.bind(31, int64_t(j.favourite ? 1 : 0)).bind(32, normalizedTags(j.tags).join(QLatin1Char(','))).bind(33, j.rerun_of);
        s.run();
        s.reset();
    }
    tx.commit();
}

std::optional<Job> HistoryDb::find(int64_t id) {
    Statement s(*db_, select("WHERE id = ?1").c_str());
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return readJob(s);
}

Job HistoryDb::get(int64_t id) {
    auto j = find(id);
    if (!j) throw StudioError("no job " + std::to_string(id) + " in the history; `kinora history list` shows the IDs");
    return *j;
}

QVector<Job> HistoryDb::page(std::optional<int64_t> beforeId, int limit) {
    Statement s(*db_, select("WHERE id < ?1 ORDER BY id DESC LIMIT ?2").c_str());
    s.bind(1, beforeId.value_or(std::numeric_limits<int64_t>::max())).bind(2, limit);
    return readJobs(s);
}

QVector<Job> HistoryDb::search(const QString& text, int limit) {
    QStringList ftsTerms, likeTerms;
    for (QString word : text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts)) {
        // Trailing '*' (the usual prefix syntax) is implied: every indexed word matches as a substring.
        while (word.endsWith(QLatin1Char('*'))) word.chop(1);
        word.remove(QLatin1Char('"'));
        if (word.isEmpty()) continue;
        // The trigram index needs 3 characters (code points, not UTF-16 units) to look anything up.
        if (word.toUcs4().size() >= 3) {
            ftsTerms << QLatin1Char('"') + word + QLatin1Char('"');
        } else {
            likeTerms << word;
        }
    }
    if (ftsTerms.isEmpty() && likeTerms.isEmpty()) return {};
    std::string where;
    for (int i = 0; i < likeTerms.size(); ++i) {
        const std::string p = "?" + std::to_string(i + 3);
        where += " AND (jobs.prompt LIKE " + p + " ESCAPE '\\' OR jobs.negative_prompt LIKE " + p + " ESCAPE '\\' OR jobs.tags LIKE " +
                 p + " ESCAPE '\\')";
    }
    const QString match = ftsTerms.join(QLatin1String(" AND "));
    // Ranking costs about 1.5 microseconds per match, and a common word ("circle") matches a tenth
    // of a large history: 20+ ms for 100,000 jobs. Ranking only the kRankWindow newest matches keeps
    // every search in single-digit milliseconds, and in a history the newer of two equally good
    // matches is the one wanted anyway. The window's start is found from the index alone (rowid
    // order, no ranking).
    int64_t oldest = 0;
    if (!ftsTerms.isEmpty()) {
        Statement w(*db_, "SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?1 ORDER BY rowid DESC LIMIT 1 OFFSET ?2");
        w.bind(1, match).bind(2, int64_t(kRankWindow - 1));
        if (w.step()) oldest = w.int64(0);
    }
    std::string sql;
    if (!ftsTerms.isEmpty()) {
        sql = std::string("SELECT ") + kColumns +
              " FROM jobs_fts JOIN jobs ON jobs.id = jobs_fts.rowid WHERE jobs_fts MATCH ?1 AND jobs_fts.rowid >= ?"
              + std::to_string(likeTerms.size() + 3) + where + " ORDER BY rank LIMIT ?2";
    } else {
        sql = select(("WHERE 1" + where + " ORDER BY id DESC LIMIT ?2").c_str());
    }
    Statement s(*db_, sql.c_str());
    if (!ftsTerms.isEmpty()) {
        s.bind(1, match);
        s.bind(int(likeTerms.size()) + 3, oldest);
    }
    s.bind(2, limit);
    for (int i = 0; i < likeTerms.size(); ++i) s.bind(i + 3, likePattern(likeTerms[i]));
    return readJobs(s);
}

QVector<Job> HistoryDb::queued() {
    Statement s(*db_, select("WHERE state = 'queued' ORDER BY queue_pos").c_str());
    return readJobs(s);
}

int64_t HistoryDb::count() { return db_->queryInt("SELECT COUNT(*) FROM jobs"); }

bool HistoryDb::claim(int64_t id) {
    WriteTransaction tx(*db_);
    const int64_t now = nowMs();
    Statement s(*db_,
                "UPDATE jobs SET state = 'running', queue_pos = NULL, started_ms = ?2, output_dir = ?3 "
                "WHERE id = ?1 AND state = 'queued'");
    s.bind(1, id).bind(2, now).bind(3, jobFolderFor(id, now)).run();
    if (db_->changes() == 0) return false;
    tx.commit();
    return true;
}

void HistoryDb::markDone(int64_t id, const JobFiles& files, const StageTimes& t) {
    WriteTransaction tx(*db_);
    Statement s(*db_,
                "UPDATE jobs SET state = 'done', finished_ms = ?2, output_dir = ?3, clip_path = ?4, thumbs_path = ?5, "
                "sidecar_path = ?6, load_s = ?7, text_s = ?8, denoise_s = ?9, decode_s = ?10, encode_s = ?11, error = '' "
                "WHERE id = ?1 AND state = 'running'");
    s.bind(1, id).bind(2, nowMs()).bind(3, files.dir).bind(4, files.clip).bind(5, files.thumbs).bind(6, files.sidecar);
    s.bind(7, t.load).bind(8, t.text).bind(9, t.denoise).bind(10, t.decode).bind(11, t.encode);
    s.run();
    if (db_->changes() != 1) {
        throw StudioError("job " + std::to_string(id) + " was no longer running when its clip was finished");
    }
    tx.commit();
}

void HistoryDb::markStopped(int64_t id, JobState state, const QString& error, const StageTimes& t) {
    WriteTransaction tx(*db_);
    Statement s(*db_,
                "UPDATE jobs SET state = ?2, finished_ms = ?3, error = ?4, load_s = ?5, text_s = ?6, denoise_s = ?7, "
                "decode_s = ?8, encode_s = ?9, queue_pos = NULL WHERE id = ?1 AND state = 'running'");
    s.bind(1, id).bind(2, QString::fromLatin1(stateName(state))).bind(3, nowMs()).bind(4, error);
    s.bind(5, t.load).bind(6, t.text).bind(7, t.denoise).bind(8, t.decode).bind(9, t.encode);
    s.run();
    tx.commit();
}

bool HistoryDb::cancelQueued(int64_t id) {
    WriteTransaction tx(*db_);
    Statement s(*db_,
                "UPDATE jobs SET state = 'cancelled', queue_pos = NULL, finished_ms = ?2 WHERE id = ?1 AND state = 'queued'");
    s.bind(1, id).bind(2, nowMs()).run();
    const bool changed = db_->changes() == 1;
    tx.commit();
    return changed;
}

void HistoryDb::requeueFront(int64_t id) {
    WriteTransaction tx(*db_);
    const int64_t front = db_->queryInt("SELECT COALESCE(MIN(queue_pos), 0) - 1 FROM jobs WHERE state = 'queued'");
    Statement s(*db_,
                "UPDATE jobs SET state = 'queued', queue_pos = ?2, started_ms = NULL, finished_ms = NULL, "
                "output_dir = '', error = '' WHERE id = ?1 AND state IN ('running', 'cancelled')");
    s.bind(1, id).bind(2, front).run();
    tx.commit();
}

void HistoryDb::moveInQueue(int64_t id, int position) {
    WriteTransaction tx(*db_);
    QVector<int64_t> order;
    {
        Statement s(*db_, "SELECT id FROM jobs WHERE state = 'queued' ORDER BY queue_pos");
        while (s.step()) order.push_back(s.int64(0));
    }
    if (!order.removeOne(id)) {
        throw StudioError("job " + std::to_string(id) + " is not in the queue (only queued jobs can be moved)");
    }
    order.insert(std::clamp<qsizetype>(position, 0, order.size()), id);
    // The queue is short (what one person waits for), so renumbering it whole is simplest and keeps
    // positions dense.
    Statement u(*db_, "UPDATE jobs SET queue_pos = ?2 WHERE id = ?1");
    for (int i = 0; i < order.size(); ++i) {
        u.bind(1, order[i]).bind(2, i).run();
        u.reset();
    }
    tx.commit();
}

void HistoryDb::setFavourite(int64_t id, bool favourite) {
    get(id);
    WriteTransaction tx(*db_);
    Statement s(*db_, "UPDATE jobs SET favourite = ?2 WHERE id = ?1");
    s.bind(1, id).bind(2, int64_t(favourite ? 1 : 0)).run();
    tx.commit();
}

void HistoryDb::setTags(int64_t id, const QStringList& tags) {
    get(id);
    WriteTransaction tx(*db_);
    Statement s(*db_, "UPDATE jobs SET tags = ?2 WHERE id = ?1");
    s.bind(1, id).bind(2, normalizedTags(tags).join(QLatin1Char(','))).run();
    tx.commit();
}

void HistoryDb::removeRow(int64_t id) {
    WriteTransaction tx(*db_);
    Statement s(*db_, "DELETE FROM jobs WHERE id = ?1");
    s.bind(1, id).run();
    tx.commit();
}

QString HistoryDb::setting(const QString& key, const QString& fallback) {
    Statement s(*db_, "SELECT value FROM settings WHERE key = ?1");
    s.bind(1, key);
    return s.step() ? s.text(0) : fallback;
}

void HistoryDb::setSetting(const QString& key, const QString& value) {
    WriteTransaction tx(*db_);
    Statement s(*db_, "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2");
    s.bind(1, key).bind(2, value).run();
    tx.commit();
}

int64_t HistoryDb::dataVersion() { return db_->queryInt("PRAGMA data_version"); }

QString HistoryDb::integrityCheck() {
    Statement s(*db_, "PRAGMA integrity_check");
    QStringList lines;
    while (s.step()) lines << s.text(0);
    return lines.join(QLatin1Char('\n'));
}

}  // namespace kinora::studio
