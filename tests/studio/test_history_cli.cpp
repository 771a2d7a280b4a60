// The history through the real `kinora` binary: generate records, history list/show/search/delete/
// rerun/favourite/tag, export by ID, errors, a damaged database, two processes at once, the watcher
// seeing the command line, and crash safety: `kill -9` mid-denoising and mid-encoding, then recovery.
#include "../app/cli_runner.h"
#include "media/provenance.h"
#include "studio/db_watcher.h"
#include "studio/history_db.h"
#include "studio/job_lock.h"
#include "studio_test_util.h"

#include <QtTest>

using namespace kinora::studio;
using namespace kinora::test;

namespace {

QProcessEnvironment envFor(const QString& dataDir) {
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("KINORA_DATA_DIR"), dataDir);
    env.remove(QStringLiteral("KINORA_TEST_PAUSE"));
    return env;
}

QStringList generateArgs(const QString& prompt, int size = 32, int steps = 2) {
    return {"generate", "--model", referenceModelDir(), "--prompt", prompt, "--width", QString::number(size),
            "--height", QString::number(size), "--frames", "5", "--steps", QString::number(steps)};
}

QJsonObject json(const CliRun& r) { return QJsonDocument::fromJson(r.out.toUtf8()).object(); }

// Generates one small clip and returns its job ID.
int64_t generateOne(const QString& dataDir, const QString& prompt, QStringList extra = {}) {
    const auto r = runKinora(generateArgs(prompt) + QStringList{"--json", "--quiet"} + extra, envFor(dataDir));
    if (r.exitCode != 0) qWarning("%s", qPrintable(r.err));
    return json(r)["job_id"].toInteger();
}

bool oneLine(const QString& s) { return s.trimmed().count('\n') == 0 && !s.trimmed().isEmpty(); }

// Starts `kinora generate` and waits until its stderr shows `marker`; returns the running process.
std::unique_ptr<QProcess> startUntil(const QStringList& args, const QProcessEnvironment& env, const QString& marker) {
    auto p = std::make_unique<QProcess>();
    p->setProcessEnvironment(env);
    p->start(QStringLiteral(KINORA_CLI), args);
    QString err;
    QElapsedTimer t;
    t.start();
    while (!err.contains(marker) && t.elapsed() < 120000 && p->state() != QProcess::NotRunning) {
        p->waitForReadyRead(100);
        err += QString::fromUtf8(p->readAllStandardError());
    }
    if (!err.contains(marker)) {
        qWarning("never saw '%s': %s", qPrintable(marker), qPrintable(err));
        return nullptr;
    }
    return p;
}

void killHard(QProcess& p) {
    p.kill();  // SIGKILL: no handler, no cleanup
    p.waitForFinished(10000);
}

}  // namespace

class TestHistoryCli : public QObject {
    Q_OBJECT
private slots:
    void generateRecordsIntoTheHistory() {
        QTemporaryDir dir;
        const auto env = envFor(dir.path());
        const auto r = runKinora(generateArgs("a blue square spinning") + QStringList{"--json", "--seed", "5"}, env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = json(r);
        const auto id = j["job_id"].toInteger();
        QVERIFY(id > 0);
        const QString clip = j["history_clip"].toString();
        QVERIFY(clip.startsWith(dir.path() + "/clips/") && clip.endsWith(QStringLiteral("/%1/clip.mp4").arg(id)));
        QCOMPARE(j["output"].toString(), clip);  // without --out the clip lives only in the history
        QVERIFY(kinora::media::verify(clip.toStdString()).verified());
        QVERIFY(r.err.contains("encoding..."));

        const auto show = runKinora({"history", "show", QString::number(id), "--json"}, env);
        QCOMPARE(show.exitCode, 0);
        const auto s = json(show);
        QCOMPARE(s["state"].toString(), QStringLiteral("done"));
        QCOMPARE(s["clip"].toString(), clip);
        QCOMPARE(s["request"].toObject()["seed"].toInteger(), 5);
        QCOMPARE(s["request"].toObject()["prompt"].toString(), QStringLiteral("a blue square spinning"));
        QVERIFY(QFile::exists(s["thumbnails"].toString()));
        QVERIFY(s["seconds"].toObject()["denoise"].toDouble() > 0);

        // --out writes its own file as well; the history keeps its MP4.
        const QString gif = dir.path() + "/copy.gif";
        const auto withOut = runKinora(generateArgs("a green ring") + QStringList{"--json", "--out", gif}, env);
        QVERIFY2(withOut.exitCode == 0, qPrintable(withOut.err));
        QCOMPARE(json(withOut)["output"].toString(), gif);
        QVERIFY(kinora::media::verify(gif.toStdString()).verified());
        QVERIFY(json(withOut)["history_clip"].toString().endsWith("clip.mp4"));
        QVERIFY(QFile::exists(json(withOut)["history_clip"].toString()));

        // --no-history: nothing recorded, and --out is then required.
        const auto noOut = runKinora(generateArgs("x") + QStringList{"--no-history"}, env);
        QCOMPARE(noOut.exitCode, 1);
        QVERIFY(noOut.err.contains("--out is required") && oneLine(noOut.err));
        const QString plain = dir.path() + "/plain.mp4";
        QCOMPARE(runKinora(generateArgs("a plain clip") + QStringList{"--no-history", "--out", plain}, env).exitCode, 0);
        QVERIFY(QFile::exists(plain));

        const auto list = runKinora({"history", "list", "--json"}, env);
        QCOMPARE(list.exitCode, 0);
        const auto jobs = json(list)["jobs"].toArray();
        QCOMPARE(jobs.size(), 2);
        QCOMPARE(jobs[0].toObject()["request"].toObject()["prompt"].toString(), QStringLiteral("a green ring"));  // newest first
        const auto limited = runKinora({"history", "list", "--limit", "1", "--before", QString::number(id + 1), "--json"}, env);
        QCOMPARE(json(limited)["jobs"].toArray().size(), 1);
        QCOMPARE(json(limited)["jobs"].toArray()[0].toObject()["id"].toInteger(), id);
        QVERIFY(runKinora({"history", "list"}, env).out.contains("a blue square spinning"));
    }

    void searchFavouriteTagAndRerun() {
        QTemporaryDir dir;
        const auto env = envFor(dir.path());
        const auto en = generateOne(dir.path(), "a red circle moving left");
        const auto zh = generateOne(dir.path(), QString::fromUtf8("黑色背景上一个红色的圆向左移动"));
        auto searchIds = [&](const QString& text) {
            QVector<int64_t> ids;
            for (const auto& v : json(runKinora({"history", "search", text, "--json"}, env))["jobs"].toArray()) {
                ids << v.toObject()["id"].toInteger();
            }
            return ids;
        };
        QCOMPARE(searchIds("circ*"), QVector<int64_t>{en});
        QCOMPARE(searchIds(QString::fromUtf8("红色")), QVector<int64_t>{zh});
        QCOMPARE(searchIds(QString::fromUtf8("向左移动")), QVector<int64_t>{zh});
        QVERIFY(searchIds("triangle").isEmpty());

        QCOMPARE(runKinora({"history", "favourite", QString::number(en)}, env).exitCode, 0);
        QVERIFY(json(runKinora({"history", "show", QString::number(en), "--json"}, env))["favourite"].toBool());
        QCOMPARE(runKinora({"history", "favourite", QString::number(en), "--off"}, env).exitCode, 0);
        QVERIFY(!json(runKinora({"history", "show", QString::number(en), "--json"}, env))["favourite"].toBool());

        QCOMPARE(runKinora({"history", "tag", QString::number(en), "logo", QString::fromUtf8("动画片")}, env).exitCode, 0);
        QCOMPARE(searchIds("logo"), QVector<int64_t>{en});
        QCOMPARE(searchIds(QString::fromUtf8("动画片")), QVector<int64_t>{en});

        const auto rerun = runKinora({"history", "rerun", QString::number(en), "--json", "--quiet"}, env);
        QVERIFY2(rerun.exitCode == 0, qPrintable(rerun.err));
        const auto again = json(rerun);
        const auto source = json(runKinora({"history", "show", QString::number(en), "--json"}, env));
        QCOMPARE(again["rerun_of"].toInteger(), en);
        QCOMPARE(again["state"].toString(), QStringLiteral("done"));
        QCOMPARE(again["request"].toObject()["seed"].toInteger(), source["request"].toObject()["seed"].toInteger());
        QVERIFY(again["id"].toInteger() > zh);
    }

    void badInputIsOneLineAndExitOne_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expect");
        QTest::newRow("show unknown") << QStringList{"history", "show", "999"} << "no job 999";
        QTest::newRow("show not a number") << QStringList{"history", "show", "abc"} << "not a job ID";
        QTest::newRow("delete unknown") << QStringList{"history", "delete", "999"} << "no job 999";
        QTest::newRow("rerun unknown") << QStringList{"history", "rerun", "999"} << "no job 999";
        QTest::newRow("favourite unknown") << QStringList{"history", "favourite", "999"} << "no job 999";
        QTest::newRow("export unknown") << QStringList{"export", "999", "--out", "/tmp/kinora-never.mp4"} << "no job 999";
        QTest::newRow("export no such file") << QStringList{"export", "nothing-here.mp4", "--out", "/tmp/kinora-never.mp4"}
                                             << "no such file or job ID";
    }
    void badInputIsOneLineAndExitOne() {
        QFETCH(QStringList, args);
        QFETCH(QString, expect);
        QTemporaryDir dir;
        const auto r = runKinora(args, envFor(dir.path()));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(expect) && oneLine(r.err), qPrintable(r.err));
    }

    void unwritableDataFolderIsOneLineAndExitOne() {
        QTemporaryDir dir;
        const QString file = dir.path() + "/not-a-folder";
        QVERIFY(writeAll(file, "x"));
        const auto r = runKinora({"--data-dir", file, "history", "list"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("is a file") && oneLine(r.err), qPrintable(r.err));
    }

    void exportByJobId() {
        QTemporaryDir dir;
        const auto env = envFor(dir.path());
        const auto id = generateOne(dir.path(), "a yellow star");
        const QString out = dir.path() + "/star.webm";
        const auto r = runKinora({"export", QString::number(id), "--out", out, "--scale", "2"}, env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("already in the history clip"));
        const auto v = kinora::media::verify(out.toStdString());
        QVERIFY(v.verified());
        QCOMPARE(v.record()->prompt, std::string("a yellow star"));
        QCOMPARE(v.record()->width, 64);
    }

    void deleteMovesFilesToTheTrashWhenThereIsOne() {
        QTemporaryDir dir, xdg;
        auto env = envFor(dir.path());
        env.insert("XDG_DATA_HOME", xdg.path());
        QVERIFY(QDir().mkpath(xdg.path() + "/Trash/files") && QDir().mkpath(xdg.path() + "/Trash/info"));
        const auto id = generateOne(dir.path(), "a cyan cube");
        const QString folder = json(runKinora({"history", "show", QString::number(id), "--json"}, env))["clip"].toString().section('/', 0, -2);
        QVERIFY(QFileInfo(folder).isDir());
        const auto r = runKinora({"history", "delete", QString::number(id)}, env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("in the trash"));
        QVERIFY(!QFileInfo::exists(folder));
        QVERIFY(QFile::exists(xdg.path() + QStringLiteral("/Trash/files/%1/clip.mp4").arg(id)));
        const QString info = QString::fromUtf8(readAll(xdg.path() + QStringLiteral("/Trash/info/%1.trashinfo").arg(id)));
        QVERIFY2(info.contains("[Trash Info]") && info.contains("Path=" + QUrl::toPercentEncoding(folder, "/")), qPrintable(info));
        QCOMPARE(runKinora({"history", "show", QString::number(id)}, env).exitCode, 1);  // the row is gone
    }

    void deleteRemovesFilesWhenThereIsNoTrash() {
        QTemporaryDir dir, xdg;
        auto env = envFor(dir.path());
        env.insert("XDG_DATA_HOME", xdg.path());  // no Trash folder in it
        const auto id = generateOne(dir.path(), "a pink diamond");
        const auto keep = generateOne(dir.path(), "a grey cross");
        const QString folder = json(runKinora({"history", "show", QString::number(id), "--json"}, env))["clip"].toString().section('/', 0, -2);
        const auto r = runKinora({"history", "delete", QString::number(id)}, env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("deleted job") && !r.out.contains("trash"));
        QVERIFY(!QFileInfo::exists(folder));
        QVERIFY(!QFileInfo::exists(xdg.path() + "/Trash"));  // none was made
        const auto list = json(runKinora({"history", "list", "--json"}, env))["jobs"].toArray();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list[0].toObject()["id"].toInteger(), keep);
    }

    void aDamagedDatabaseIsReportedAndMovedAside() {
        QTemporaryDir dir;
        const auto env = envFor(dir.path());
        QByteArray garbage(64 * 1024, '\0');
        for (int i = 0; i < garbage.size(); ++i) garbage[i] = char((i * 7919) ^ (i >> 3));
        QVERIFY(writeAll(HistoryDb::databasePath(dir.path()), garbage));
        const auto r = runKinora({"history", "list"}, env);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("damaged") && r.err.contains("kept as") && oneLine(r.err), qPrintable(r.err));
        const auto aside = QDir(dir.path()).entryList({"kinora.db.damaged-*"});
        QCOMPARE(aside.size(), 1);
        QCOMPARE(readAll(dir.path() + "/" + aside[0]), garbage);
        QVERIFY(r.err.contains(aside[0]));
        const auto again = runKinora({"history", "list"}, env);
        QCOMPARE(again.exitCode, 0);
        QVERIFY(again.out.contains("no jobs"));
    }

    // The test holds the write lock while the command line wants to write: it waits, then succeeds.
    void theCommandLineWaitsForAnotherWriter() {
        QTemporaryDir dir;
        const auto id = generateOne(dir.path(), "a golden ball bouncing");
        HistoryDb db(dir.path());
        QProcess p;
        QElapsedTimer t;
        {
            WriteTransaction tx(db.connection());
            db.connection().exec("UPDATE jobs SET tags = 'held' WHERE id = 1");
            p.setProcessEnvironment(envFor(dir.path()));
            t.start();
            p.start(QStringLiteral(KINORA_CLI), {"history", "favourite", QString::number(id)});
            QVERIFY(p.waitForStarted());
            QTest::qWait(1500);
            QCOMPARE(p.state(), QProcess::Running);  // still waiting for the lock
            tx.commit();
        }
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(t.elapsed() >= 1500);
        const auto j = db.get(id);
        QVERIFY(j.favourite);
        QCOMPARE(j.tags, QStringList{"held"});
    }

    // A generation in another process while this one writes jobs of its own, both at full speed.
    void twoProcessesWritingAtOnce() {
        QTemporaryDir dir;
        HistoryDb db(dir.path());
        QProcess p;
        p.setProcessEnvironment(envFor(dir.path()));
        p.start(QStringLiteral(KINORA_CLI), generateArgs("a white ring pulsing", 64, 8) + QStringList{"--json", "--quiet"});
        QVERIFY(p.waitForStarted());
        int mine = 0;
        while (p.state() != QProcess::NotRunning) {
            const auto id = db.addQueued(textRequest(QStringLiteral("mine %1").arg(mine)));
            db.cancelQueued(id);
            ++mine;
            QCoreApplication::processEvents();
        }
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto out = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
        QCOMPARE(db.get(out["job_id"].toInteger()).state, JobState::Done);
        QVERIFY(mine > 10);
        QCOMPARE(db.count(), mine + 1);
        QCOMPARE(db.integrityCheck(), QStringLiteral("ok"));
    }

    void theStudioSeesTheCommandLineWithinASecond() {
        QTemporaryDir dir;
        const auto id = generateOne(dir.path(), "a magenta triangle");
        HistoryDb db(dir.path());  // the studio's connection
        DbWatcher watcher(dir.path());
        QSignalSpy changed(&watcher, &DbWatcher::historyChanged);
        QProcess p;
        p.setProcessEnvironment(envFor(dir.path()));
        p.start(QStringLiteral(KINORA_CLI), {"history", "favourite", QString::number(id)});
        QVERIFY(p.waitForFinished(10000));
        QElapsedTimer t;
        t.start();
        QVERIFY(changed.size() > 0 || changed.wait(1000));
        qInfo("noticed %lld ms after the command ended", t.elapsed());
        QVERIFY(db.get(id).favourite);
    }

    // kill -9 of a real generation, mid-denoising and at two points of writing its folder. Afterwards:
    // the earlier clip intact and listed, the killed job interrupted (with a re-run that works), no
    // half-written or stray files, and the database consistent.
    void killedMidRunRecoversCleanly_data() {
        QTest::addColumn<QString>("pause");
        QTest::addColumn<QString>("marker");
        QTest::addColumn<int>("size");
        QTest::newRow("mid-denoising") << "" << "step 1/" << 256;
        QTest::newRow("mid-encoding: clip staged") << "staged:60000" << "test pause at staged" << 32;
        QTest::newRow("folder renamed, not yet recorded") << "renamed:60000" << "test pause at renamed" << 32;
    }
    void killedMidRunRecoversCleanly() {
        QFETCH(QString, pause);
        QFETCH(QString, marker);
        QFETCH(int, size);
        QTemporaryDir dir;
        const auto done = generateOne(dir.path(), "a finished clip");
        const QString doneClip = dir.path() + "/" + HistoryDb(dir.path()).get(done).clip_path;
        const auto before = kinora::media::verify(doneClip.toStdString());
        QVERIFY(before.verified());

        auto env = envFor(dir.path());
        if (!pause.isEmpty()) env.insert("KINORA_TEST_PAUSE", pause);
        auto p = startUntil(generateArgs("a killed job", size, size == 256 ? 100 : 2), env, marker);
        QVERIFY(p);
        killHard(*p);
        QCOMPARE(p->exitStatus(), QProcess::CrashExit);

        // The next start (the command line here) finds and reports the interrupted job.
        const auto list = runKinora({"history", "list", "--json"}, envFor(dir.path()));
        QCOMPARE(list.exitCode, 0);
        const int64_t killed = done + 1;
        QVERIFY2(list.err.contains(QStringLiteral("job %1 was interrupted").arg(killed)), qPrintable(list.err));
        const auto jobs = json(list)["jobs"].toArray();
        QCOMPARE(jobs.size(), 2);
        QCOMPARE(jobs[0].toObject()["state"].toString(), QStringLiteral("interrupted"));
        QVERIFY(jobs[0].toObject()["error"].toString().contains(QStringLiteral("kinora history rerun %1").arg(killed)));
        QVERIFY(jobs[0].toObject()["clip"].isNull());
        QCOMPARE(jobs[1].toObject()["state"].toString(), QStringLiteral("done"));
        QCOMPARE(jobs[1].toObject()["clip"].toString(), doneClip);

        const auto after = kinora::media::verify(doneClip.toStdString());
        QVERIFY(after.verified());
        QCOMPARE(after.actual_sha256, before.actual_sha256);
        {
            HistoryDb db(dir.path());
            QCOMPARE(db.integrityCheck(), QStringLiteral("ok"));
            QVERIFY(db.recovery().interrupted.isEmpty());  // recovered once, by the first start
        }
        // Exactly the finished job's files: nothing staged, renamed, temporary or locked is left.
        QStringList files = filesUnder(dir.path());
        files.removeAll("kinora.db");
        files.removeAll("kinora.db-wal");
        files.removeAll("kinora.db-shm");
        const QString folder = doneClip.mid(dir.path().size() + 1).section('/', 0, -2);
        QStringList expected{"locks/", "clips/", folder.section('/', 0, 1) + "/", folder.section('/', 0, 2) + "/", folder + "/",
                             folder + "/clip.mp4", folder + "/clip.mp4.kinora.json", folder + "/thumbs.png"};
        files.sort();
        expected.sort();
        QCOMPARE(files, expected);

        if (size == 32) {  // a re-run of the small one, as the note says
            const auto rerun = runKinora({"history", "rerun", QString::number(killed), "--json", "--quiet"}, envFor(dir.path()));
            QVERIFY2(rerun.exitCode == 0, qPrintable(rerun.err));
            QCOMPARE(json(rerun)["state"].toString(), QStringLiteral("done"));
            QVERIFY(kinora::media::verify(json(rerun)["clip"].toString().toStdString()).verified());
        }
    }
};

QTEST_GUILESS_MAIN(TestHistoryCli)
#include "test_history_cli.moc"
