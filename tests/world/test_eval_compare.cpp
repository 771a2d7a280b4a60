// `kinora eval compare`: two world evaluations of the same prompts side by side. Reports come from the
// real evaluation with reference drawers (the world's renderer, and the same scenes with the object left
// out), so the comparison reads exactly what `kinora eval --json --cases` writes; the rule for replacing
// the shipped model says better only when colour, shape and motion gain and nothing loses, in every pair.
#include "../app/cli_runner.h"
#include "eval/eval_compare.h"
#include "eval/world_eval.h"
#include "worldgen/world.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <stdexcept>

using namespace kinora;

namespace {

eval::WorldEvalOptions options(uint64_t seed, int prompts = 40) {
    eval::WorldEvalOptions o;
    o.prompts = prompts;
    o.seed = seed;
    return o;
}

// The report as `kinora eval --json --cases` prints it (the command adds the model, seed and suite).
nlohmann::json asTheCommandWritesIt(const eval::WorldEvalReport& r, uint64_t seed) {
    auto j = r.toJson(true);
    j["model"] = "reference drawer";
    j["seed"] = seed;
    j["suite"] = "world";
    return j;
}

// What the world draws for each prompt.
nlohmann::json perfect(uint64_t seed, eval::WorldEvalReport* out = nullptr) {
    auto r = eval::evaluateWorld([](const std::string&, uint64_t, const world::SceneSpec& s) { return world::render(s); }, options(seed));
    if (out) *out = r;
    return asTheCommandWritesIt(r, seed);
}

// The right background with no object in sight: nothing but the background can be right.
nlohmann::json empty(uint64_t seed) {
    const auto r = eval::evaluateWorld(
               [](const std::string&, uint64_t, const world::SceneSpec& s) {
                   auto bare = s;
                   for (auto& o : bare.objects) {  // far outside the frame, still (a scene must have an object)
                       o.x0 = o.y0 = -1000;
                       o.vx = o.vy = o.gravity = o.spin = 0;
                       o.end_size = o.size;
                   }
                   return world::render(bare);
               },
               options(seed));
    return asTheCommandWritesIt(r, seed);
}

nlohmann::json withoutAsked(nlohmann::json report) {
    for (auto& c : report["cases"]) c.erase("asked");
    return report;
}

QString messageOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

bool writeJson(const QString& path, const nlohmann::json& j) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return false;
    return f.write(QByteArray::fromStdString(j.dump(2))) > 0;
}

}  // namespace

class TestEvalCompare : public QObject {
    Q_OBJECT
private slots:
    void countsArePromptByPrompt() {
        eval::WorldEvalReport full;
        const auto after = perfect(3, &full);
        const auto p = eval::compareEvaluations(empty(3), after, "empty.json", "perfect.json");
        QCOMPARE(p.seed.get<int>(), 3);
        const auto& all = p.counts.at("all");
        QCOMPARE(all[0].n, 40);
        QCOMPARE(all[1].n, 40);
        // The after side recounts exactly what the evaluation counted.
        QCOMPARE(all[1].right[eval::kColour], full.all.color);
        QCOMPARE(all[1].right[eval::kShape], full.all.shape);
        QCOMPARE(all[1].right[eval::kMotion], full.all.motion);
        QCOMPARE(all[1].right[eval::kBackground], full.all.background);
        QCOMPARE(all[1].falling, full.all.falling);
        QCOMPARE(all[1].right[eval::kAccelerating], full.all.accelerating);
        QCOMPARE(p.counts.at("seen")[1].n, full.seen.n);
        QCOMPARE(p.counts.at("chinese")[1].right[eval::kShape], full.chinese.shape);
        // An empty frame has no colour, shape or motion: every one right after is right after only.
        QCOMPARE(all[0].right[eval::kColour], 0);
        QCOMPARE(all[0].right[eval::kMotion], 0);
        QCOMPARE(p.only[eval::kColour][0], 0);
        QCOMPARE(p.only[eval::kColour][1], full.all.color);
        QCOMPARE(p.only[eval::kMotion][1], full.all.motion);
        // One group per asked motion, adding up to all prompts, each as the evaluation's own by_motion.
        int inMotions = 0;
        for (const auto& [name, g] : full.by_motion) {
            const auto key = "motion: " + name;
            QVERIFY2(p.counts.count(key), key.c_str());
            QCOMPARE(p.counts.at(key)[1].n, g.n);
            QCOMPARE(p.counts.at(key)[1].right[eval::kMotion], g.motion);
            inMotions += p.counts.at(key)[0].n;
        }
        QCOMPARE(inMotions, 40);
        const auto text = eval::formatComparison({p}, eval::shippingVerdict({p}));
        QVERIFY2(text.find("seed 3: empty.json -> perfect.json (40 prompts)") != std::string::npos, text.c_str());
        QVERIFY2(text.find("motion: " + full.by_motion.begin()->first) != std::string::npos, text.c_str());
        const auto j = p.toJson();
        QCOMPARE(j["groups"]["all"]["colour"]["after"].get<int>(), full.all.color);
        QCOMPARE(j["right_in_one_only"]["motion"]["after"].get<int>(), full.all.motion);
    }

    void theRuleNeedsGainsOnEverySeedAndNoLoss() {
        const auto better3 = eval::compareEvaluations(empty(3), perfect(3), "a", "b");
        const auto better4 = eval::compareEvaluations(empty(4), perfect(4), "a", "b");
        const auto v = eval::shippingVerdict({better3, better4});
        QVERIFY2(v.better, v.reasons.empty() ? "" : v.reasons.front().c_str());
        QVERIFY(v.reasons.empty());
        // Worse on one seed: not better, and the reason names the seed and the measure.
        const auto worse4 = eval::compareEvaluations(perfect(4), empty(4), "b", "a");
        const auto w = eval::shippingVerdict({better3, worse4});
        QVERIFY(!w.better);
        bool named = false;
        for (const auto& r : w.reasons) named = named || (r.find("seed 4: colour") == 0 && r.find("(lower)") != std::string::npos);
        QVERIFY(named);
        for (const auto& r : w.reasons) QVERIFY2(r.find("seed 3") == std::string::npos, r.c_str());
        // The same clips again: nothing lower, but nothing gained either.
        const auto same = eval::compareEvaluations(perfect(3), perfect(3), "b", "b");
        const auto s = eval::shippingVerdict({same});
        QVERIFY(!s.better);
        QCOMPARE(int(s.reasons.size()), 3);  // colour, shape and motion not higher; background equal is allowed
        for (const auto& r : s.reasons) QVERIFY2(r.find("(not higher)") != std::string::npos, r.c_str());
        for (int m = 0; m < eval::kMeasureCount; ++m) QCOMPARE(same.only[size_t(m)][0] + same.only[size_t(m)][1], 0);
        QVERIFY(!eval::shippingVerdict({}).better);
        const auto text = eval::formatComparison({same}, s);
        QVERIFY2(text.find("not better by the shipping rule") != std::string::npos, text.c_str());
    }

    void reportsOfOtherPromptsAreRefused() {
        const auto a = perfect(3);
        // Another seed: other prompts, and the message says which and what to do.
        const auto seed = messageOf([&] { eval::compareEvaluations(a, perfect(5), "v7.json", "new.json"); });
        QVERIFY2(seed.contains(QLatin1String("differs")) && seed.contains(QLatin1String("--seed")), qPrintable(seed));
        auto shorter = a;
        shorter["cases"].erase(shorter["cases"].size() - 1);
        const auto count = messageOf([&] { eval::compareEvaluations(a, shorter, "v7.json", "new.json"); });
        QVERIFY2(count.contains(QLatin1String("40 prompts")) && count.contains(QLatin1String("39")), qPrintable(count));
        auto noCases = a;
        noCases.erase("cases");
        const auto cases = messageOf([&] { eval::compareEvaluations(noCases, a, "v7.json", "new.json"); });
        QVERIFY2(cases.contains(QLatin1String("v7.json")) && cases.contains(QLatin1String("--cases")), qPrintable(cases));
        auto broken = a;
        broken["cases"][2].erase("shape");
        const auto field = messageOf([&] { eval::compareEvaluations(a, broken, "v7.json", "new.json"); });
        QVERIFY2(field.contains(QLatin1String("new.json: case 3")) && field.contains(QLatin1String("\"shape\"")), qPrintable(field));
        auto unknownMotion = a;
        unknownMotion["cases"][0]["asked"]["motion"] = "flying";
        const auto motion = messageOf([&] { eval::compareEvaluations(unknownMotion, a, "v7.json", "new.json"); });
        QVERIFY2(motion.contains(QLatin1String("v7.json: case 1")) && motion.contains(QLatin1String("\"motion\"")), qPrintable(motion));
        auto older = withoutAsked(a);  // a report written before cases named what was asked
        older["cases"][0]["expected"] = "red circle flying, black";
        const auto expected = messageOf([&] { eval::compareEvaluations(older, a, "v7.json", "new.json"); });
        QVERIFY2(expected.contains(QLatin1String("v7.json: case 1")) && expected.contains(QLatin1String("\"expected\"")),
                 qPrintable(expected));
    }

    // The committed reports of version 7 have no "asked": their motions are read from "expected", and
    // count exactly as a report that names them.
    void reportsWithoutAskedCountTheSame() {
        const auto named = perfect(3);
        for (const auto& c : named["cases"]) {
            QVERIFY(c.contains("asked"));
            QCOMPARE(c["expected"].get<std::string>(), c["asked"]["color"].get<std::string>() + " " +
                                                           c["asked"]["shape"].get<std::string>() + " " +
                                                           c["asked"]["motion"].get<std::string>() + ", " +
                                                           c["asked"]["background"].get<std::string>());
        }
        const auto a = eval::compareEvaluations(empty(3), named, "empty", "named");
        const auto b = eval::compareEvaluations(withoutAsked(empty(3)), withoutAsked(named), "empty", "older");
        QCOMPARE(a.toJson()["groups"].dump(), b.toJson()["groups"].dump());
        QVERIFY(a.counts.size() > 5);  // all, seen, held-out, English, Chinese and one per motion
    }

    void theCommandComparesFiles() {
        QTemporaryDir dir;
        const auto file = [&](const char* name) { return dir.filePath(QString::fromLatin1(name)); };
        QVERIFY(writeJson(file("before-3.json"), empty(3)));
        QVERIFY(writeJson(file("after-3.json"), perfect(3)));
        QVERIFY(writeJson(file("before-4.json"), empty(4)));
        QVERIFY(writeJson(file("after-4.json"), perfect(4)));
        const QStringList four = {file("before-3.json"), file("after-3.json"), file("before-4.json"), file("after-4.json")};
        const auto r = kinora::test::runKinora(QStringList{QStringLiteral("eval"), QStringLiteral("compare")} + four);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QLatin1String("seed 3: ")) && r.out.contains(QLatin1String("seed 4: ")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QLatin1String("\nbetter by the shipping rule")), qPrintable(r.out));
        const auto j = kinora::test::runKinora(QStringList{QStringLiteral("eval"), QStringLiteral("compare"), QStringLiteral("--json")} + four);
        QVERIFY2(j.exitCode == 0, qPrintable(j.err));
        const auto doc = QJsonDocument::fromJson(j.out.toUtf8()).object();
        QCOMPARE(doc.value(QStringLiteral("better")).toBool(), true);
        QCOMPARE(doc.value(QStringLiteral("pairs")).toArray().size(), 2);
        // Reversed: not better, and why.
        const auto rev = kinora::test::runKinora({QStringLiteral("eval"), QStringLiteral("compare"), file("after-3.json"), file("before-3.json")});
        QCOMPARE(rev.exitCode, 0);
        QVERIFY2(rev.out.contains(QLatin1String("not better")) && rev.out.contains(QLatin1String("(lower)")), qPrintable(rev.out));
        // Bad input: an odd number of files, a missing file, a file that is not JSON, other prompts.
        const auto odd = kinora::test::runKinora({QStringLiteral("eval"), QStringLiteral("compare"), file("before-3.json"), file("after-3.json"),
                                                  file("before-4.json")});
        QCOMPARE(odd.exitCode, 1);
        QVERIFY2(odd.err.contains(QLatin1String("pairs")) && odd.err.contains(QLatin1String("3 files")), qPrintable(odd.err));
        const auto missing = kinora::test::runKinora({QStringLiteral("eval"), QStringLiteral("compare"), file("nope.json"), file("after-3.json")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains(QLatin1String("nope.json")) && missing.err.contains(QLatin1String("cannot be read")), qPrintable(missing.err));
        QFile text(file("notes.txt"));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("colour 92.5\n");
        text.close();
        const auto notJson = kinora::test::runKinora({QStringLiteral("eval"), QStringLiteral("compare"), file("notes.txt"), file("after-3.json")});
        QCOMPARE(notJson.exitCode, 1);
        QVERIFY2(notJson.err.contains(QLatin1String("notes.txt is not JSON")), qPrintable(notJson.err));
        const auto other = kinora::test::runKinora({QStringLiteral("eval"), QStringLiteral("compare"), file("after-3.json"), file("after-4.json")});
        QCOMPARE(other.exitCode, 1);
        QVERIFY2(other.err.contains(QLatin1String("differs")), qPrintable(other.err));
    }
};

QTEST_GUILESS_MAIN(TestEvalCompare)
#include "test_eval_compare.moc"
