// Captions: the canonical forms, coverage of every attribute word (and every paraphrase) in English and
// Chinese, the Chinese share, and parsePrompt recovering what any caption describes.
#include "worldgen/captions.h"

#include <QtTest>

#include <algorithm>
#include <map>
#include <set>

using namespace kinora::world;

namespace {

SceneSpec scene(Background b, std::vector<ObjectSpec> objs) {
    SceneSpec s;
    s.background = b;
    s.objects = std::move(objs);
    return s;
}
ObjectSpec obj(Color c, Shape s, Motion m) {
    ObjectSpec o;
    o.color = c;
    o.shape = s;
    o.motion = m;
    return o;
}

// What a scene is, in the parser's terms.
ParsedPrompt expected(const SceneSpec& sc) {
    ParsedPrompt p;
    p.background = sc.background;
    for (const auto& o : sc.objects) p.objects.push_back({o.color, o.shape, o.motion});
    return p;
}

QString show(const ParsedPrompt& p) {
    QString s = p.background ? backgroundName(*p.background) : "?";
    for (const auto& o : p.objects) {
        s += QString(" | %1 %2 %3")
                 .arg(o.color ? colorName(*o.color) : "?")
                 .arg(o.shape ? shapeName(*o.shape) : "?")
                 .arg(o.motion ? motionName(*o.motion) : "?");
    }
    return s;
}

bool same(const ParsedPrompt& a, const ParsedPrompt& b) { return a.background == b.background && a.objects == b.objects; }

bool hasCjk(const std::string& s) {
    for (unsigned char c : s)
        if (c >= 0x80) return true;
    return false;
}

}  // namespace

class TestWorldCaptions : public QObject {
    Q_OBJECT

private slots:
    void canonicalForms() {
        const auto a = scene(Background::Black, {obj(Color::Red, Shape::Circle, Motion::MovingLeft)});
        QCOMPARE(canonicalCaption(a), std::string("a red circle moving left on a black background"));
        QCOMPARE(canonicalCaptionZh(a), std::string("黑色背景上一个红色的圆向左移动"));
        const auto b = scene(Background::Grass, {obj(Color::Yellow, Shape::Square, Motion::Bouncing)});
        QCOMPARE(canonicalCaption(b), std::string("a yellow square bouncing on green grass"));
        const auto c = scene(Background::Snow, {obj(Color::Blue, Shape::Triangle, Motion::Falling)});
        QCOMPARE(canonicalCaption(c), std::string("a blue triangle falling in the snow"));
        const auto d = scene(Background::NightSky, {obj(Color::White, Shape::Star, Motion::Spinning)});
        QCOMPARE(canonicalCaption(d), std::string("a white star spinning on a night sky"));
        QCOMPARE(canonicalCaptionZh(d), std::string("夜空中一个白色的星星旋转"));
        const auto e = scene(Background::Black, {obj(Color::Red, Shape::Circle, Motion::MovingLeft),
                                                 obj(Color::Blue, Shape::Square, Motion::Falling)});
        QCOMPARE(canonicalCaption(e), std::string("a red circle moving left and a blue square falling on a black background"));
        QCOMPARE(canonicalCaptionZh(e), std::string("黑色背景上一个红色的圆向左移动，一个蓝色的正方形下落"));
        const auto f = scene(Background::Sunset, {obj(Color::Orange, Shape::Star, Motion::Still)});
        QCOMPARE(canonicalCaption(f), std::string("an orange star standing still at sunset"));
    }

    void parsesTheIssueExamples() {
        const std::map<std::string, std::tuple<Color, Shape, Motion, Background>> cases = {
            {"a red circle moving left on a black background", {Color::Red, Shape::Circle, Motion::MovingLeft, Background::Black}},
            {"a yellow square bouncing on green grass", {Color::Yellow, Shape::Square, Motion::Bouncing, Background::Grass}},
            {"a blue triangle falling in the snow", {Color::Blue, Shape::Triangle, Motion::Falling, Background::Snow}},
            {"a white star spinning on a night sky", {Color::White, Shape::Star, Motion::Spinning, Background::NightSky}},
            {"黑色背景上一个红色的圆向左移动", {Color::Red, Shape::Circle, Motion::MovingLeft, Background::Black}},
            {"a orange star moving up on a white background", {Color::Orange, Shape::Star, Motion::MovingUp, Background::White}},
            {"A Green Ball Slides To The Left Against A Gray Background.", {Color::Green, Shape::Circle, Motion::MovingLeft, Background::Gray}},
            {"白色背景上一个绿色的方块变大", {Color::Green, Shape::Square, Motion::Growing, Background::White}},
            {"绿色草地上一个白色的三角形静止不动", {Color::White, Shape::Triangle, Motion::Still, Background::Grass}},
        };
        for (const auto& [text, want] : cases) {
            const ParsedPrompt p = parsePrompt(text);
            QVERIFY2(p.complete() && p.objects.size() == 1, qPrintable(QString::fromStdString(text) + " -> " + show(p)));
            QCOMPARE(*p.objects[0].color, std::get<0>(want));
            QCOMPARE(*p.objects[0].shape, std::get<1>(want));
            QCOMPARE(*p.objects[0].motion, std::get<2>(want));
            QCOMPARE(*p.background, std::get<3>(want));
            QCOMPARE(p.chinese, hasCjk(text));
        }
        // Not the world: nothing complete comes out.
        QVERIFY(!parsePrompt("a cat playing the piano").complete());
        QVERIFY(!parsePrompt("a red circle").complete());
        QVERIFY(!parsePrompt("").complete());
        QVERIFY(!parsePrompt("the bored crowd").objects.size());  // "red" inside "bored" is not a colour
    }

    // Every colour x shape x motion x background, in both canonical forms, parses back to itself.
    void canonicalRoundTripsEveryCombination() {
        int n = 0;
        for (int c = 0; c < kColorCount; ++c)
            for (int s = 0; s < kShapeCount; ++s)
                for (int m = 0; m < kMotionCount; ++m)
                    for (int b = 0; b < kBackgroundCount; ++b) {
                        const auto sc = scene(Background(b), {obj(Color(c), Shape(s), Motion(m))});
                        for (const std::string& text : {canonicalCaption(sc), canonicalCaptionZh(sc)}) {
                            const ParsedPrompt p = parsePrompt(text);
                            QVERIFY2(same(p, expected(sc)), qPrintable(QString::fromStdString(text) + " -> " + show(p)));
                            ++n;
                        }
                    }
        QCOMPARE(n, 2 * 9 * 4 * 10 * 8);
    }

    // Random captions of sampled scenes (one and two objects, every template and synonym) parse back to
    // the scene, and together they use every word of the vocabulary in both languages.
    void paraphrasesCoverTheVocabularyAndParseBack() {
        std::string en, zh;
        int chinese = 0, canonical = 0;
        const int n = 6000;
        std::set<std::string> distinct;
        for (int i = 0; i < n; ++i) {
            SamplingOptions opt;
            opt.held_out = HeldOutMode::Any;
            const SceneSpec sc = sampleScene(clipSeed(3, uint64_t(i)), opt);
            const std::string cap = randomCaption(sc, clipSeed(4, uint64_t(i)), 0.3);
            QCOMPARE(randomCaption(sc, clipSeed(4, uint64_t(i)), 0.3), cap);  // deterministic
            distinct.insert(cap);
            const ParsedPrompt p = parsePrompt(cap);
            QVERIFY2(same(p, expected(sc)), qPrintable(QString::fromStdString(cap) + " -> " + show(p)));
            if (hasCjk(cap)) {
                ++chinese;
                zh += cap + "\n";
            } else {
                en += cap + "\n";
            }
            canonical += cap == canonicalCaption(sc) || cap == canonicalCaptionZh(sc);
        }
        qInfo("%d captions: %d Chinese, %d canonical, %zu distinct", n, chinese, canonical, distinct.size());
        QVERIFY(chinese > 0.27 * n && chinese < 0.33 * n);
        QVERIFY(canonical > 0.22 * n && canonical < 0.28 * n);
        QVERIFY(distinct.size() > 0.8 * n);
        auto lower = [](std::string s) {
            for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
            return s;
        };
        const std::string enLower = lower(en);
        auto covered = [&](const std::vector<std::string>& words, const std::string& text) {
            for (const auto& w : words)
                if (text.find(w) == std::string::npos) return QString::fromStdString(w);
            return QString();
        };
        for (int c = 0; c < kColorCount; ++c) {
            QCOMPARE(covered(colorWords(Color(c), false), enLower), QString());
            QCOMPARE(covered(colorWords(Color(c), true), zh), QString());
        }
        for (int s = 0; s < kShapeCount; ++s) {
            QCOMPARE(covered(shapeWords(Shape(s), false), enLower), QString());
            QCOMPARE(covered(shapeWords(Shape(s), true), zh), QString());
        }
        for (int m = 0; m < kMotionCount; ++m) {
            QCOMPARE(covered(motionWords(Motion(m), false), enLower), QString());
            QCOMPARE(covered(motionWords(Motion(m), true), zh), QString());
        }
        for (int b = 0; b < kBackgroundCount; ++b) {
            QCOMPARE(covered(backgroundWords(Background(b), false), enLower), QString());
            QCOMPARE(covered(backgroundWords(Background(b), true), zh), QString());
        }
        // The words the issue names.
        for (const char* w : {"ball", "box", "slides to the left", "drops", "rotating", "against", "one ",
                              "gets bigger", "stays still", "an orange"}) {
            QVERIFY2(enLower.find(w) != std::string::npos, w);
        }
        for (const char* w : {"红色", "橙色", "黄色", "绿色", "青色", "蓝色", "紫色", "粉色", "白色", "圆", "正方形",
                              "三角形", "星星", "向左移动", "向右移动", "向上移动", "向下移动", "弹跳", "下落", "旋转",
                              "变大", "变小", "静止不动", "黑色背景上", "白色背景上", "灰色背景上", "蓝天下", "夜空中",
                              "日落时", "绿色草地上", "雪地里"}) {
            QVERIFY2(zh.find(w) != std::string::npos, w);
        }
    }

    // Every Chinese caption is a sequence of chineseLexicon's words and commas: what lets the trainer's
    // tokenizer keep each word one piece (a word the lexicon missed would be cut into characters).
    void chineseCaptionsAreMadeOfTheLexicon() {
        const auto lexicon = chineseLexicon();
        QVERIFY(std::is_sorted(lexicon.begin(), lexicon.end()));
        QVERIFY(std::adjacent_find(lexicon.begin(), lexicon.end()) == lexicon.end());
        for (const char* w : {"一个", "的", "红色", "圆", "向左移动", "黑色背景上", "静止不动"}) {
            QVERIFY2(std::binary_search(lexicon.begin(), lexicon.end(), std::string(w)), w);
        }
        for (const auto& w : lexicon) QVERIFY2(hasCjk(w) && w.find(' ') == std::string::npos, w.c_str());
        std::vector<std::string> units = lexicon;
        units.push_back("，");
        for (int i = 0; i < 4000; ++i) {
            SamplingOptions opt;
            opt.held_out = HeldOutMode::Any;
            const std::string cap = randomCaption(sampleScene(clipSeed(5, uint64_t(i)), opt), clipSeed(6, uint64_t(i)), 1.0);
            // Exact cover by dynamic programming: reach[k] when the first k bytes are a sequence of units.
            std::vector<bool> reach(cap.size() + 1, false);
            reach[0] = true;
            for (size_t k = 0; k < cap.size(); ++k) {
                if (!reach[k]) continue;
                for (const auto& u : units) {
                    if (cap.compare(k, u.size(), u) == 0) reach[k + u.size()] = true;
                }
            }
            QVERIFY2(reach[cap.size()], cap.c_str());
        }
    }

    void corpusIsDeterministicAndComplete() {
        const auto a = captionCorpus(500, 9), b = captionCorpus(500, 9), c = captionCorpus(500, 10);
        QVERIFY(a == b);
        QVERIFY(a != c);
        QVERIFY(a.size() > 500);
        std::string all;
        for (const auto& s : a) all += s + "\n";
        for (int m = 0; m < kMotionCount; ++m) {
            QVERIFY(all.find(motionName(Motion(m))) != std::string::npos);
            QVERIFY(all.find(motionNameZh(Motion(m))) != std::string::npos);
        }
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, captionCorpus(-1, 0));
    }

    // The command line, the trainer's --oversample and eval compare read motions back by name.
    void motionNamesReadBack() {
        for (int m = 0; m < kMotionCount; ++m) QVERIFY(motionFromName(motionName(Motion(m))) == Motion(m));
        QVERIFY(!motionFromName("flying"));
        QVERIFY(!motionFromName(""));
        QVERIFY(!motionFromName("Spinning"));  // the names are exact, as the prompts spell them
    }
};

QTEST_GUILESS_MAIN(TestWorldCaptions)
#include "test_world_captions.moc"
