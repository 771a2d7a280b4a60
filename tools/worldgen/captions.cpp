#include "worldgen/captions.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

namespace kinora::world {
namespace {

using Words = std::vector<std::string>;

// ---- English vocabulary (first entry = canonical) ----------------------------------------------

const std::array<Words, kShapeCount> kShapeEn = {{
    {"circle", "ball", "disc", "disk"},
    {"square", "box", "block"},
    {"triangle"},
    {"star"},
}};

// Participle phrases ("a red ball ___ on ...") and finite ones ("a red ball ___ on ...", third person)
// must line up index by index only in spirit; they are drawn independently.
const std::array<Words, kMotionCount> kMotionEnIng = {{
    {"moving left", "moving to the left", "sliding to the left", "sliding left", "going left", "drifting to the left",
     "travelling left"},
    {"moving right", "moving to the right", "sliding to the right", "sliding right", "going right",
     "drifting to the right", "travelling right"},
    {"moving up", "moving upwards", "rising", "going up", "floating up", "drifting upward"},
    {"moving down", "moving downwards", "going down", "sliding down", "gliding down", "descending steadily"},
    {"bouncing", "bouncing up and down", "hopping", "bouncing along"},
    {"falling", "falling down", "dropping", "dropping down", "plummeting"},
    {"spinning", "rotating", "turning around", "twirling", "spinning in place", "rotating in place"},
    {"growing", "getting bigger", "growing larger", "expanding", "getting larger"},
    {"shrinking", "getting smaller", "shrinking down", "contracting", "becoming smaller"},
    {"standing still", "staying still", "not moving", "resting", "staying in place", "sitting still"},
}};
const std::array<Words, kMotionCount> kMotionEnFinite = {{
    {"moves left", "moves to the left", "slides to the left", "slides left", "goes left", "drifts to the left",
     "travels left"},
    {"moves right", "moves to the right", "slides to the right", "slides right", "goes right", "drifts to the right",
     "travels right"},
    {"moves up", "moves upwards", "rises", "goes up", "floats up", "drifts upward"},
    {"moves down", "moves downwards", "goes down", "slides down", "glides down", "descends steadily"},
    {"bounces", "bounces up and down", "hops", "bounces along"},
    {"falls", "falls down", "drops", "drops down", "plummets"},
    {"spins", "rotates", "turns around", "twirls", "spins in place", "rotates in place"},
    {"grows", "gets bigger", "grows larger", "expands", "gets larger"},
    {"shrinks", "gets smaller", "shrinks down", "contracts", "becomes smaller"},
    {"stands still", "stays still", "does not move", "rests", "stays in place", "sits still"},
}};

const std::array<Words, kBackgroundCount> kBackgroundEn = {{
    {"on a black background", "against a black background", "on black", "over a black backdrop",
     "in front of a black background", "on a plain black background"},
    {"on a white background", "against a white background", "on white", "over a white backdrop",
     "in front of a white background", "on a plain white background"},
    {"on a gray background", "against a gray background", "on a grey background", "on gray",
     "over a grey backdrop", "against a plain gray background"},
    {"on a blue sky", "against a blue sky", "in a blue sky", "under a clear blue sky", "in the blue sky"},
    {"on a night sky", "against the night sky", "in the night sky", "under a starry sky", "at night",
     "against a starry night sky"},
    {"at sunset", "against a sunset sky", "during sunset", "in the sunset", "as the sun sets",
     "under an orange sunset sky"},
    {"on green grass", "on the grass", "on a green lawn", "over a grassy field", "above green grass",
     "on a grassy meadow"},
    {"in the snow", "in snow", "on snowy ground", "in a snowy landscape", "while snow falls", "in a snowy field"},
}};

// ---- Chinese vocabulary ------------------------------------------------------------------------

const std::array<Words, kShapeCount> kShapeZh = {{
    {"圆", "圆形", "圆球", "球"},
    {"正方形", "方块", "方形"},
    {"三角形"},
    {"星星", "五角星", "星形"},
}};
const std::array<Words, kMotionCount> kMotionZh = {{
    {"向左移动", "向左滑动", "往左移动", "向左平移"},
    {"向右移动", "向右滑动", "往右移动", "向右平移"},
    {"向上移动", "往上移动", "向上升起", "缓缓上升"},
    {"向下移动", "往下移动", "向下滑动", "匀速下降"},
    {"弹跳", "上下弹跳", "跳来跳去", "蹦跳"},
    {"下落", "落下", "掉落", "往下掉"},
    {"旋转", "转动", "转圈", "原地旋转"},
    {"变大", "逐渐变大", "越变越大", "慢慢变大"},
    {"变小", "逐渐变小", "越变越小", "慢慢变小"},
    {"静止不动", "一动不动", "保持不动", "停在原地"},
}};
// Place phrases without 在, so templates can put 在 in front where the sentence needs it.
const std::array<Words, kBackgroundCount> kBackgroundZh = {{
    {"黑色背景上", "黑色的背景上", "纯黑背景上"},
    {"白色背景上", "白色的背景上", "纯白背景上"},
    {"灰色背景上", "灰色的背景上", "灰底背景上"},
    {"蓝天下", "蓝色的天空中", "晴朗的蓝天下"},
    {"夜空中", "夜晚的天空中", "夜空里"},
    {"日落时", "夕阳下", "日落时分"},
    {"绿色草地上", "草地上", "绿草地上"},
    {"雪地里", "雪地上", "雪中"},
}};

// The words chineseCaption's templates join the phrases above with (its string literals, and 的 of
// zhNoun): part of chineseLexicon, whose test checks that they and the phrases cover every caption.
const Words kGlueZh = {"一个", "有", "在", "的", "还有", "另一个", "画面中"};

// "an orange", "a red".
std::string indefiniteArticle(Color c) { return c == Color::Orange ? "an" : "a"; }

const std::string& pickWord(Rng& rng, const Words& w) { return w[size_t(rng.below(int(w.size())))]; }

// English noun phrase for one object and its verb phrase.
struct EnObject {
    std::string np;      // "a red ball"
    std::string ing;     // "sliding to the left"
    std::string finite;  // "slides to the left"
    std::string color, shape, article;
};

EnObject enObject(Rng& rng, const ObjectSpec& o) {
    EnObject e;
    // Mostly the correct article; now and then "a orange", the form a prompt written from the
    // `a {color} {shape}` pattern has, so that such prompts are not out of distribution.
    e.article = rng.chance(0.8) ? (rng.chance(0.9) ? indefiniteArticle(o.color) : std::string("a")) : "one";
    e.color = colorName(o.color);
    e.shape = pickWord(rng, kShapeEn[size_t(o.shape)]);
    e.np = e.article + " " + e.color + " " + e.shape;
    e.ing = pickWord(rng, kMotionEnIng[size_t(o.motion)]);
    e.finite = pickWord(rng, kMotionEnFinite[size_t(o.motion)]);
    return e;
}

std::string capitalise(std::string s) {
    if (!s.empty()) s[0] = char(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

std::string englishCaption(Rng& rng, const SceneSpec& sc) {
    const std::string bg = pickWord(rng, kBackgroundEn[size_t(sc.background)]);
    std::string out;
    if (sc.objects.size() == 1) {
        const EnObject a = enObject(rng, sc.objects[0]);
        switch (rng.below(10)) {
        case 0: out = a.np + " " + a.ing + " " + bg; break;
        case 1: out = a.np + " " + a.finite + " " + bg; break;
        case 2: out = bg + ", " + a.np + " " + a.ing; break;
        case 3: out = bg + ", " + a.np + " " + a.finite; break;
        case 4: out = a.np + ", " + a.ing + ", " + bg; break;
        case 5: out = a.article + " " + a.shape + " in " + a.color + " " + a.ing + " " + bg; break;
        case 6: out = "there is " + a.np + " " + a.ing + " " + bg; break;
        case 7: out = a.np + " that " + a.finite + " " + bg; break;
        case 8: out = "a video of " + a.np + " " + a.ing + " " + bg; break;
        default: out = a.ing + " " + bg + ": " + a.np; break;
        }
    } else {
        const EnObject a = enObject(rng, sc.objects[0]);
        const EnObject b = enObject(rng, sc.objects[1]);
        switch (rng.below(5)) {
        case 0: out = a.np + " " + a.ing + " and " + b.np + " " + b.ing + " " + bg; break;
        case 1: out = bg + ", " + a.np + " " + a.ing + " and " + b.np + " " + b.ing; break;
        case 2: out = a.np + " " + a.finite + " while " + b.np + " " + b.finite + " " + bg; break;
        case 3: out = bg + ", " + a.np + " " + a.finite + " and " + b.np + " " + b.finite; break;
        default: out = a.np + " " + a.ing + " " + bg + ", and " + b.np + " " + b.ing; break;
        }
    }
    if (rng.chance(0.3)) out = capitalise(out);
    if (rng.chance(0.2)) out += ".";
    return out;
}

std::string zhNoun(Rng& rng, const ObjectSpec& o, bool withDe) {
    return std::string(colorNameZh(o.color)) + (withDe ? "的" : "") + pickWord(rng, kShapeZh[size_t(o.shape)]);
}

std::string chineseCaption(Rng& rng, const SceneSpec& sc) {
    const std::string bg = pickWord(rng, kBackgroundZh[size_t(sc.background)]);
    const ObjectSpec& o = sc.objects[0];
    const std::string m1 = pickWord(rng, kMotionZh[size_t(o.motion)]);
    const std::string n1 = zhNoun(rng, o, rng.chance(0.8));
    if (sc.objects.size() == 1) {
        switch (rng.below(5)) {
        case 0: return bg + "一个" + n1 + m1;
        case 1: return "一个" + n1 + "在" + bg + m1;
        case 2: return bg + "，有一个" + n1 + m1;
        case 3: return "画面中，" + bg + "一个" + n1 + m1;
        default: return bg + n1 + m1;
        }
    }
    const ObjectSpec& p = sc.objects[1];
    const std::string m2 = pickWord(rng, kMotionZh[size_t(p.motion)]);
    const std::string n2 = zhNoun(rng, p, rng.chance(0.8));
    switch (rng.below(3)) {
    case 0: return bg + "一个" + n1 + m1 + "，一个" + n2 + m2;
    case 1: return bg + "一个" + n1 + m1 + "，还有一个" + n2 + m2;
    default: return "在" + bg + "，一个" + n1 + m1 + "，另一个" + n2 + m2;
    }
}

// ---- parsing -----------------------------------------------------------------------------------

enum class Kind { Background, Motion, Shape, Color };
struct Entry {
    std::string phrase;
    Kind kind;
    int value;
};

std::vector<Entry> buildLexicon() {
    std::vector<Entry> lex;
    for (int b = 0; b < kBackgroundCount; ++b) {
        for (const auto& w : kBackgroundEn[size_t(b)]) lex.push_back({w, Kind::Background, b});
        for (const auto& w : kBackgroundZh[size_t(b)]) lex.push_back({w, Kind::Background, b});
    }
    for (int m = 0; m < kMotionCount; ++m) {
        for (const auto& w : kMotionEnIng[size_t(m)]) lex.push_back({w, Kind::Motion, m});
        for (const auto& w : kMotionEnFinite[size_t(m)]) lex.push_back({w, Kind::Motion, m});
        for (const auto& w : kMotionZh[size_t(m)]) lex.push_back({w, Kind::Motion, m});
    }
    for (int s = 0; s < kShapeCount; ++s) {
        for (const auto& w : kShapeEn[size_t(s)]) lex.push_back({w, Kind::Shape, s});
        for (const auto& w : kShapeZh[size_t(s)]) lex.push_back({w, Kind::Shape, s});
    }
    for (int c = 0; c < kColorCount; ++c) {
        lex.push_back({colorName(Color(c)), Kind::Color, c});
        lex.push_back({colorNameZh(Color(c)), Kind::Color, c});
    }
    // Longest first: a phrase that contains another (绿色草地上 / 绿色, "moving upwards" / "moving up")
    // claims its bytes before the shorter one can.
    std::stable_sort(lex.begin(), lex.end(),
                     [](const Entry& a, const Entry& b) { return a.phrase.size() > b.phrase.size(); });
    return lex;
}

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::string canonicalCaption(const SceneSpec& sc) {
    if (sc.objects.empty()) throw std::invalid_argument("canonicalCaption: scene has no object");
    auto one = [](const ObjectSpec& o) {
        return indefiniteArticle(o.color) + " " + colorName(o.color) + " " + shapeName(o.shape) + " " +
               motionName(o.motion);
    };
    std::string s = one(sc.objects[0]);
    for (size_t i = 1; i < sc.objects.size(); ++i) s += " and " + one(sc.objects[i]);
    return s + " " + backgroundPhrase(sc.background);
}

std::string canonicalCaptionZh(const SceneSpec& sc) {
    if (sc.objects.empty()) throw std::invalid_argument("canonicalCaptionZh: scene has no object");
    std::string s = backgroundPhraseZh(sc.background);
    for (size_t i = 0; i < sc.objects.size(); ++i) {
        const ObjectSpec& o = sc.objects[i];
        s += std::string(i ? "，" : "") + "一个" + colorNameZh(o.color) + "的" + shapeNameZh(o.shape) +
             motionNameZh(o.motion);
    }
    return s;
}

std::string randomCaption(const SceneSpec& sc, uint64_t seed, double chinese_share) {
    if (sc.objects.empty()) throw std::invalid_argument("randomCaption: scene has no object");
    Rng rng(seed ^ 0x63617074696f6e73ULL);  // "captions": independent of the scene's own stream
    const bool zh = rng.chance(chinese_share);
    // A quarter canonical, so that the evaluation prompts' exact form is common in training.
    if (rng.chance(0.25)) return zh ? canonicalCaptionZh(sc) : canonicalCaption(sc);
    return zh ? chineseCaption(rng, sc) : englishCaption(rng, sc);
}

bool ParsedPrompt::complete() const {
    if (!background || objects.empty()) return false;
    for (const auto& o : objects) {
        if (!o.color || !o.shape || !o.motion) return false;
    }
    return true;
}

ParsedPrompt parsePrompt(const std::string& prompt) {
    static const std::vector<Entry> lexicon = buildLexicon();
    std::string text = prompt;
    ParsedPrompt out;
    for (char& c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x80) out.chinese = true;  // UTF-8 lead/continuation bytes: not ASCII text
        if (u < 0x80) c = char(std::tolower(u));
    }
    std::vector<bool> claimed(text.size(), false);
    struct Hit {
        size_t pos;
        Kind kind;
        int value;
    };
    std::vector<Hit> hits;
    for (const Entry& e : lexicon) {
        const bool ascii = static_cast<unsigned char>(e.phrase[0]) < 0x80;
        for (size_t pos = text.find(e.phrase); pos != std::string::npos; pos = text.find(e.phrase, pos + 1)) {
            const size_t end = pos + e.phrase.size();
            if (ascii && ((pos > 0 && isWordChar(text[pos - 1])) || (end < text.size() && isWordChar(text[end])))) {
                continue;  // "red" inside "bored"
            }
            if (std::any_of(claimed.begin() + long(pos), claimed.begin() + long(end), [](bool b) { return b; })) {
                continue;
            }
            std::fill(claimed.begin() + long(pos), claimed.begin() + long(end), true);
            hits.push_back({pos, e.kind, e.value});
        }
    }
    std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.pos < b.pos; });
    size_t nColor = 0, nShape = 0, nMotion = 0;
    auto slot = [&](size_t& n) -> PromptObject& {
        if (out.objects.size() <= n) out.objects.resize(n + 1);
        return out.objects[n++];
    };
    for (const Hit& h : hits) {
        switch (h.kind) {
        case Kind::Background:
            if (!out.background) out.background = Background(h.value);
            break;
        case Kind::Color: slot(nColor).color = Color(h.value); break;
        case Kind::Shape: slot(nShape).shape = Shape(h.value); break;
        case Kind::Motion: slot(nMotion).motion = Motion(h.value); break;
        }
    }
    return out;
}

std::vector<std::string> captionCorpus(int n, uint64_t seed) {
    if (n < 0) throw std::invalid_argument("captionCorpus: n must be >= 0");
    std::vector<std::string> out;
    out.reserve(size_t(n) + 64);
    Rng rng(seed);
    SamplingOptions opt;
    for (int i = 0; i < n; ++i) {
        const SceneSpec sc = sampleScene(rng.next(), opt);
        out.push_back(randomCaption(sc, rng.next(), 0.3));
    }
    // Every word in both languages at least once, even for a tiny n.
    for (int c = 0; c < kColorCount; ++c) out.push_back(std::string(colorName(Color(c))) + " " + colorNameZh(Color(c)));
    for (int s = 0; s < kShapeCount; ++s) {
        for (const auto& w : kShapeEn[size_t(s)]) out.push_back(w);
        for (const auto& w : kShapeZh[size_t(s)]) out.push_back(w);
    }
    for (int m = 0; m < kMotionCount; ++m) {
        for (const auto& w : motionWords(Motion(m), false)) out.push_back(w);
        for (const auto& w : kMotionZh[size_t(m)]) out.push_back(w);
    }
    for (int b = 0; b < kBackgroundCount; ++b) {
        for (const auto& w : kBackgroundEn[size_t(b)]) out.push_back(w);
        for (const auto& w : kBackgroundZh[size_t(b)]) out.push_back(w);
    }
    return out;
}

std::vector<std::string> colorWords(Color c, bool chinese) {
    return Words{chinese ? colorNameZh(c) : colorName(c)};
}
std::vector<std::string> shapeWords(Shape s, bool chinese) {
    return chinese ? kShapeZh[size_t(s)] : kShapeEn[size_t(s)];
}
std::vector<std::string> motionWords(Motion m, bool chinese) {
    if (chinese) return kMotionZh[size_t(m)];
    Words w = kMotionEnIng[size_t(m)];
    w.insert(w.end(), kMotionEnFinite[size_t(m)].begin(), kMotionEnFinite[size_t(m)].end());
    return w;
}
std::vector<std::string> backgroundWords(Background b, bool chinese) {
    return chinese ? kBackgroundZh[size_t(b)] : kBackgroundEn[size_t(b)];
}

std::vector<std::string> chineseLexicon() {
    Words out = kGlueZh;
    for (int c = 0; c < kColorCount; ++c) out.push_back(colorNameZh(Color(c)));
    for (const auto& w : kShapeZh) out.insert(out.end(), w.begin(), w.end());
    for (const auto& w : kMotionZh) out.insert(out.end(), w.begin(), w.end());
    for (const auto& w : kBackgroundZh) out.insert(out.end(), w.begin(), w.end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace kinora::world
