// The bundled model does what issue 6's done-when says: `kinora generate --prompt "a red circle
// moving left on a black background" --out clip/` with no --model uses kinora-tiny and makes that clip,
// as the world's analyser reads it (colour, shape, motion, background, one coherent object); the same
// scene asked in Chinese too. The real program, the real model folder, the real PNG frames.
//
// The shipped kinora-tiny is still training (its card: colour 92.5% on 200 prompts, shape 71.5%,
// motion 76.5%), so at some seed it may not make the whole clip; what it gets wrong at the test's seed
// is declared per row with QEXPECT_FAIL and the measured rate, so the test still checks everything else,
// and reports XPASS (a failure to look at) once a better model makes the clip, so that the declaration goes.
#include "../app/cli_runner.h"
#include "media/decoder.h"
#include "worldgen/analyser.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace kinora;

class TestBundledModel : public QObject {
    Q_OBJECT
private slots:
    void canonicalPromptMakesThatClip_data() {
        QTest::addColumn<QString>("prompt");
        QTest::addColumn<QStringList>("knownFailures");
        // Measured on the shipped version 7 at its default 10 steps, seeds 1-16 of each prompt (`kinora
        // generate --seed N`, read by `kinora-worldgen --read`): English: a red circle moving left in 15,
        // an empty black clip in 1 (seed 7); Chinese: a red circle moving left in 15, a red circle with an
        // unclear motion in 1 (seed 7). Seed 1 makes the whole clip in both. (At 20 steps: 14 and 14, every
        // clip of both one coherent red object.)
        QTest::newRow("english") << QStringLiteral("a red circle moving left on a black background") << QStringList{};
        QTest::newRow("chinese") << QStringLiteral("黑色背景上一个红色的圆向左移动") << QStringList{};
    }
    void canonicalPromptMakesThatClip() {
        QFETCH(QString, prompt);
        QFETCH(QStringList, knownFailures);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString out = dir.filePath(QStringLiteral("clip/"));
        // Only the prompt and a fixed seed (the default seed is random; the test must be repeatable).
        // --no-label: the visible "AI" mark (on by default in every output) is Kinora's, not the
        // model's; the analyser would read it as a second object in the corner.
        const auto r = test::runKinora({QStringLiteral("generate"), QStringLiteral("--prompt"), prompt,
                                        QStringLiteral("--seed"), QStringLiteral("1"), QStringLiteral("--no-label"),
                                        QStringLiteral("--out"), out, QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto json = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(json.value(QStringLiteral("request")).toObject().value(QStringLiteral("model")).toString(),
                 QStringLiteral("kinora-tiny"));

        const auto decoded = media::decodeFile(QDir(out).absolutePath().toStdString());
        // The bundled model's defaults: 17 frames of 128x128.
        QCOMPARE(decoded.width, 128);
        QCOMPARE(decoded.height, 128);
        QCOMPARE(int(decoded.clip.frames.size()), 17);
        const auto a = world::analyse(decoded.clip);
        const std::string seen = world::describe(a);
        qInfo("%s -> %s", qPrintable(prompt), seen.c_str());
        auto known = [&](const char* check) { return knownFailures.contains(QLatin1String(check)); };
        if (known("coherent")) QEXPECT_FAIL("", "kinora-tiny version 7: one coherent object in 15 (English) / 16 (Chinese) of 16 seeds", Continue);
        QVERIFY2(a.coherent && a.object_count == 1, seen.c_str());
        if (known("colour")) QEXPECT_FAIL("", "kinora-tiny version 7: a red object in 15 (English) / 16 (Chinese) of 16 seeds", Continue);
        QVERIFY2(a.color == world::Color::Red, seen.c_str());
        if (known("shape")) QEXPECT_FAIL("", "kinora-tiny version 7 does not always draw a round circle: a circle in 15 (English) / 16 (Chinese) of 16 seeds", Continue);
        QVERIFY2(a.shape == world::Shape::Circle, seen.c_str());
        if (known("motion")) QEXPECT_FAIL("", "kinora-tiny version 7: moving left in 15 (English) / 15 (Chinese) of 16 seeds", Continue);
        QVERIFY2(a.motion == world::Motion::MovingLeft, seen.c_str());
        QVERIFY2(a.background == world::Background::Black, seen.c_str());
    }
};

QTEST_GUILESS_MAIN(TestBundledModel)
#include "test_bundled_model.moc"
