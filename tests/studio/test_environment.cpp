// Data folder resolution, model search path, SQLite capabilities and version reporting.
#include "studio/data_paths.h"
#include "studio/sqlite_info.h"
#include "studio/versions.h"

#include <QtTest>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace kinora::studio;

class TestEnvironment : public QObject {
    Q_OBJECT
private slots:
    void explicitFolderWinsOverEnvironment() {
        qputenv("KINORA_DATA_DIR", "/tmp/from-env");
        const auto loc = resolveDataDir(QStringLiteral("/tmp/explicit/../explicit2"));
        QCOMPARE(loc.path, QStringLiteral("/tmp/explicit2"));
        QCOMPARE(loc.source, QStringLiteral("--data-dir"));
    }

    void environmentWinsOverDefault() {
        qputenv("KINORA_DATA_DIR", "/tmp/from-env/");
        const auto loc = resolveDataDir();
        QCOMPARE(loc.path, QStringLiteral("/tmp/from-env"));
        QCOMPARE(loc.source, QStringLiteral("KINORA_DATA_DIR"));
    }

    void defaultIsUnderTheUsersDataLocation() {
        qunsetenv("KINORA_DATA_DIR");
        const auto loc = resolveDataDir();
        QCOMPARE(loc.source, QStringLiteral("default"));
        QVERIFY(loc.path.endsWith(QLatin1String("/kinora")));
        QVERIFY(QDir::isAbsolutePath(loc.path));
    }

    void prepareCreatesTheFolder() {
        QTemporaryDir tmp;
        const QString path = tmp.path() + QStringLiteral("/a/b");
        QCOMPARE(prepareDataDir(path), QString());
        QVERIFY(QFileInfo(path).isDir());
        QCOMPARE(QDir(path).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).size(), 0);
    }

    void prepareRejectsAFile() {
        QTemporaryDir tmp;
        const QString file = tmp.path() + QStringLiteral("/plain");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        const QString err = prepareDataDir(file);
        QVERIFY(err.contains(file));
        QVERIFY(err.contains(QLatin1String("is a file")));
    }

    void prepareRejectsAReadOnlyFolder() {
        QTemporaryDir tmp;
        const QString ro = tmp.path() + QStringLiteral("/read-only");
        QVERIFY(QDir().mkpath(ro));
        QCOMPARE(chmod(QFile::encodeName(tmp.path()).constData(), 0755), 0);
        QCOMPARE(chmod(QFile::encodeName(ro).constData(), 0555), 0);
        // Root may write anywhere, and CI runs as root: check as an unprivileged user in a child.
        const pid_t pid = fork();
        QVERIFY(pid >= 0);
        if (pid == 0) {
            if (geteuid() == 0 && setuid(65534) != 0) _exit(3);
            const QString err = prepareDataDir(ro);
            _exit(err.contains(QLatin1String("not writable")) && err.contains(ro) ? 0 : 1);
        }
        int status = 0;
        QCOMPARE(waitpid(pid, &status, 0), pid);
        chmod(QFile::encodeName(ro).constData(), 0755);
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 0);
    }

    void modelPathListsEnvironmentUserAndBundled() {
        QTemporaryDir tmp;
        qputenv("KINORA_MODEL_PATH", QByteArray("/nonexistent/models::") + tmp.path().toUtf8());
        const auto folders = modelSearchPath(QStringLiteral("/data"));
        QVERIFY(folders.size() >= 4);
        QCOMPARE(folders[0].path, QStringLiteral("/nonexistent/models"));
        QCOMPARE(folders[0].exists, false);
        QCOMPARE(folders[1].path, tmp.path());
        QCOMPARE(folders[1].exists, true);
        QCOMPARE(folders[1].source, QStringLiteral("KINORA_MODEL_PATH"));
        QCOMPARE(folders[2].path, QStringLiteral("/data/models"));
        QCOMPARE(folders.back().source, QStringLiteral("bundled"));
        qunsetenv("KINORA_MODEL_PATH");
    }

    void sqliteHasFullTextSearchWithTrigrams() {
        const auto info = sqliteInfo();
        QVERIFY(info.version.rfind("3.", 0) == 0);
        QVERIFY2(info.fts5, info.error.c_str());
        QVERIFY2(info.fts5_trigram, info.error.c_str());
    }

    void versionsNameEveryLibrary() {
        const auto v = versions();
        QCOMPARE(v.kinora, QStringLiteral(KINORA_VERSION_FOR_TEST));
        QStringList names;
        for (const auto& [name, version] : v.libraries) {
            names << name;
            QVERIFY2(!version.isEmpty(), qPrintable(name));
        }
        QCOMPARE(names, (QStringList{"LibTorch", "Qt", "FFmpeg", "OpenCV", "SQLite"}));
        QVERIFY(kinoraVersionString().startsWith(v.kinora));
    }
};

QTEST_GUILESS_MAIN(TestEnvironment)
#include "test_environment.moc"
