// The world evaluation (`kinora eval --suite world`) scores what it should: a drawer that renders
// exactly what each prompt asks scores as well as the analyser reads the world (>= 97%), one that draws
// noise or the wrong colour scores nothing for it, the groups (seen / held-out, English / Chinese) add
// up with the requested shares, and the command runs end to end on a real model folder with its JSON
// report and contact sheet; the world-vae suite reads the world's clips through a model's VAE.
// LibTorch before Qt: Qt's `slots` macro breaks its headers.
#include "engine/vae.h"

#include "../app/cli_runner.h"
#include "eval/world_eval.h"
#include "worldgen/world.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <functional>
#include <random>

using namespace kinora;

namespace {

eval::WorldEvalOptions options(int prompts) {
    eval::WorldEvalOptions o;
    o.prompts = prompts;
    o.seed = 11;
    return o;
}

}  // namespace

class TestWorldEval : public QObject {
    Q_OBJECT
private slots:
    void aPerfectDrawerScoresAsTheAnalyserReads() {
        // The reference: the world's own renderer drawing the scene the prompt was written from.
        std::vector<std::string> prompts;
        const auto report = eval::evaluateWorld(
            [&](const std::string& prompt, uint64_t, const world::SceneSpec& asked) {
                prompts.push_back(prompt);
                return world::render(asked);
            },
            options(120));
        const auto& a = report.all;
        qInfo("perfect drawer: colour %d, shape %d, motion %d, background %d, coherent %d of %d; falling accelerating %d of %d",
              a.color, a.shape, a.motion, a.background, a.coherent, a.n, a.accelerating, a.falling);
        QCOMPARE(a.n, 120);
        QCOMPARE(int(report.cases.size()), 120);
        for (int k : {a.color, a.shape, a.motion, a.background}) QVERIFY(k >= 0.97 * a.n);
        QVERIFY(a.falling > 0);
        QVERIFY(a.accelerating >= 0.97 * a.falling);
        // The groups partition the prompts, with about the requested shares (30% held out, 25% Chinese).
        QCOMPARE(report.seen.n + report.held_out.n, a.n);
        QCOMPARE(report.english.n + report.chinese.n, a.n);
        QVERIFY2(report.held_out.n >= 20 && report.held_out.n <= 52, qPrintable(QString::number(report.held_out.n)));
        QVERIFY2(report.chinese.n >= 15 && report.chinese.n <= 45, qPrintable(QString::number(report.chinese.n)));
        // By shape and by motion: each group holds exactly the cases that asked for it, with their tallies.
        std::map<std::string, int> shapeRight, motionRight, shapeN, motionN;
        for (const auto& c : report.cases) {
            const auto comma = c.expected.find(',');
            const std::string head = c.expected.substr(0, comma);  // "red circle moving left"
            for (const auto& s : {"circle", "square", "triangle", "star"}) {
                if (head.find(std::string(" ") + s + " ") != std::string::npos) ++shapeN[s], shapeRight[s] += c.shape;
            }
            const std::string motion = head.substr(head.find(' ', head.find(' ') + 1) + 1);
            ++motionN[motion];
            motionRight[motion] += c.motion;
        }
        QCOMPARE(report.by_shape.size(), size_t(4));
        QCOMPARE(report.by_motion.size(), size_t(10));  // 120 prompts draw every motion
        for (const auto& [name, g] : report.by_shape) {
            QCOMPARE(g.n, shapeN[name]);
            QCOMPARE(g.shape, shapeRight[name]);
        }
        for (const auto& [name, g] : report.by_motion) {
            QCOMPARE(g.n, motionN[name]);
            QCOMPARE(g.motion, motionRight[name]);
            QVERIFY2(g.motion >= g.n - 2, name.c_str());  // the world's own clips: each motion reads right
        }
        const auto j = report.toJson(false);
        QCOMPARE(j.at("by_motion").at("growing").at("prompts").get<int>(), report.by_motion.at("growing").n);
        QCOMPARE(j.at("by_shape").at("star").at("shape_pct").get<double>(),
                 100.0 * report.by_shape.at("star").shape / report.by_shape.at("star").n);
        for (size_t i = 0; i < report.cases.size(); ++i) {
            const auto& c = report.cases[i];
            QCOMPARE(c.prompt, prompts[i]);
            // A Chinese prompt is written in Chinese (no Latin letters), an English one in English.
            const bool latin = std::any_of(c.prompt.begin(), c.prompt.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; });
            QVERIFY2(latin != c.chinese, c.prompt.c_str());
        }
        // Deterministic in the seed.
        const auto again = eval::evaluateWorld([](const std::string&, uint64_t, const world::SceneSpec& s) { return world::render(s); },
                                               options(120));
        for (size_t i = 0; i < report.cases.size(); ++i) QCOMPARE(again.cases[i].prompt, report.cases[i].prompt);
        // A later version of the world: the same prompts, each prompt of the motion it changes handed its
        // scene in that version (`changed`), and still read as that motion.
        auto samePromptsIn = [&](int version, world::Motion motion, const std::function<bool(const world::ObjectSpec&)>& changed) {
            auto o = options(120);
            o.world_version = version;
            int asked = 0, inVersion = 0;
            const auto inIt = eval::evaluateWorld(
                [&](const std::string&, uint64_t, const world::SceneSpec& s) {
                    if (s.objects[0].motion == motion) {
                        ++asked;
                        inVersion += changed(s.objects[0]);
                    }
                    return world::render(s);
                },
                o);
            QVERIFY(asked > 0);
            QCOMPARE(inVersion, asked);
            for (size_t i = 0; i < report.cases.size(); ++i) QCOMPARE(inIt.cases[i].prompt, report.cases[i].prompt);
            const auto& group = inIt.by_motion.at(world::motionName(motion));
            QCOMPARE(group.motion, group.n);
        };
        // Version 2: spins clockwise at its speeds.
        samePromptsIn(2, world::Motion::Spinning, [](const world::ObjectSpec& o) { return o.spin >= 0.06 && o.spin <= 0.15; });
        // Version 3: bounces lower and later (first impact at frame 8 or after; version 1: by 7.5).
        samePromptsIn(3, world::Motion::Bouncing, [](const world::ObjectSpec& o) {
            return std::sqrt(2 * (o.floor_y - o.y0) / o.gravity) >= 8 - 1e-9;
        });
        // One motion only (--motion): every prompt asks for it, seen and held-out ones alike.
        auto spinningOnly = options(30);
        spinningOnly.motion = world::Motion::Spinning;
        const auto spins = eval::evaluateWorld([](const std::string&, uint64_t, const world::SceneSpec& s) { return world::render(s); },
                                               spinningOnly);
        QCOMPARE(spins.by_motion.size(), size_t(1));
        QCOMPARE(spins.by_motion.at("spinning").n, 30);
        QVERIFY(spins.held_out.n > 0);
        QVERIFY(spins.all.motion >= 29);
    }

    void noiseAndWrongAnswersScoreNothing() {
        std::mt19937 rng(5);
        const auto noise = eval::evaluateWorld(
            [&](const std::string&, uint64_t, const world::SceneSpec& asked) {
                media::Clip c;
                for (int f = 0; f < asked.frames; ++f) {
                    media::Frame fr;
                    fr.width = asked.width;
                    fr.height = asked.height;
                    fr.rgb.resize(size_t(fr.width) * fr.height * 3);
                    for (auto& v : fr.rgb) v = uint8_t(rng() & 0xFF);
                    c.frames.push_back(std::move(fr));
                }
                return c;
            },
            options(20));
        QCOMPARE(noise.all.color, 0);
        QCOMPARE(noise.all.shape, 0);
        QCOMPARE(noise.all.motion, 0);
        QCOMPARE(noise.all.coherent, 0);
        for (const auto& c : noise.cases) QVERIFY2(!c.reasons.empty(), c.prompt.c_str());
        // The right scene in another colour: everything but the colour can be right, the colour never.
        const auto recoloured = eval::evaluateWorld(
            [](const std::string&, uint64_t, const world::SceneSpec& asked) {
                auto s = asked;
                auto& o = s.objects[0];
                for (int c = 0; c < 9; ++c) {  // another palette colour the background still shows
                    const auto other = world::Color(c);
                    if (other != o.color && world::isVisiblePair(other, s.background)) {
                        o.color = other;
                        o.rgb = world::colorCentre(other);
                        break;
                    }
                }
                return world::render(s);
            },
            options(40));
        QCOMPARE(recoloured.all.color, 0);
        QVERIFY(recoloured.all.shape >= 0.9 * recoloured.all.n);
    }

    void theCommandRunsOnAModelFolder() {
        QTemporaryDir dir;
        const QString sheet = dir.filePath(QStringLiteral("sheet.png"));
        auto env = kinora::test::testEnvironment();
        env.insert(QStringLiteral("KINORA_DATA_DIR"), dir.path());
        const auto r = kinora::test::runKinora({QStringLiteral("eval"), QStringLiteral("--model"),
                                                QStringLiteral(KINORA_TEST_DATA_DIR "/wan-tiny/tiny-wan2.1-t2v"), QStringLiteral("--suite"),
                                                QStringLiteral("world"), QStringLiteral("--prompts"), QStringLiteral("3"), QStringLiteral("--steps"),
                                                QStringLiteral("2"), QStringLiteral("--json"), QStringLiteral("--cases"), QStringLiteral("--quiet"),
                                                QStringLiteral("--contact-sheet"), sheet},
                                               env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j.value(QStringLiteral("model")).toString(), QStringLiteral("tiny-wan2.1-t2v"));
        QCOMPARE(j.value(QStringLiteral("all")).toObject().value(QStringLiteral("prompts")).toInt(), 3);
        // The report says what its clips were made with: the asked steps, the model's guidance.
        QCOMPARE(j.value(QStringLiteral("steps")).toInt(), 2);
        QVERIFY(j.value(QStringLiteral("guidance")).toDouble() > 0);
        const auto cases = j.value(QStringLiteral("cases")).toArray();
        QCOMPARE(cases.size(), 3);
        for (const auto& c : cases) {
            QVERIFY(!c.toObject().value(QStringLiteral("prompt")).toString().isEmpty());
            // Each failed case says why, in the analyser's words.
            const auto reasons = c.toObject().value(QStringLiteral("reasons")).toArray();
            QVERIFY(!reasons.isEmpty());
            for (const auto& r : reasons) QVERIFY(!r.toString().isEmpty());
        }
        // The reference model draws noise-like clips: the evaluation must not credit them.
        QCOMPARE(j.value(QStringLiteral("all")).toObject().value(QStringLiteral("color_pct")).toDouble(), 0.0);
        // A PNG of three rows of frames with their labels (read by hand: builds without the studio, like
        // the sanitizer build, have no QtGui).
        QFile png(sheet);
        QVERIFY(png.open(QIODevice::ReadOnly));
        const QByteArray head = png.read(24);
        QVERIFY(head.startsWith(QByteArray("\x89PNG\r\n\x1a\n", 8)));
        auto be32 = [&](int at) { return (uchar(head[at]) << 24) | (uchar(head[at + 1]) << 16) | (uchar(head[at + 2]) << 8) | uchar(head[at + 3]); };
        const int width = be32(16), height = be32(20);
        QVERIFY2(width > 400 && height > width / 2, qPrintable(QStringLiteral("%1x%2").arg(width).arg(height)));
        // --motion: only prompts of that motion; a motion the world does not have is refused by name.
        const auto spinning = kinora::test::runKinora({QStringLiteral("eval"), QStringLiteral("--model"),
                                                       QStringLiteral(KINORA_TEST_DATA_DIR "/wan-tiny/tiny-wan2.1-t2v"), QStringLiteral("--prompts"),
                                                       QStringLiteral("2"), QStringLiteral("--steps"), QStringLiteral("2"),
                                                       QStringLiteral("--motion"), QStringLiteral("moving left"), QStringLiteral("--quiet")},
                                                      env);
        QVERIFY2(spinning.exitCode == 0, qPrintable(spinning.err));
        QVERIFY2(spinning.out.contains(QLatin1String("on 2 world prompts of moving left")), qPrintable(spinning.out));
        QVERIFY2(spinning.out.contains(QLatin1String(", 2 steps, guidance ")), qPrintable(spinning.out));
        QVERIFY2(spinning.out.contains(QLatin1String("\nmoving left ")), qPrintable(spinning.out));
        const auto flying = kinora::test::runKinora({QStringLiteral("eval"), QStringLiteral("--motion"), QStringLiteral("flying")}, env);
        QVERIFY(flying.exitCode != 0);
        QVERIFY2(flying.err.contains(QLatin1String("--motion")) && flying.err.contains(QLatin1String("flying")), qPrintable(flying.err));
        // A model that does not exist: the catalogue's reason, exit status 1.
        const auto bad = kinora::test::runKinora({QStringLiteral("eval"), QStringLiteral("--model"), QStringLiteral("no-such-model")}, env);
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains(QLatin1String("no-such-model")), qPrintable(bad.err));
    }

    // The world-vae suite puts the world's own clips through a model's VAE: with kinora-tiny's trained
    // VAE (from the run's carry folder, tools/train/carry) nearly every clip reads as asked, so the
    // clips really go in as RGB in [-1, 1] and come out the same way (swapped channels or a wrong scale
    // would fail the colours); with the reference model's random VAE (`kinora eval --suite world-vae`)
    // nothing is credited.
    void theVaeSuiteReadsTheWorldThroughTheModelsVae() {
        QTemporaryDir dir;
        QFile specFile(QStringLiteral(KINORA_SOURCE_DIR "/tools/train/specs/kinora-tiny.json"));
        QVERIFY(specFile.open(QIODevice::ReadOnly));
        const auto vaeConfig = QJsonDocument::fromJson(specFile.readAll()).object().value(QStringLiteral("vae")).toObject();
        QVERIFY(!vaeConfig.isEmpty());
        QFile config(dir.filePath(QStringLiteral("config.json")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(QJsonDocument(vaeConfig).toJson());
        config.close();
        QVERIFY(QFile::copy(QStringLiteral(KINORA_SOURCE_DIR "/tools/train/carry/kinora-tiny/vae.safetensors"),
                            dir.filePath(QStringLiteral("diffusion_pytorch_model.safetensors"))));
        const auto vae = engine::loadVae(dir.path().toStdString());
        const auto report = eval::evaluateWorldThroughVae(*vae, options(8));
        const auto& a = report.all;
        qInfo("kinora-tiny's VAE: colour %d, shape %d, motion %d, background %d of %d", a.color, a.shape, a.motion, a.background, a.n);
        QCOMPARE(a.n, 8);
        QVERIFY(a.color >= 6);
        QCOMPARE(a.background, 8);

        auto env = kinora::test::testEnvironment();
        env.insert(QStringLiteral("KINORA_DATA_DIR"), dir.path());
        const auto r = kinora::test::runKinora({QStringLiteral("eval"), QStringLiteral("--model"),
                                                QStringLiteral(KINORA_TEST_DATA_DIR "/wan-tiny/tiny-wan2.1-t2v"), QStringLiteral("--suite"),
                                                QStringLiteral("world-vae"), QStringLiteral("--prompts"), QStringLiteral("4"),
                                                QStringLiteral("--json"), QStringLiteral("--quiet")},
                                               env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j.value(QStringLiteral("suite")).toString(), QStringLiteral("world-vae"));
        QCOMPARE(j.value(QStringLiteral("all")).toObject().value(QStringLiteral("prompts")).toInt(), 4);
        QCOMPARE(j.value(QStringLiteral("all")).toObject().value(QStringLiteral("color_pct")).toDouble(), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestWorldEval)
#include "test_world_eval.moc"
