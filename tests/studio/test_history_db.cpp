// The history database: migrations from every earlier schema version, full-text search (English,
// Chinese, prefixes, ranking, tags kept in sync), keyset pages, queue order, damaged files moved
// aside, crash recovery of running jobs, and two connections writing at once.
#include "studio/history_db.h"
#include "studio/job_lock.h"
#include "studio/schema.h"
#include "studio_test_util.h"

#include <QtTest>


#include <thread>

using namespace kinora::studio;
using namespace kinora::test;

namespace {

QVector<int64_t> ids(const QVector<Job>& jobs) {
    QVector<int64_t> out;
    for (const auto& j : jobs) out << j.id;
    return out;
}

QStringList columns(Connection& db, const char* table) {
    QStringList out;
    Statement s(db, (std::string("PRAGMA table_info(") + table + ")").c_str());
    while (s.step()) out << s.text(1);
    return out;
}

}  // namespace

class TestHistoryDb : public QObject {
    Q_OBJECT
private slots:
    void freshDatabaseIsAtTheLatestVersionInWalMode() {
        QTemporaryDir dir;
        HistoryDb db(dir.path());
        QCOMPARE(schemaVersion(db.connection()), kSchemaVersion);
        QCOMPARE(db.connection().queryInt("PRAGMA foreign_keys"), 1);
        Statement mode(db.connection(), "PRAGMA journal_mode");
        QVERIFY(mode.step());
        QCOMPARE(mode.text(0), QStringLiteral("wal"));
        QCOMPARE(db.integrityCheck(), QStringLiteral("ok"));
    }

    // Every earlier version, with data in it, migrates to the latest and keeps its rows.
    void migratesFromEveryEarlierVersion_data() {
        QTest::addColumn<int>("from");
        for (int v = 0; v < kSchemaVersion; ++v) QTest::newRow(qPrintable(QStringLiteral("v%1").arg(v))) << v;
    }
    void migratesFromEveryEarlierVersion() {
        QFETCH(int, from);
        QTemporaryDir dir;
        {
            Connection c(HistoryDb::databasePath(dir.path()), true);
            migrate(c, from);
            QCOMPARE(schemaVersion(c), from);
            if (from >= 1) {
                // A v1 row: no tags column yet.
                c.exec("INSERT INTO jobs (prompt, negative_prompt, model, model_path, seed, steps, guidance, sampler, "
                       "shift, width, height, frames, fps, state, created_ms, favourite) VALUES ('a green star falling', "
                       "'blurry', 'm', '/m', 1, 2, 5.0, 'unipc', 3.0, 32, 32, 5, 8, 'done', 1000, 1)");
                QVERIFY(!columns(c, "jobs").contains("tags"));
            }
        }
        HistoryDb db(dir.path());
        QCOMPARE(schemaVersion(db.connection()), kSchemaVersion);
        QVERIFY(columns(db.connection(), "jobs").contains("tags"));
        if (from >= 1) {
            const auto j = db.get(1);
            QCOMPARE(j.request.prompt, QStringLiteral("a green star falling"));
            QVERIFY(j.favourite);
            QVERIFY(j.tags.isEmpty());
            // The index was built from the rows that were there before it.
            QCOMPARE(ids(db.search(QStringLiteral("star"), 10)), QVector<int64_t>{1});
            QCOMPARE(ids(db.search(QStringLiteral("blurry"), 10)), QVector<int64_t>{1});
        }
        QCOMPARE(db.integrityCheck(), QStringLiteral("ok"));
    }

    // A step that fails leaves the database at its old version with nothing half done.
    void aFailedMigrationChangesNothing() {
        QTemporaryDir dir;
        const QString path = HistoryDb::databasePath(dir.path());
        {
            Connection c(path, true);
            migrate(c, 1);
            c.exec("CREATE TABLE jobs_fts (x)");  // in the way of version 2's index
        }
        QVERIFY_THROWS_EXCEPTION(SqliteError, HistoryDb{dir.path()});
        Connection c(path, false);
        QCOMPARE(schemaVersion(c), 1);
        QVERIFY(!columns(c, "jobs").contains("tags"));
        QCOMPARE(columns(c, "jobs_fts"), QStringList{"x"});
        QVERIFY(QFile::exists(path));  // not treated as damaged
    }

    void aNewerSchemaIsRefused() {
        QTemporaryDir dir;
        {
            Connection c(HistoryDb::databasePath(dir.path()), true);
            c.exec("PRAGMA user_version = 99");
        }
        try {
            HistoryDb db(dir.path());
            QFAIL("opened a database from a newer Kinora");
        } catch (const StudioError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QLatin1String("newer Kinora")), e.what());
        }
        Connection c(HistoryDb::databasePath(dir.path()), false);
        QCOMPARE(schemaVersion(c), 99);
    }

    void searchFindsEnglishChineseAndPrefixes() {
        QTemporaryDir dir;
        HistoryDb db(dir.path());
        const auto en = db.addQueued(textRequest(QStringLiteral("a red circle moving left on a black background")));
        const auto zh = db.addQueued(textRequest(QString::fromUtf8("黑色背景上一个红色的圆向左移动")));
        const auto sq = db.addQueued(textRequest(QStringLiteral("a blue square spinning"), QStringLiteral("blurry")));
        QCOMPARE(ids(db.search(QStringLiteral("circle"), 10)), QVector<int64_t>{en});
        QCOMPARE(ids(db.search(QStringLiteral("CIRCLE"), 10)), QVector<int64_t>{en});  // case-insensitive
        QCOMPARE(ids(db.search(QStringLiteral("circ"), 10)), QVector<int64_t>{en});    // a prefix
        QCOMPARE(ids(db.search(QStringLiteral("circ*"), 10)), QVector<int64_t>{en});   // prefix syntax
        QCOMPARE(ids(db.search(QStringLiteral("spin* squ"), 10)), QVector<int64_t>{sq});
        QCOMPARE(ids(db.search(QStringLiteral("red circle left"), 10)), QVector<int64_t>{en});  // every word
        QVERIFY(db.search(QStringLiteral("red square"), 10).isEmpty());
        QCOMPARE(ids(db.search(QStringLiteral("blurry"), 10)), QVector<int64_t>{sq});  // negative prompt
        // Chinese: 3+ characters through the trigram index, 1-2 through LIKE.
        QCOMPARE(ids(db.search(QString::fromUtf8("红色的圆"), 10)), QVector<int64_t>{zh});
        QCOMPARE(ids(db.search(QString::fromUtf8("向左移动"), 10)), QVector<int64_t>{zh});
        QCOMPARE(ids(db.search(QString::fromUtf8("向左"), 10)), QVector<int64_t>{zh});
        QCOMPARE(ids(db.search(QString::fromUtf8("圆"), 10)), QVector<int64_t>{zh});
        QCOMPARE(ids(db.search(QString::fromUtf8("背景 红色"), 10)), QVector<int64_t>{zh});
        QCOMPARE(ids(db.search(QString::fromUtf8("向左移动 圆"), 10)), QVector<int64_t>{zh});
        QVERIFY(db.search(QString::fromUtf8("蓝色"), 10).isEmpty());
        QVERIFY(db.search(QString::fromUtf8("向右移动"), 10).isEmpty());
        // Short words that are not Chinese work the same way; LIKE's wildcards are taken literally.
        QCOMPARE(ids(db.search(QStringLiteral("a blue"), 10)), QVector<int64_t>{sq});
        QVERIFY(db.search(QStringLiteral("%"), 10).isEmpty());
        QVERIFY(db.search(QStringLiteral("_"), 10).isEmpty());
        QVERIFY(db.search(QStringLiteral("   "), 10).isEmpty());
        QVERIFY(db.search(QStringLiteral("\"circle"), 10).size() == 1);  // a stray quote is not a syntax error
    }

    void searchRanksPromptAboveTagsAboveNegativeAndDenserMatchesFirst() {
        QTemporaryDir dir;
        HistoryDb db(dir.path());
        const auto negative = db.addQueued(textRequest(QStringLiteral("a blue square"), QStringLiteral("orange")));
        const auto tagged = db.addQueued(textRequest(QStringLiteral("a green ring")));
        db.setTags(tagged, {QStringLiteral("orange")});
        const auto prompt = db.addQueued(textRequest(QStringLiteral("an orange star")));
        QCOMPARE(ids(db.search(QStringLiteral("orange"), 10)), (QVector<int64_t>{prompt, tagged, negative}));

        const auto sparse = db.addQueued(textRequest(QStringLiteral(
            "a small cube drifting over a wide striped background with many other shapes and a faint glow")));
        const auto dense = db.addQueued(textRequest(QStringLiteral("cube cube cube")));
        QCOMPARE(ids(db.search(QStringLiteral("cube"), 10)), (QVector<int64_t>{dense, sparse}));
    }

    void triggersKeepTheIndexInStep() {
        QTemporaryDir dir;
        HistoryDb db(dir.path());
        const auto id = db.addQueued(textRequest(QStringLiteral("a yellow triangle")));
        db.setTags(id, {QStringLiteral(" loop "), QStringLiteral("logo, idea"), QStringLiteral("loop"), QString()});
        QCOMPARE(db.get(id).tags, (QStringList{"loop", "logo idea"}));
        QCOMPARE(ids(db.search(QStringLiteral("logo"), 10)), QVector<int64_t>{id});
        db.setTags(id, {QStringLiteral("keep")});
        QVERIFY(db.search(QStringLiteral("logo"), 10).isEmpty());
        QCOMPARE(ids(db.search(QStringLiteral("keep"), 10)), QVector<int64_t>{id});
        // State changes do not touch the index; the row's text is still found.
        QVERIFY(db.cancelQueued(id));
        QCOMPARE(ids(db.search(QStringLiteral("triangle"), 10)), QVector<int64_t>{id});
        db.removeRow(id);
        QVERIFY(db.search(QStringLiteral("triangle"), 10).isEmpty());
        QVERIFY(db.search(QStringLiteral("keep"), 10).isEmpty());
        QCOMPARE(db.connection().queryInt("SELECT COUNT(*) FROM jobs_fts"), 0);
        db.connection().exec("INSERT INTO jobs_fts(jobs_fts, rank) VALUES ('integrity-check', 1)");
    }

    // Foreign keys are on: deleting a job keeps its re-runs and forgets where they came from.
    void deletingAJobKeepsItsReruns() {
        QTemporaryDir dir;
        HistoryDb db(dir.path());
        const auto source = db.addQueued(textRequest(QStringLiteral("source")));
        const auto rerun = db.addQueued(textRequest(QStringLiteral("again")), source);
        QCOMPARE(db.get(rerun).rerun_of, std::optional<int64_t>(source));
        db.removeRow(source);
        QVERIFY(!db.find(source));
        QCOMPARE(db.get(rerun).rerun_of, std::optional<int64_t>());
        // And a re-run of a job that does not exist is refused.
        QVERIFY_THROWS_EXCEPTION(SqliteError, db.addQueued(textRequest(QStringLiteral("orphan")), 12345));
    }

    void pagesAreNewestFirstByKeyset() {
        QTemporaryDir dir;
        HistoryDb db(dir.path());
        for (int i = 0; i < 23; ++i) db.addQueued(textRequest(QStringLiteral("job %1").arg(i)));
        QVector<int64_t> seen;
        std::optional<int64_t> before;
        for (;;) {
            const auto page = db.page(before, 10);
            if (page.isEmpty()) break;
            seen += ids(page);
            before = page.back().id;
        }
        QCOMPARE(seen.size(), 23);
        for (int i = 1; i < seen.size(); ++i) QVERIFY(seen[i] < seen[i - 1]);
        // The plan walks the primary key backwards: no sort, no OFFSET scan.
        Statement plan(db.connection(), "EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE id < 10 ORDER BY id DESC LIMIT 10");
        QStringList steps;
        while (plan.step()) steps << plan.text(3);
        QVERIFY2(!steps.join(' ').contains(QLatin1String("TEMP B-TREE")), qPrintable(steps.join(" | ")));
        QVERIFY2(steps.join(' ').contains(QLatin1String("INTEGER PRIMARY KEY")), qPrintable(steps.join(" | ")));
    }

    void queueOrderCanBeChangedAndSurvivesReopening() {
        QTemporaryDir dir;
        QVector<int64_t> q;
        {
            HistoryDb db(dir.path());
            for (int i = 0; i < 4; ++i) q << db.addQueued(textRequest(QStringLiteral("q%1").arg(i)));
            db.moveInQueue(q[3], 0);
            db.moveInQueue(q[0], 99);  // clamped to the end
            QVERIFY(db.cancelQueued(q[1]));
            QVERIFY(!db.cancelQueued(q[1]));
            QVERIFY_THROWS_EXCEPTION(StudioError, db.moveInQueue(q[1], 0));
        }
        HistoryDb db(dir.path());
        QCOMPARE(ids(db.queued()), (QVector<int64_t>{q[3], q[2], q[0]}));
        QCOMPARE(db.get(q[1]).state, JobState::Cancelled);
    }

    void unknownIdIsAClearError() {
        QTemporaryDir dir;
        HistoryDb db(dir.path());
        try {
            db.get(42);
            QFAIL("no error");
        } catch (const StudioError& e) {
            QCOMPARE(QString::fromUtf8(e.what()), QStringLiteral("no job 42 in the history; `kinora history list` shows the IDs"));
        }
        QVERIFY_THROWS_EXCEPTION(StudioError, db.setFavourite(42, true));
    }

    void damagedFilesAreMovedAsideNotReplaced_data() {
        QTest::addColumn<QString>("damage");
        QTest::newRow("garbage") << "garbage";
        QTest::newRow("truncated to half") << "half";
        QTest::newRow("truncated inside the header") << "header";
        QTest::newRow("overwritten page") << "page";
    }
    void damagedFilesAreMovedAsideNotReplaced() {
        QFETCH(QString, damage);
        QTemporaryDir dir;
        const QString path = HistoryDb::databasePath(dir.path());
        {
            HistoryDb db(dir.path());
            QVector<Job> jobs;
            for (int i = 0; i < 3000; ++i) {
                Job j;
                j.request = textRequest(QStringLiteral("a purple hexagon number %1 rising slowly").arg(i));
                j.state = JobState::Done;
                j.created_ms = i;
                jobs << j;
            }
            db.addRecords(jobs);
        }
        QVERIFY(!QFile::exists(path + "-wal"));  // checkpointed on close: the file is the whole database
        QByteArray bytes = readAll(path);
        QVERIFY(bytes.size() > 200000);
        if (damage == "garbage") {
            QRandomGenerator gen(1);
            for (auto& b : bytes) b = char(gen.generate());
        } else if (damage == "half") {
            bytes.truncate(bytes.size() / 2);
        } else if (damage == "header") {
            bytes.truncate(60);
        } else {
            for (int i = 0; i < 4096; ++i) bytes[8192 + i] = char(0x5a);  // page 3: inside the jobs table
        }
        QVERIFY(writeAll(path, bytes));
        QString movedTo;
        try {
            HistoryDb db(dir.path());
            QFAIL("a damaged database was opened");
        } catch (const DatabaseDamaged& e) {
            movedTo = e.moved_to;
            const QString msg = QString::fromUtf8(e.what());
            QVERIFY2(msg.contains(path) && msg.contains(QLatin1String("damaged")) && msg.contains(movedTo), e.what());
            QVERIFY(!msg.contains('\n'));
        }
        QVERIFY(movedTo.startsWith(path + QStringLiteral(".damaged-")));
        QCOMPARE(readAll(movedTo), bytes);  // kept byte for byte
        QVERIFY(!QFile::exists(path));
        HistoryDb fresh(dir.path());
        QCOMPARE(fresh.count(), 0);
        QCOMPARE(fresh.integrityCheck(), QStringLiteral("ok"));
    }

    // A job marked running whose process is gone (no lock held) is interrupted and its leftovers
    // removed; one whose process lives (lock held) is left alone.
    void recoveryInterruptsOnlyJobsWithoutALiveOwner() {
        QTemporaryDir dir;
        int64_t dead = 0, alive = 0;
        std::optional<JobLock> deadLock, aliveLock;
        {
            HistoryDb db(dir.path());
            dead = db.addRunning(textRequest(QStringLiteral("dead")), std::nullopt, [&](int64_t id) { deadLock.emplace(dir.path(), id); });
            alive = db.addRunning(textRequest(QStringLiteral("alive")), std::nullopt, [&](int64_t id) { aliveLock.emplace(dir.path(), id); });
            // What the dead process had written: its staging folder and its renamed job folder.
            const QString folder = db.get(dead).output_dir;
            QVERIFY(QDir().mkpath(dir.path() + "/" + folder));
            QVERIFY(QDir().mkpath(dir.path() + "/" + stagingFolderFor(folder)));
            QVERIFY(writeAll(dir.path() + "/" + folder + "/clip.mp4", "x"));
        }
        QVERIFY(JobLock::isHeld(dir.path(), dead));
        deadLock.reset();  // the process "dies": its lock is released
        QVERIFY(!JobLock::isHeld(dir.path(), dead));
        HistoryDb db(dir.path());
        QCOMPARE(db.recovery().interrupted, QVector<int64_t>{dead});
        const auto j = db.get(dead);
        QCOMPARE(j.state, JobState::Interrupted);
        QVERIFY(j.error.contains(QStringLiteral("kinora history rerun %1").arg(dead)));
        QVERIFY(!QFileInfo::exists(dir.path() + "/" + j.output_dir));
        QVERIFY(!QFileInfo::exists(dir.path() + "/" + stagingFolderFor(j.output_dir)));
        QCOMPARE(db.get(alive).state, JobState::Running);
        QVERIFY(!QFile::exists(dir.path() + QStringLiteral("/locks/%1.lock").arg(dead)));
    }

    // Two connections (as two processes would have) writing at the same time: the busy timeout and
    // BEGIN IMMEDIATE make the second wait instead of failing.
    void twoWritersAtOnceBothSucceed() {
        QTemporaryDir dir;
        { HistoryDb init(dir.path()); }
        std::atomic<int> failures{0};
        auto writer = [&](const QString& name) {
            try {
                HistoryDb db(dir.path());
                for (int i = 0; i < 150; ++i) {
                    const auto id = db.addQueued(textRequest(QStringLiteral("%1 %2").arg(name).arg(i)));
                    db.setFavourite(id, true);
                }
            } catch (const std::exception& e) {
                qWarning("%s", e.what());
                ++failures;
            }
        };
        std::thread a(writer, QStringLiteral("alpha")), b(writer, QStringLiteral("beta"));
        a.join();
        b.join();
        QCOMPARE(failures.load(), 0);
        HistoryDb db(dir.path());
        QCOMPARE(db.count(), 300);
        QCOMPARE(db.queued().size(), 300);
        QCOMPARE(db.integrityCheck(), QStringLiteral("ok"));
    }
};

QTEST_GUILESS_MAIN(TestHistoryDb)
#include "test_history_db.moc"
