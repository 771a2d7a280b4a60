// `kinora export` and `kinora verify` as a user runs them: real processes, real files, exit statuses
// 0 / 1 (one "kinora: error: ..." line) / 2 (usage).
#include "cli_runner.h"
#include "media/decoder.h"
#include "media/export_ops.h"

#include <QtTest>

namespace {

using Run = kinora::test::CliRun;
using kinora::test::runKinora;

bool oneErrorLine(const Run& r, const QString& mustContain) {
    const QStringList lines = r.err.trimmed().split(QLatin1Char('\n'));
    return lines.size() == 1 && lines[0].startsWith(QLatin1String("kinora: error: ")) && lines[0].contains(mustContain);
}

QJsonObject formatTags(const QString& file) {
    QProcess p;
    p.start("ffprobe", {"-v", "error", "-of", "json", "-show_format", file});
    p.waitForFinished(60000);
    const auto tags = QJsonDocument::fromJson(p.readAllStandardOutput()).object()["format"].toObject()["tags"].toObject();
    for (auto it = tags.begin(); it != tags.end(); ++it) {
        if (it.key().compare("comment", Qt::CaseInsensitive) == 0) return QJsonDocument::fromJson(it.value().toString().toUtf8()).object();
    }
    return {};
}

}  // namespace

class TestCliMedia : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString source_;
    QString p(const QString& name) const { return dir_.path() + "/" + name; }

private slots:
    void initTestCase() {
        // A clip from another tool: no Kinora record, odd size, 8 fps.
        source_ = p("source.mkv");
        QProcess ff;
        ff.start("ffmpeg", {"-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=95x63:rate=8", "-frames:v", "17",
                            "-c:v", "libvpx-vp9", source_});
        QVERIFY(ff.waitForFinished(60000));
        QCOMPARE(ff.exitCode(), 0);
    }

    void exportWritesARecordAndVerifyAcceptsIt() {
        const Run e = runKinora({"export", source_, "--out", p("a.mp4")});
        QVERIFY2(e.exitCode == 0, qPrintable(e.err));
        QVERIFY(e.err.isEmpty());
        QVERIFY(e.out.contains("padded from 95x63"));
        QVERIFY(QFileInfo::exists(p("a.mp4.kinora.json")));
        const auto rec = formatTags(p("a.mp4"));
        QCOMPARE(rec["ai_generated"].toBool(), true);
        QCOMPARE(rec["generator"].toString(), QString("Kinora"));
        QVERIFY(rec["seed"].isNull());  // unknown: the source had no record
        QCOMPARE(rec["frames"].toInt(), 17);
        const Run v = runKinora({"verify", p("a.mp4")});
        QVERIFY2(v.exitCode == 0, qPrintable(v.err));
        QVERIFY(v.out.contains("unchanged since export"));
        QVERIFY(v.out.contains("ai_generated       true"));
    }

    void recordIsCarriedOverAndUpdated() {
        QVERIFY(runKinora({"export", source_, "--out", p("b.mp4")}).exitCode == 0);
        const auto before = formatTags(p("b.mp4"));
        const Run e = runKinora({"export", p("b.mp4"), "--out", p("b.webm"), "--scale", "2", "--fps", "16", "--trim", "1:9"});
        QVERIFY2(e.exitCode == 0, qPrintable(e.err));
        QVERIFY(e.out.contains("carried over"));
        const auto after = formatTags(p("b.webm"));
        QCOMPARE(after["generator_version"].toString(), before["generator_version"].toString());
        QCOMPARE(after["width"].toInt(), 2 * before["width"].toInt());
        QCOMPARE(after["fps_num"].toInt(), 16);
        QCOMPARE(after["frames"].toInt(), 16);  // 8 frames at 8 fps = 16 at 16 fps
        const auto d = kinora::media::decodeFile(p("b.webm").toStdString());
        QCOMPARE(int(d.clip.frames.size()), 16);
        QCOMPARE(d.clip.fps_num, 16);
        // A folder takes PNG frames.
        QVERIFY(QDir().mkpath(p("frames")));
        QVERIFY(runKinora({"export", p("b.webm"), "--out", p("frames")}).exitCode == 0);
        QVERIFY(QFileInfo::exists(p("frames/frame_0015.png")));
        QCOMPARE(runKinora({"verify", p("frames")}).exitCode, 0);
    }

    void markIsOnByDefaultAndOffWithNoLabel() {
        QVERIFY(runKinora({"export", source_, "--out", p("on.gif"), "--scale", "2"}).exitCode == 0);
        QVERIFY(runKinora({"export", source_, "--out", p("off.gif"), "--scale", "2", "--no-label"}).exitCode == 0);
        const auto on = kinora::media::decodeFile(p("on.gif").toStdString());
        const auto off = kinora::media::decodeFile(p("off.gif").toStdString());
        const auto r = kinora::media::aiLabelRect(on.width, on.height);
        // Inside the mark's box the labelled picture differs clearly (darkened box, light letters);
        // outside it the two exports are the same picture up to GIF dithering.
        int inside = 0, outside = 0;
        for (int y = 0; y < on.height; ++y) {
            for (int x = 0; x < on.width; ++x) {
                const size_t i = (size_t(y) * size_t(on.width) + size_t(x)) * 3u;
                const auto& a = on.clip.frames[0].rgb;
                const auto& b = off.clip.frames[0].rgb;
                const int diff = std::abs(a[i] + a[i + 1] + a[i + 2] - b[i] - b[i + 1] - b[i + 2]) / 3;
                const bool in = x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
                (in ? inside : outside) += diff > 40;
            }
        }
        qInfo("mark box %dx%d: %d of its pixels changed, %d elsewhere", r.width, r.height, inside, outside);
        QVERIFY2(inside > r.width * r.height / 2, qPrintable(QString::number(inside)));
        QVERIFY2(outside < on.width * on.height / 100, qPrintable(QString::number(outside)));
    }

    void verifyFailsForAChangedFile() {
        QVERIFY(runKinora({"export", source_, "--out", p("c.webm")}).exitCode == 0);
        QFile f(p("c.webm"));
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.seek(f.size() - 10);
        const char c = f.peek(1)[0];
        f.write(QByteArray(1, char(c ^ 1)));
        f.close();
        const Run v = runKinora({"verify", p("c.webm")});
        QCOMPARE(v.exitCode, 1);
        QVERIFY2(oneErrorLine(v, "changed since export"), qPrintable(v.err));
        QVERIFY(v.out.contains("problem: "));
        QFile::remove(p("c.webm.kinora.json"));
        const Run m = runKinora({"verify", p("c.webm")});
        QCOMPARE(m.exitCode, 1);
        QVERIFY(oneErrorLine(m, "c.webm"));
        const Run none = runKinora({"verify", source_});
        QCOMPARE(none.exitCode, 1);
        QVERIFY(oneErrorLine(none, "no embedded Kinora record"));
    }

    void userErrorsExitWithOne_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString s = dir_.path() + "/source.mkv";
        QTest::newRow("unknown extension") << QStringList{"export", s, "--out", p("x.avi")} << "unknown extension";
        QTest::newRow("missing input") << QStringList{"export", p("nope.mp4"), "--out", p("x.mp4")} << "no such file";
        QTest::newRow("history id") << QStringList{"export", "999999999", "--out", p("x.mp4")} << "no job 999999999 in the history";
        QTest::newRow("fps 0") << QStringList{"export", s, "--out", p("x.mp4"), "--fps", "0"} << "not positive";
        QTest::newRow("fps 300") << QStringList{"export", s, "--out", p("x.mp4"), "--fps", "300"} << "1 to 240";
        QTest::newRow("trim outside") << QStringList{"export", s, "--out", p("x.mp4"), "--trim", "10:40"} << "outside the clip";
        QTest::newRow("scale 5") << QStringList{"export", s, "--out", p("x.mp4"), "--scale", "5"} << "1 to 4";
        QTest::newRow("no such folder") << QStringList{"export", s, "--out", p("none/x.mp4")} << "does not exist";
        QTest::newRow("not a video") << QStringList{"export", KINORA_SOURCE_DIR "/README.md", "--out", p("x.mp4")} << "not a video file";
        QTest::newRow("verify missing") << QStringList{"verify", p("nope.gif")} << "no such file";
    }
    void userErrorsExitWithOne() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = runKinora(args);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(oneErrorLine(r, message), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(p("x.mp4")));
    }

    void usageErrorsExitWithTwo_data() {
        QTest::addColumn<QStringList>("args");
        const QString s = dir_.path() + "/source.mkv";
        QTest::newRow("export without --out") << QStringList{"export", s};
        QTest::newRow("export without file") << QStringList{"export", "--out", p("x.mp4")};
        QTest::newRow("trim not A:B") << QStringList{"export", s, "--out", p("x.mp4"), "--trim", "abc"};
        QTest::newRow("scale not a number") << QStringList{"export", s, "--out", p("x.mp4"), "--scale", "big"};
        QTest::newRow("verify without file") << QStringList{"verify"};
        // (plain `kinora bench` times a generation, see test_cli_engine)
        QTest::newRow("bench zero steps") << QStringList{"bench", "--steps", "0"};
        QTest::newRow("bench unknown benchmark") << QStringList{"bench", "nothing"};
    }
    void usageErrorsExitWithTwo() {
        QFETCH(QStringList, args);
        QCOMPARE(runKinora(args).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliMedia)
#include "test_cli_media.moc"
