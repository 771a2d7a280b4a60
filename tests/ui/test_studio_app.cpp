// The kinora-studio program itself: without a display it says so and points to the command line
// (instead of Qt's abort) while --help and --version still work, --screenshot renders the window
// without one (after generating a clip with --prompt --wait-done), bad options are refused with the
// reason, and --report-startup reports the time to a usable window.
#include "../app/cli_runner.h"

#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

using Run = kinora::test::CliRun;

Run runStudio(const QStringList& args, const QProcessEnvironment& env, int timeoutMs = 120000) {
    return kinora::test::runProgram(QStringLiteral(KINORA_STUDIO), args, env, timeoutMs);
}

}  // namespace

class TestStudioApp : public QObject {
    Q_OBJECT
    QTemporaryDir data_, home_;

    QProcessEnvironment env() const {
        auto e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("KINORA_DATA_DIR"), data_.path());
        e.insert(QStringLiteral("KINORA_MODEL_PATH"), QStringLiteral(KINORA_TEST_DATA_DIR "/wan-tiny"));
        // Settings and window layout of these runs stay in a throw-away home.
        e.insert(QStringLiteral("HOME"), home_.path());
        e.insert(QStringLiteral("XDG_CONFIG_HOME"), home_.path() + QStringLiteral("/.config"));
        return e;
    }

private slots:
    void withoutDisplayItSaysSoAndSuggestsTheCommandLine() {
        auto e = env();
        for (const char* v : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) e.remove(QString::fromLatin1(v));
        const auto r = runStudio({}, e);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(QLatin1String("no display")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QLatin1String("kinora generate")), qPrintable(r.err));
        QVERIFY(!r.err.contains(QLatin1String("qt.qpa")));  // not Qt's own failure
    }

    void helpAndVersionWorkWithoutDisplay() {  // they once hit Qt's abort: they open no window
        auto e = env();
        for (const char* v : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) e.remove(QString::fromLatin1(v));
        auto r = runStudio({QStringLiteral("--help")}, e);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QLatin1String("--screenshot")), qPrintable(r.out));
        r = runStudio({QStringLiteral("--version")}, e);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.startsWith(QLatin1String("Kinora Studio ")), qPrintable(r.out));
    }

    void screenshotAfterGeneratingWorksWithoutDisplay() {
        auto e = env();
        for (const char* v : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) e.remove(QString::fromLatin1(v));
        const QString png = data_.filePath(QStringLiteral("shot.png"));
        const auto r = runStudio({QStringLiteral("--screenshot"), png, QStringLiteral("--size"), QStringLiteral("1280x800"),
                                  QStringLiteral("--prompt"), QStringLiteral("a red circle moving left at sunset"),
                                  QStringLiteral("--wait-done")},
                                 e);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QImage shot(png);
        QCOMPARE(shot.size(), QSize(1280, 800));
        // Not a blank window: the player area holds the clip (many distinct colours). The studio draws a
        // new seed for every clip, so the picture must not hang on the object: the bundled model leaves
        // some clips empty (version 3: 3 of 16 seeds of the same prompt on black, which then failed),
        // while its backgrounds are right in 99% of clips, and a sunset is a gradient of many colours.
        QSet<QRgb> colours;
        for (int y = 100; y < 600; y += 7) {
            for (int x = 400; x < 800; x += 7) colours.insert(shot.pixel(x, y));
        }
        qInfo("distinct colours sampled in the player area: %lld", qint64(colours.size()));
        QVERIFY2(colours.size() > 200, qPrintable(QString::number(colours.size())));
    }

    // kinora-studio FILE (how a file manager opens a clip with it, the desktop entry's %f): the clip is in
    // the player, and with --screenshot the picture is taken once it is there. Files that are missing,
    // not clips, or more than one are refused with the reason.
    void aFileNamedOnTheCommandLineOpens() {
        auto e = env();
        e.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        const QString clip = data_.filePath(QStringLiteral("made-by-kinora.mp4"));
        const auto made = kinora::test::runKinora({QStringLiteral("generate"), QStringLiteral("--prompt"), QStringLiteral("a green square"),
                                                   QStringLiteral("--model"), QStringLiteral("tiny-wan2.1-t2v"), QStringLiteral("--width"),
                                                   QStringLiteral("64"), QStringLiteral("--height"), QStringLiteral("64"), QStringLiteral("--frames"),
                                                   QStringLiteral("5"), QStringLiteral("--steps"), QStringLiteral("2"), QStringLiteral("--no-history"),
                                                   QStringLiteral("--out"), clip},
                                                  e);
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        const QString png = data_.filePath(QStringLiteral("opened.png"));
        auto r = runStudio({QStringLiteral("--screenshot"), png, QStringLiteral("--size"), QStringLiteral("1280x800"), clip}, e);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QImage shot(png);
        QCOMPARE(shot.size(), QSize(1280, 800));
        QSet<QRgb> colours;  // the player area holds the clip, not an empty dark panel
        for (int y = 100; y < 600; y += 7) {
            for (int x = 400; x < 800; x += 7) colours.insert(shot.pixel(x, y));
        }
        QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));

        r = runStudio({data_.filePath(QStringLiteral("missing.mp4"))}, e);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QLatin1String("missing.mp4: no such file")), qPrintable(r.err));
        r = runStudio({clip, clip}, e);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QLatin1String("one file at a time")), qPrintable(r.err));
        r = runStudio({QStringLiteral("--screenshot"), png, QStringLiteral("--prompt"), QStringLiteral("a red circle"),
                       QStringLiteral("--wait-done"), clip},
                      e);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QLatin1String("cannot be combined")), qPrintable(r.err));
        const QString notAClip = data_.filePath(QStringLiteral("not-a-clip.mp4"));
        {
            QFile f(notAClip);
            QVERIFY(f.open(QIODevice::WriteOnly) && f.write("hello") == 5);
        }
        r = runStudio({QStringLiteral("--screenshot"), png, notAClip}, e, 60000);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QLatin1String("not-a-clip.mp4")), qPrintable(r.err));
    }

    void badOptionsAreRefusedWithTheReason() {
        auto e = env();
        e.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        auto r = runStudio({QStringLiteral("--screenshot"), data_.filePath(QStringLiteral("x.png")), QStringLiteral("--size"), QStringLiteral("12x9")}, e);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QLatin1String("--size")), qPrintable(r.err));
        r = runStudio({QStringLiteral("--screenshot"), data_.filePath(QStringLiteral("x.png")), QStringLiteral("--model"),
                       QStringLiteral("no-such-model")},
                      e);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QLatin1String("--model no-such-model")) && r.err.contains(QLatin1String("kinora models")),
                 qPrintable(r.err));
        QVERIFY(!QFile::exists(data_.filePath(QStringLiteral("x.png"))));
        r = runStudio({QStringLiteral("--screenshot"), data_.filePath(QStringLiteral("x.png")), QStringLiteral("--wait-done")}, e);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QLatin1String("--prompt")), qPrintable(r.err));
        // A prompt the panel refuses (only spaces): it says why and exits instead of waiting for a clip.
        r = runStudio({QStringLiteral("--screenshot"), data_.filePath(QStringLiteral("x.png")), QStringLiteral("--prompt"),
                       QStringLiteral("   "), QStringLiteral("--wait-done")},
                      e, 60000);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QLatin1String("cannot be generated: Write a prompt first")), qPrintable(r.err));
        r = runStudio({QStringLiteral("--screenshot"), QStringLiteral("/nonexistent-dir/x.png")}, e);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QLatin1String("cannot write")), qPrintable(r.err));
    }

    void reportsTheTimeToAUsableWindow() {
        auto e = env();
        e.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        QProcess p;
        p.setProcessEnvironment(e);
        p.start(QStringLiteral(KINORA_STUDIO), {QStringLiteral("--report-startup")});
        QVERIFY(p.waitForReadyRead(30000));
        const QString line = QString::fromUtf8(p.readLine());
        p.kill();
        p.waitForFinished();
        const QRegularExpression re(QStringLiteral("usable window (\\d+) ms after the process started"));
        const auto m = re.match(line);
        QVERIFY2(m.hasMatch(), qPrintable(line));
        qInfo("%s", qPrintable(line.trimmed()));
        QVERIFY(m.captured(1).toInt() > 0);
    }
};

QTEST_GUILESS_MAIN(TestStudioApp)
#include "test_studio_app.moc"
