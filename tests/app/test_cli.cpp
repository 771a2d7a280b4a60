// The `kinora` command line as a user runs it: a real process, its output and its exit status.
#include "cli_runner.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QtTest>

using Run = kinora::test::CliRun;
using kinora::test::runKinora;

// `kinora doctor --json`'s threads.KEY under `env` ("" and a failed check where doctor fails).
QString doctorThreadsField(const QProcessEnvironment& env, const char* key) {
    const auto r = runKinora({QStringLiteral("doctor"), QStringLiteral("--json")}, env);
    if (r.exitCode != 0) {
        qWarning("doctor exited with %d: %s", r.exitCode, qPrintable(r.err));
        return {};
    }
    return QJsonDocument::fromJson(r.out.toUtf8()).object()[QStringLiteral("threads")][QString::fromLatin1(key)].toString();
}

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void versionNamesEveryLibrary() {
        const Run r = runKinora({QStringLiteral("--version")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("kinora " KINORA_VERSION_FOR_TEST)), qPrintable(r.out));
        for (const char* lib : {"LibTorch 1.", "Qt 6.", "FFmpeg ", "OpenCV 4.", "SQLite 3."}) {
            QVERIFY2(r.out.contains(QLatin1String(lib)), lib);
        }
        QVERIFY(r.err.isEmpty());
    }

    void doctorJsonReportsAFastSetup() {
        QTemporaryDir data;
        const Run r = runKinora({QStringLiteral("--data-dir"), data.path(), QStringLiteral("doctor"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QJsonParseError perr;
        const auto doc = QJsonDocument::fromJson(r.out.toUtf8(), &perr);
        QVERIFY2(perr.error == QJsonParseError::NoError, qPrintable(perr.errorString()));
        const auto o = doc.object();
        // LibTorch starts with one thread here; doctor must use every core.
        QCOMPARE(o["threads"]["intra_op"].toInt(), QThread::idealThreadCount());
        QCOMPARE(o["threads"]["hardware"].toInt(), QThread::idealThreadCount());
        QVERIFY(o["speed"]["matmul"]["verified"].toBool());
        QVERIFY(o["speed"]["conv3d"]["verified"].toBool());
        QVERIFY(o["speed"]["matmul"]["gflops"].toDouble() > 0);
        // The setup script installs OpenBLAS: a slow reference BLAS must show up as a warning.
        const bool slow = o["speed"]["matmul"]["gflops"].toDouble() < 50;
        const auto warnings = QJsonDocument(o["warnings"].toArray()).toJson();
        QCOMPARE(warnings.contains("libopenblas0-openmp"), slow);
        QCOMPARE(o["problems"].toArray().size(), 0);
        QCOMPARE(o["data_dir"]["path"].toString(), data.path());
        QCOMPARE(o["data_dir"]["source"].toString(), QStringLiteral("--data-dir"));
        QCOMPARE(o["cuda"]["available"].toBool(), false);
        // bfloat16 is only worth choosing where the processor has it (else LibTorch emulates it, slowly).
        QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
        QVERIFY(cpuinfo.open(QIODevice::ReadOnly));
        const QByteArray flags = cpuinfo.readAll();
        QCOMPARE(o["torch"]["native_bfloat16"].toBool(), flags.contains(" avx512_bf16") || flags.contains(" amx_bf16"));
        QVERIFY(o["sqlite"]["fts5_trigram"].toBool());
        const auto encoders = o["media"]["encoders"].toArray();
        QCOMPARE(encoders.size(), 4);
        for (const auto& e : encoders) QVERIFY(e.toObject()["available"].toBool());
        QVERIFY(!o["model_folders"].toArray().isEmpty());
    }

    void doctorTextHasTheSameFacts() {
        QTemporaryDir data;
        // Common options work before and after the command name.
        const Run ok = runKinora({QStringLiteral("doctor"), QStringLiteral("--data-dir"), data.path()});
        QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));
        QVERIFY(ok.out.contains(QLatin1String("Matmul")));
        QVERIFY(ok.out.contains(QLatin1String("GFLOP/s")));
        QVERIFY(ok.out.contains(QLatin1String("libx264 ok")));
        QVERIFY(ok.out.contains(QLatin1String("bfloat16")));
        QVERIFY(ok.out.contains(data.path()));
        QVERIFY(ok.out.contains(QLatin1String("All checks passed.")));
    }

    void openMpSpinningIsBoundedUnlessTheUserChose() {
        // kinora re-executes itself with GOMP_SPINCOUNT set (two spinning threads collapse under load).
        auto env = kinora::test::testEnvironment();
        env.remove(QStringLiteral("OMP_WAIT_POLICY"));
        env.remove(QStringLiteral("GOMP_SPINCOUNT"));
        QCOMPARE(doctorThreadsField(env, "openmp_wait"), QStringLiteral("GOMP_SPINCOUNT=10000"));
        env.insert(QStringLiteral("OMP_WAIT_POLICY"), QStringLiteral("active"));
        QCOMPARE(doctorThreadsField(env, "openmp_wait"), QStringLiteral("OMP_WAIT_POLICY=active"));
    }

    void tensorAllocatorPolicyIsAppliedUnlessTheUserTunedMalloc() {
        // kinora keeps freed tensor memory mapped (engine/runtime.h, applyAllocatorPolicy).
        auto env = kinora::test::testEnvironment();
        QCOMPARE(doctorThreadsField(env, "allocator"), QStringLiteral("mmap threshold 32 MiB, trim threshold 256 MiB"));
        env.insert(QStringLiteral("MALLOC_MMAP_THRESHOLD_"), QStringLiteral("65536"));
        QCOMPARE(doctorThreadsField(env, "allocator"), QStringLiteral("from the environment (MALLOC_MMAP_THRESHOLD_=65536)"));
    }

    void threadsOptionIsHonoured() {
        const Run r = runKinora({QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("doctor"), QStringLiteral("--json")});
        QCOMPARE(r.exitCode, 0);
        const auto o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o["threads"]["intra_op"].toInt(), 1);
    }

    void usageErrorsExitWithTwo_data() {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")};
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")};
        QTest::newRow("threads not a number") << QStringList{QStringLiteral("--threads"), QStringLiteral("many"), QStringLiteral("doctor")};
        QTest::newRow("threads zero") << QStringList{QStringLiteral("--threads"), QStringLiteral("0"), QStringLiteral("doctor")};
        QTest::newRow("doctor extra argument") << QStringList{QStringLiteral("doctor"), QStringLiteral("extra")};
        QTest::newRow("no command") << QStringList{};
    }
    void usageErrorsExitWithTwo() {
        QFETCH(QStringList, args);
        const Run r = runKinora(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(!r.err.isEmpty() || !r.out.isEmpty());
    }

    void dataDirThatIsAFileIsAUserError() {
        QTemporaryFile file;
        QVERIFY(file.open());
        const Run r = runKinora({QStringLiteral("--data-dir"), file.fileName(), QStringLiteral("doctor")});
        QCOMPARE(r.exitCode, 1);
        const QStringList lines = r.err.trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 1);
        QVERIFY(lines[0].startsWith(QLatin1String("kinora: error: ")));
        QVERIFY(lines[0].contains(file.fileName()));
        QVERIFY(lines[0].contains(QLatin1String("is a file")));
    }

    // An installed kinora (any program outside the build tree) looks for the bundled model beside itself
    // (<prefix>/share/kinora/models), never in the source tree it was built from. Found by installing
    // the .deb into a fresh root: it listed /work/main/resources/models.
    void installedProgramLooksForTheBundledModelBesideItself() {
        QTemporaryDir prefix;
        QVERIFY(QDir().mkpath(prefix.filePath(QStringLiteral("bin"))));
        const QString copy = prefix.filePath(QStringLiteral("bin/kinora"));
        QVERIFY(QFile::copy(QStringLiteral(KINORA_CLI), copy));
        QVERIFY(QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
        QProcess p;
        p.setProcessEnvironment(kinora::test::testEnvironment());
        p.start(copy, {QStringLiteral("models")});
        QVERIFY(p.waitForFinished(60000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(out.contains(prefix.filePath(QStringLiteral("share/kinora/models")) + QStringLiteral(" (bundled")), qPrintable(out));
        QVERIFY2(!out.contains(QStringLiteral(KINORA_SOURCE_DIR)), qPrintable(out));
    }

    void slowBlasIsReportedWithTheFix() {
        // Force the reference BLAS, as on a machine without OpenBLAS, by preloading Debian's
        // reference libblas.so.3 ahead of the alternative that points to OpenBLAS.
        const QString ref = QStringLiteral("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3");
        QVERIFY2(QFileInfo::exists(ref), "scripts/setup installs libblas3 for this test");
        auto env = kinora::test::testEnvironment();
        env.insert(QStringLiteral("LD_PRELOAD"), ref);
        const Run r = runKinora({QStringLiteral("doctor"), QStringLiteral("--json")}, env);
        QCOMPARE(r.exitCode, 0);
        const auto o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o["torch"]["blas_library"].toString(), QFileInfo(ref).canonicalFilePath());
        QVERIFY2(o["speed"]["matmul"]["gflops"].toDouble() < 50, "preloading the reference BLAS did not slow matmul");
        QVERIFY(QJsonDocument(o["warnings"].toArray()).toJson().contains("libopenblas0-openmp"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
