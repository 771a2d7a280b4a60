// kinora-worldgen's `--read`: the analyser's reading of clips made elsewhere, from their files. The real
// program on real PNG frame folders and an MP4 it rendered itself, against the reading it recorded for
// the same clips in memory (`--analyse`); and what it says about paths that are not clips.
#include "../app/cli_runner.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

namespace {

kinora::test::CliRun worldgen(const QStringList& args) {
    return kinora::test::runProgram(QStringLiteral(KINORA_WORLDGEN), args, QProcessEnvironment::systemEnvironment(), 120000);
}

}  // namespace

class TestWorldgenCli : public QObject {
    Q_OBJECT
private slots:
    // Lossless PNG frames read back give the reading of the clip in memory; an MP4 (lossy) of an easy
    // single-object clip too.
    void readGivesTheAnalysersReadingOfFiles() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString out = dir.filePath(QStringLiteral("clips"));
        const auto made = worldgen({QStringLiteral("--seed"), QStringLiteral("5"), QStringLiteral("--count"), QStringLiteral("3"),
                                    QStringLiteral("--objects"), QStringLiteral("1"), QStringLiteral("--png"), QStringLiteral("--mp4"),
                                    QStringLiteral("--analyse"), QStringLiteral("--out"), out});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        QFile index(out + QStringLiteral("/captions.json"));
        QVERIFY(index.open(QIODevice::ReadOnly));
        const auto clips = QJsonDocument::fromJson(index.readAll()).array();
        QCOMPARE(clips.size(), 3);

        QStringList paths, expected;
        for (const auto& c : clips) {
            const auto o = c.toObject();
            const QString name = o.value(QStringLiteral("name")).toString();
            const QString summary = o.value(QStringLiteral("analysis")).toObject().value(QStringLiteral("summary")).toString();
            QVERIFY(!summary.isEmpty());
            paths << out + QLatin1Char('/') + name;
            expected << out + QLatin1Char('/') + name + QStringLiteral(": ") + summary;
        }
        const auto read = worldgen(QStringList{QStringLiteral("--read")} + paths);
        QVERIFY2(read.exitCode == 0, qPrintable(read.err));
        QCOMPARE(read.out.trimmed().split(QLatin1Char('\n')), expected);

        // The first clip as a video: the rendered clip is plain enough to read the same through H.264.
        const QString mp4 = paths[0] + QStringLiteral(".mp4");
        const auto video = worldgen({QStringLiteral("--read"), mp4});
        QVERIFY2(video.exitCode == 0, qPrintable(video.err));
        QCOMPARE(video.out.trimmed(), mp4 + expected[0].mid(paths[0].size()));
    }

    // A path that is not a clip gets the reason, not a crash or a reading of nothing.
    void readRefusesWhatIsNotAClip() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString missing = dir.filePath(QStringLiteral("nothing-here"));
        const auto gone = worldgen({QStringLiteral("--read"), missing});
        QVERIFY(gone.exitCode != 0);
        QVERIFY2(gone.err.contains(QStringLiteral("nothing-here")), qPrintable(gone.err));

        const QString text = dir.filePath(QStringLiteral("notes.mp4"));
        QFile f(text);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a video\n");
        f.close();
        const auto bad = worldgen({QStringLiteral("--read"), text});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.startsWith(QStringLiteral("kinora-worldgen: error: ")), qPrintable(bad.err));
        QVERIFY2(bad.err.contains(QStringLiteral("notes.mp4")), qPrintable(bad.err));
        QVERIFY(bad.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestWorldgenCli)
#include "test_worldgen_cli.moc"
