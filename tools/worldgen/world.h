// The procedural world that kinora-tiny is trained on: one or two coloured shapes moving on one of
// eight backgrounds, 17 frames at 8 fps. Scenes are sampled deterministically from a 64-bit seed (own
// PRNG: std:: distributions differ between standard libraries, and the trainer and evaluator must
// see the same clip for the same seed everywhere) and rendered anti-aliased into media::Clip.
//
// No Qt and no LibTorch here: the trainer (LibTorch) and the evaluator both link this library.
#pragma once

#include "media/frames.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kinora::world {

enum class Color { Red, Orange, Yellow, Green, Cyan, Blue, Purple, Pink, White };
enum class Shape { Circle, Square, Triangle, Star };
enum class Motion {
    MovingLeft,
    MovingRight,
    MovingUp,
    MovingDown,
    Bouncing,
    Falling,
    Spinning,
    Growing,
    Shrinking,
    Still
};
enum class Background { Black, White, Gray, BlueSky, NightSky, Sunset, Grass, Snow };

inline constexpr int kColorCount = 9;
inline constexpr int kShapeCount = 4;
inline constexpr int kMotionCount = 10;
inline constexpr int kBackgroundCount = 8;

struct Rgb {
    uint8_t r = 0, g = 0, b = 0;
    bool operator==(const Rgb& o) const { return r == o.r && g == o.g && b == o.b; }
};

// English words as in the canonical prompt ("red", "circle", "moving left", "on a black background")
// and the Simplified Chinese ones used by the Chinese captions.
const char* colorName(Color c);
const char* colorNameZh(Color c);  // 红色 ...
Rgb colorCentre(Color c);          // sRGB palette centre
const char* shapeName(Shape s);
const char* shapeNameZh(Shape s);  // 圆 ...
const char* motionName(Motion m);
std::optional<Motion> motionFromName(const std::string& name);  // motionName's inverse; none if no motion
const char* motionNameZh(Motion m);  // 向左移动 ...
const char* backgroundName(Background b);    // short id: "black", "blue-sky", ...
const char* backgroundPhrase(Background b);  // "on a black background", "at sunset", ...
const char* backgroundPhraseZh(Background b);  // 黑色背景上 ...

// Held-out combinations: never rendered for training, evaluated separately (compositional
// generalisation). Each is a pair of attributes; a scene object "uses" a held-out combination when
// any of its pairs is one.
bool isHeldOutColorShape(Color c, Shape s);              // purple triangle, orange star, cyan square, pink circle
bool isHeldOutShapeMotion(Shape s, Motion m);            // star bouncing, triangle shrinking, square spinning
bool isHeldOutMotionBackground(Motion m, Background b);  // moving up in the snow, falling at sunset
bool isHeldOut(Color c, Shape s, Motion m, Background b);

// A circle spinning in place looks exactly like a circle standing still, so the pair is never used.
bool isValidShapeMotion(Shape s, Motion m);
// The order of the shape's rotational symmetry: triangle 3, square 4, star 5; 0 for the circle (any
// turn leaves it unchanged).
int rotationalSymmetry(Shape s);
// The smallest RGB distance between the colour's centre and any colour the background shows (over
// every row, every horizon position it is drawn with, stars and flakes aside).
double colorBackgroundContrast(Color c, Background b);
// Pairs below kMinContrast are not sampled (a white object in the snow, a green one on grass, ...).
inline constexpr double kMinContrast = 80.0;
bool isVisiblePair(Color c, Background b);

struct ObjectSpec {
    Color color = Color::Red;
    Shape shape = Shape::Circle;
    Motion motion = Motion::Still;
    Rgb rgb;                   // the colour drawn: the centre varied by up to +-jitter per channel
    double size = 32;          // nominal extent in pixels at frame 0 (circle diameter, square side; the
                               // triangle's and star's circumradius is 0.6*size)
    double end_size = 32;      // at the last frame (differs only for growing/shrinking; linear in between)
    double x0 = 64, y0 = 64;   // centre at frame 0, pixels
    double vx = 0, vy = 0;     // pixels/frame: constant velocity of moves, initial velocity of a fall
    double gravity = 0;        // pixels/frame^2 (falling, bouncing)
    double floor_y = 0;        // bouncing: the centre's height at impact
    double restitution = 0;    // bouncing: speed kept at each impact
    double angle0 = 0;         // radians, 0 = upright (triangle and star point up); y axis points down
    double spin = 0;           // radians/frame (spinning)
};

struct SceneSpec {
    Background background = Background::Black;
    std::vector<ObjectSpec> objects;  // 1 or 2
    int frames = 17;
    int width = 128;
    int height = 128;
    int fps = 8;
    double horizon = 0.7;          // grass/snow/sunset: ground line as a fraction of the height
    uint64_t detail_seed = 0;      // night-sky stars and snow flakes
};

enum class HeldOutMode { Exclude, Only, Any };

// Versions of the world. A version changes how scenes are drawn, never which numbers are drawn from
// the seed, so the same seed gives the same scene in every version except where the version differs
// (and the same captions, but for version 3's two-object scenes below): a run can move to a later
// version part-way and re-encode only the clips that changed.
//   1: spins at 0.12-0.30 rad per frame, either way at random.
//   2: spins at 0.06-0.15 rad per frame, always clockwise on screen. A latent frame of the Wan VAE
//      holds 4 video frames, so version 1 turned a shape 27.5-68.8 degrees between latent frames: past
//      half a square's symmetry angle (45 degrees) in 58% of its spinning clips and past a star's (36)
//      in 79%, where the turn from one latent frame to the next reads backwards or not at all, and the
//      prompt never said which way. Version 2 turns 13.8-34.4 degrees per latent frame (under half of
//      every shape's symmetry angle) one way only, and still 55-138 degrees over the clip.
//   3: also bounces lower and later: dropped 0.28-0.38 of the height, first impact at frame 8-10
//      (version 1: from near the top, at frame 5-7.5), so the ball meets the floor at 7-12 pixels per
//      frame, not 10-38. Within the 4 video frames of one latent frame, version 1 covered up to 56
//      pixels of height, often down and back up, and the Wan VAE kept one coherent object in only 17
//      of 40 of its bouncing clips; version 3 covers at most 29, and the VAE keeps 38 of 40. A
//      scene whose first object bounces may get another second object (whether one fits beside it
//      depends on the bounce's path): about 1 in 5 of the scenes that bounce caption differently.
//   4: also draws spinning objects larger, their circumradius 0.20-0.30 of the frame (two objects:
//      0.15-0.20; versions 1-3: a star's 0.108-0.24, a square's 0.127-0.283), and turns them 0.09-0.15
//      rad per frame (the top of version 2's range: 20.6-34.4 degrees per latent frame, 82-138 over the
//      clip). At 18-40% of a 128-pixel frame a shape is 1.4-3.2 of the transformer's 16-pixel tokens
//      across, so its orientation lives inside one or two tokens; a transformer trained on versions 2-3
//      kept spinning shapes steady (CONTRIBUTING.md, "Spinning after version 7"). The bound is the
//      analyser's: squares of circumradius up to 0.37 of the frame hid the background it reads from
//      the borders in 17 of 80 spinning clips. Whether a second object fits beside a larger spinning
//      one differs, so some of those scenes caption differently.
//   5: also turns 30% of the shapes that do not spin (circles aside) to any angle of their symmetry
//      (a square 0-90 degrees, a triangle 0-120, a star 0-72): those whose slight tilt of versions 1-4
//      (under 6 degrees either way) was the nearest upright, under 1.7 degrees; the others keep it.
//      Up to version 4 a square was drawn turned only while spinning, and square spinning is held out:
//      a transformer trained on version 4 left every spinning square upright and still (0 of 13 at
//      step 64000, CONTRIBUTING.md), as it had never seen a square at any other angle. The angle comes
//      from the number drawn for the tilt, so the stream, the positions and the captions are those of
//      version 4, and only scenes with a turned shape differ.
inline constexpr int kWorldVersions = 5;
// What each later version changes, in a few words each, for command-line help: "2: slower spins, ...".
const char* worldVersionsSummary();

struct SamplingOptions {
    HeldOutMode held_out = HeldOutMode::Exclude;
    double two_object_share = 0.3;
    int frames = 17;
    int width = 128;
    int height = 128;
    int fps = 8;
    int color_jitter = 15;  // +- per channel
    // Fixes an attribute of the first object / the scene (tests and evaluation prompts). A forced
    // combination that the held-out mode or the visibility rule forbids makes sampleScene throw.
    std::optional<Color> color;
    std::optional<Shape> shape;
    std::optional<Motion> motion;
    std::optional<Background> background;
    std::optional<int> object_count;  // 1 or 2
    int version = 1;                  // of the world (kWorldVersions): 1 keeps older runs reproducible
};

// Deterministic in (seed, options). Held-out mode Exclude: no object uses a held-out combination;
// Only: every object uses at least one; Any: no restriction. Invisible pairs and a spinning circle are
// never sampled. Two objects have different colours and keep apart (no overlap in any frame).
// Throws std::invalid_argument for impossible options (sizes below 32 pixels, frames < 5, ...).
SceneSpec sampleScene(uint64_t seed, const SamplingOptions& options = {});

// Every field equal: the same clip is rendered (exact comparison of the drawn numbers).
bool sameScene(const SceneSpec& a, const SceneSpec& b);

// Where an object is in a frame, exactly as render() draws it.
struct ObjectTruth {
    double cx = 0, cy = 0;  // centre (= centroid of the drawn shape), pixels
    double size = 0;        // nominal extent this frame
    double angle = 0;       // radians
    double area = 0;        // exact area of the shape, pixels^2
    double radius = 0;      // circumradius: the shape lies inside this circle around (cx, cy)
    bool inside = true;     // the whole shape lies within the frame
};
ObjectTruth objectAt(const SceneSpec& scene, const ObjectSpec& o, int frame);
// [object][frame]
std::vector<std::vector<ObjectTruth>> groundTruth(const SceneSpec& scene);
// The object's anti-aliased coverage (0..255) in one frame, width*height bytes: the "visible mask".
std::vector<uint8_t> objectMask(const SceneSpec& scene, int object, int frame);

// The background alone, without stars or flakes: one colour per row (every background of this world is
// uniform along rows apart from those small dots). Used by the analyser to classify backgrounds.
std::vector<std::array<double, 3>> backgroundProfile(Background b, int height, double horizon);
// Horizon positions the sampler uses for a background (a single value for those without one).
std::vector<double> horizonChoices(Background b);

// 17 frames of packed RGB24; anti-aliased (coverage from 4x4 samples per pixel, so drawn area and
// centroid match the ground truth), and identical bytes for identical specs.
media::Clip render(const SceneSpec& scene);

// The seed of clip `index` in a stream of clips from `base` (trainer, CLI and evaluator agree on it).
uint64_t clipSeed(uint64_t base, uint64_t index);

// Deterministic PRNG (xoshiro256** seeded through splitmix64), exposed for captions and tests.
class Rng {
public:
    explicit Rng(uint64_t seed);
    uint64_t next();
    double uniform();                     // [0, 1), 53 bits
    double uniform(double lo, double hi);  // [lo, hi)
    int below(int n);                     // [0, n)
    bool chance(double p) { return uniform() < p; }

private:
    uint64_t s_[4];
};

}  // namespace kinora::world
