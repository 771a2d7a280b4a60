// Captions for world scenes: the canonical prompt form, many English paraphrases and Simplified Chinese
// captions (so that paraphrased and Chinese prompts work), a parser that recovers what a prompt asks
// for (used by the evaluator), and a corpus for training the tokenizer.
#pragma once

#include "worldgen/world.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kinora::world {

// "a red circle moving left on a black background" ("an orange ...": the `a {color}` pattern with the
// article English needs; parsePrompt accepts both);
// two objects: "a red circle moving left and a blue square falling on a black background".
std::string canonicalCaption(const SceneSpec& scene);
// "黑色背景上一个红色的圆向左移动"; two objects: "黑色背景上一个红色的圆向左移动，一个蓝色的正方形下落".
std::string canonicalCaptionZh(const SceneSpec& scene);

// A caption drawn from the paraphrase templates (word order, synonyms such as "ball"/"box",
// "slides to the left", "drops", "rotating", "against", "a"/"one", ...), Chinese with probability
// `chinese_share`; the canonical form is one of the choices in each language. Deterministic in seed.
std::string randomCaption(const SceneSpec& scene, uint64_t seed, double chinese_share = 0.3);

// What a prompt asks for. Keyword spotting over every word and phrase the captions use (both
// languages), longest phrase first so that "on a white background" is a background and not a colour,
// and 草地上 inside 绿色草地上 is not counted twice. Objects are numbered by order of mention.
struct PromptObject {
    std::optional<Color> color;
    std::optional<Shape> shape;
    std::optional<Motion> motion;
    bool operator==(const PromptObject& o) const {
        return color == o.color && shape == o.shape && motion == o.motion;
    }
};
struct ParsedPrompt {
    std::vector<PromptObject> objects;
    std::optional<Background> background;
    bool chinese = false;  // the prompt contains CJK text
    // Every object has colour, shape and motion, and there is a background.
    bool complete() const;
};
ParsedPrompt parsePrompt(const std::string& prompt);

// n captions of scenes sampled from seeds derived from `seed` (training combinations only), 30% in
// Chinese, plus every canonical word in both languages at least once: text for a SentencePiece model.
std::vector<std::string> captionCorpus(int n, uint64_t seed);

// Every Chinese word and phrase the captions are made of (colours, shapes, motions, places and the
// words the templates join them with), sorted: the units the trainer's tokenizer edit keeps whole
// (train/chinese_words.h). Together with punctuation they cover every Chinese caption.
std::vector<std::string> chineseLexicon();

// Every phrase the captions may use for an attribute (first = canonical), for coverage tests.
std::vector<std::string> colorWords(Color c, bool chinese);
std::vector<std::string> shapeWords(Shape s, bool chinese);
std::vector<std::string> motionWords(Motion m, bool chinese);  // participle forms ("moving left"); for English
                                                               // also the finite ones ("slides to the left")
std::vector<std::string> backgroundWords(Background b, bool chinese);

}  // namespace kinora::world
