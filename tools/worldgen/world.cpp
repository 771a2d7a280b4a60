#include "worldgen/world.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace kinora::world {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct ColorInfo {
    const char* en;
    const char* zh;
    Rgb centre;
};
const ColorInfo kColors[kColorCount] = {
    {"red", "红色", {220, 40, 40}},      {"orange", "橙色", {240, 140, 30}}, {"yellow", "黄色", {240, 220, 40}},
    {"green", "绿色", {50, 180, 60}},    {"cyan", "青色", {40, 200, 220}},   {"blue", "蓝色", {40, 80, 220}},
    {"purple", "紫色", {140, 60, 200}},  {"pink", "粉色", {240, 120, 180}},  {"white", "白色", {240, 240, 240}},
};
const char* const kShapeEn[kShapeCount] = {"circle", "square", "triangle", "star"};
const char* const kShapeZh[kShapeCount] = {"圆", "正方形", "三角形", "星星"};
const char* const kMotionEn[kMotionCount] = {"moving left", "moving right", "moving up", "moving down", "bouncing",
                                             "falling",     "spinning",     "growing",   "shrinking",   "standing still"};
const char* const kMotionZh[kMotionCount] = {"向左移动", "向右移动", "向上移动", "向下移动", "弹跳",
                                             "下落",     "旋转",     "变大",     "变小",     "静止不动"};
const char* const kBackgroundId[kBackgroundCount] = {"black",     "white",  "gray",  "blue-sky",
                                                     "night-sky", "sunset", "grass", "snow"};
const char* const kBackgroundEn[kBackgroundCount] = {
    "on a black background", "on a white background", "on a gray background", "on a blue sky",
    "on a night sky",        "at sunset",             "on green grass",       "in the snow"};
const char* const kBackgroundZh[kBackgroundCount] = {"黑色背景上", "白色背景上", "灰色背景上", "蓝天下",
                                                     "夜空中",     "日落时",     "绿色草地上", "雪地里"};

// Shape geometry relative to the nominal size (see ObjectSpec::size).
double circumradiusFactor(Shape s) {
    switch (s) {
    case Shape::Circle: return 0.5;
    case Shape::Square: return 0.70710678118654752;
    case Shape::Triangle: return 0.6;
    case Shape::Star: return 0.6;
    }
    return 1.0;
}
constexpr double kStarInnerRatio = 0.5;  // fat points: still a clear star when the object is 23 px wide

double shapeArea(Shape s, double size) {
    const double R = circumradiusFactor(s) * size;
    switch (s) {
    case Shape::Circle: return kPi * R * R;
    case Shape::Square: return size * size;
    case Shape::Triangle: return 3.0 * std::sqrt(3.0) / 4.0 * R * R;
    case Shape::Star: return 5.0 * R * (kStarInnerRatio * R) * std::sin(kPi / 5.0);
    }
    return 0;
}

// Outline in image coordinates (y down); angle 0 = upright.
std::vector<cv::Point2d> outline(Shape s, double cx, double cy, double size, double angle) {
    std::vector<cv::Point2d> p;
    const double R = circumradiusFactor(s) * size;
    auto at = [&](double a, double r) {
        // a measured clockwise from "up" on screen, so rotating by +angle turns the shape clockwise.
        p.emplace_back(cx + r * std::sin(a + angle), cy - r * std::cos(a + angle));
    };
    switch (s) {
    case Shape::Circle:
        for (int i = 0; i < 72; ++i) at(2 * kPi * i / 72, R);
        break;
    case Shape::Square:
        for (int i = 0; i < 4; ++i) at(kPi / 4 + kPi / 2 * i, R);
        break;
    case Shape::Triangle:
        for (int i = 0; i < 3; ++i) at(2 * kPi / 3 * i, R);
        break;
    case Shape::Star:
        for (int i = 0; i < 10; ++i) at(kPi / 5 * i, (i % 2) ? R * kStarInnerRatio : R);
        break;
    }
    return p;
}

// Anti-aliasing by supersampling: coverage of each pixel from kSuper x kSuper samples. OpenCV's
// LINE_AA polygon fill draws an anti-aliased outline over the filled polygon, which makes every shape
// about 0.7 px fatter than its geometry (15% of the area of a small triangle); sampled coverage keeps
// the drawn area and centroid equal to the ground truth.
constexpr int kSuper = 4;
constexpr int kShift = 8;  // sub-pixel bits of the polygon vertices on the supersampled grid

// The shape's coverage (0..255) over `roi` of the frame.
cv::Mat coverage(Shape s, double cx, double cy, double size, double angle, const cv::Rect& roi) {
    const auto pts = outline(s, cx, cy, size, angle);
    std::vector<cv::Point> fixed;
    fixed.reserve(pts.size());
    // Frame pixel (i, j) covers [i, i+1) x [j, j+1); supersampled pixel k's centre (OpenCV's integer
    // coordinate k) lies at (k + 0.5) / kSuper, so a frame coordinate X maps to kSuper * X - 0.5.
    for (const auto& q : pts) {
        const double X = kSuper * (q.x - roi.x) - 0.5, Y = kSuper * (q.y - roi.y) - 0.5;
        fixed.emplace_back(int(std::lround(X * (1 << kShift))), int(std::lround(Y * (1 << kShift))));
    }
    cv::Mat big = cv::Mat::zeros(roi.height * kSuper, roi.width * kSuper, CV_8UC1);
    const cv::Point* data = fixed.data();
    const int n = int(fixed.size());
    cv::fillPoly(big, &data, &n, 1, cv::Scalar(255), cv::LINE_8, kShift);
    cv::Mat small;
    cv::resize(big, small, roi.size(), 0, 0, cv::INTER_AREA);
    return small;
}

// The frame rectangle that holds the shape (its circumcircle plus a pixel), clipped to the frame.
cv::Rect shapeBox(double cx, double cy, double radius, int W, int H) {
    const int x0 = std::max(0, int(std::floor(cx - radius)) - 1), y0 = std::max(0, int(std::floor(cy - radius)) - 1);
    const int x1 = std::min(W, int(std::ceil(cx + radius)) + 2), y1 = std::min(H, int(std::ceil(cy + radius)) + 2);
    return cv::Rect(x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0));
}

// Blends the shape into an RGB frame with its coverage as alpha.
void fillShape(cv::Mat& img, Shape s, double cx, double cy, double size, double angle, double radius, Rgb color) {
    const cv::Rect roi = shapeBox(cx, cy, radius, img.cols, img.rows);
    if (roi.empty()) return;
    const cv::Mat a = coverage(s, cx, cy, size, angle, roi);
    const int col[3] = {color.r, color.g, color.b};
    for (int y = 0; y < roi.height; ++y) {
        const uint8_t* ar = a.ptr<uint8_t>(y);
        uint8_t* p = img.ptr<uint8_t>(roi.y + y) + 3 * roi.x;
        for (int x = 0; x < roi.width; ++x, p += 3) {
            const int w = ar[x];
            if (w == 0) continue;
            for (int c = 0; c < 3; ++c) p[c] = uint8_t((p[c] * (255 - w) + col[c] * w + 127) / 255);
        }
    }
}

std::array<double, 3> lerp3(const std::array<double, 3>& a, const std::array<double, 3>& b, double t) {
    t = std::clamp(t, 0.0, 1.0);
    return {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t};
}

// Colours of the backgrounds (sRGB). Chosen so that every palette colour but a few named pairs stays
// at least kMinContrast away, and smooth: the design note says a small model learns backgrounds first,
// and grainy ones cost it.
const std::array<double, 3> kSkyTop{25, 75, 185}, kSkyHorizon{160, 205, 245};
const std::array<double, 3> kNightTop{5, 8, 30}, kNightBottom{20, 30, 72};
const std::array<double, 3> kSunsetTop{70, 35, 110}, kSunsetHorizon{250, 150, 60}, kSunsetGround{45, 28, 42};
const std::array<double, 3> kGrassSkyTop{110, 170, 230}, kGrassSkyHorizon{185, 215, 240};
const std::array<double, 3> kGrassTop{80, 165, 60}, kGrassBottom{40, 120, 35};
const std::array<double, 3> kSnowSkyTop{165, 185, 212}, kSnowSkyHorizon{205, 215, 230};
const std::array<double, 3> kSnowTop{240, 242, 248}, kSnowBottom{225, 229, 238};

// Colour at height v (0 top .. 1 bottom) above/below a horizon h.
std::array<double, 3> backgroundAt(Background b, double v, double h) {
    switch (b) {
    case Background::Black: return {0, 0, 0};
    case Background::White: return {255, 255, 255};
    case Background::Gray: return {128, 128, 128};
    case Background::BlueSky: return lerp3(kSkyTop, kSkyHorizon, v);
    case Background::NightSky: return lerp3(kNightTop, kNightBottom, v);
    case Background::Sunset: return v < h ? lerp3(kSunsetTop, kSunsetHorizon, v / h) : kSunsetGround;
    case Background::Grass:
        return v < h ? lerp3(kGrassSkyTop, kGrassSkyHorizon, v / h) : lerp3(kGrassTop, kGrassBottom, (v - h) / (1 - h));
    case Background::Snow:
        return v < h ? lerp3(kSnowSkyTop, kSnowSkyHorizon, v / h) : lerp3(kSnowTop, kSnowBottom, (v - h) / (1 - h));
    }
    return {0, 0, 0};
}

bool hasHorizon(Background b) {
    return b == Background::Sunset || b == Background::Grass || b == Background::Snow;
}

double dist(const std::array<double, 3>& a, Rgb c) {
    const double dr = a[0] - c.r, dg = a[1] - c.g, db = a[2] - c.b;
    return std::sqrt(dr * dr + dg * dg + db * db);
}

// Adds a soft white dot (night-sky star, snow flake) with a Gaussian profile; deterministic per pixel.
void splat(cv::Mat& img, double x, double y, double sigma, double strength, const std::array<double, 3>& col) {
    const int r = int(std::ceil(2.5 * sigma));
    const int x0 = int(std::floor(x)), y0 = int(std::floor(y));
    for (int py = y0 - r; py <= y0 + r; ++py) {
        if (py < 0 || py >= img.rows) continue;
        uint8_t* row = img.ptr<uint8_t>(py);
        for (int px = x0 - r; px <= x0 + r; ++px) {
            if (px < 0 || px >= img.cols) continue;
            const double dx = px + 0.5 - x, dy = py + 0.5 - y;
            const double w = strength * std::exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
            uint8_t* p = row + px * 3;
            for (int c = 0; c < 3; ++c) p[c] = uint8_t(std::lround(p[c] * (1 - w) + col[size_t(c)] * w));
        }
    }
}

uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

// ---- names and tables ------------------------------------------------------------------------

const char* colorName(Color c) { return kColors[int(c)].en; }
const char* colorNameZh(Color c) { return kColors[int(c)].zh; }
Rgb colorCentre(Color c) { return kColors[int(c)].centre; }
const char* shapeName(Shape s) { return kShapeEn[int(s)]; }
const char* shapeNameZh(Shape s) { return kShapeZh[int(s)]; }
const char* motionName(Motion m) { return kMotionEn[int(m)]; }
const char* motionNameZh(Motion m) { return kMotionZh[int(m)]; }
std::optional<Motion> motionFromName(const std::string& name) {
    for (int m = 0; m < kMotionCount; ++m) {
        if (name == kMotionEn[m]) return Motion(m);
    }
    return std::nullopt;
}
const char* backgroundName(Background b) { return kBackgroundId[int(b)]; }
const char* backgroundPhrase(Background b) { return kBackgroundEn[int(b)]; }
const char* backgroundPhraseZh(Background b) { return kBackgroundZh[int(b)]; }

bool isHeldOutColorShape(Color c, Shape s) {
    return (c == Color::Purple && s == Shape::Triangle) || (c == Color::Orange && s == Shape::Star) ||
           (c == Color::Cyan && s == Shape::Square) || (c == Color::Pink && s == Shape::Circle);
}
bool isHeldOutShapeMotion(Shape s, Motion m) {
    return (s == Shape::Star && m == Motion::Bouncing) || (s == Shape::Triangle && m == Motion::Shrinking) ||
           (s == Shape::Square && m == Motion::Spinning);
}
bool isHeldOutMotionBackground(Motion m, Background b) {
    return (m == Motion::MovingUp && b == Background::Snow) || (m == Motion::Falling && b == Background::Sunset);
}
bool isHeldOut(Color c, Shape s, Motion m, Background b) {
    return isHeldOutColorShape(c, s) || isHeldOutShapeMotion(s, m) || isHeldOutMotionBackground(m, b);
}

const char* worldVersionsSummary() {
    return "2: slower spins, always clockwise; 3: also lower, later bounces; 4: also larger, faster spins; 5: also 30% of "
           "the shapes that do not spin turned to any angle";
}

int rotationalSymmetry(Shape s) {
    switch (s) {
    case Shape::Triangle: return 3;
    case Shape::Square: return 4;
    case Shape::Star: return 5;
    case Shape::Circle: return 0;
    }
    return 0;
}

bool isValidShapeMotion(Shape s, Motion m) { return !(s == Shape::Circle && m == Motion::Spinning); }

std::vector<double> horizonChoices(Background b) {
    switch (b) {
    case Background::Sunset: return {0.80, 0.82, 0.84, 0.86, 0.88};
    case Background::Grass: return {0.60, 0.62, 0.64, 0.66, 0.68, 0.70, 0.72};
    case Background::Snow: return {0.58, 0.60, 0.62, 0.64, 0.66, 0.68, 0.70};
    default: return {1.0};
    }
}

std::vector<std::array<double, 3>> backgroundProfile(Background b, int height, double horizon) {
    std::vector<std::array<double, 3>> rows(size_t(std::max(0, height)));
    const double yh = horizon * height;
    for (int y = 0; y < height; ++y) {
        const double v = (y + 0.5) / height;
        if (hasHorizon(b) && yh > y && yh < y + 1) {
            // The row that holds the horizon: area-weighted mix of the two sides (anti-aliased line).
            const double above = yh - y;
            const auto a = backgroundAt(b, std::min(v, horizon - 1e-9), horizon);
            const auto g = backgroundAt(b, std::max(v, horizon), horizon);
            rows[size_t(y)] = lerp3(g, a, above);
        } else {
            rows[size_t(y)] = backgroundAt(b, v, horizon);
        }
    }
    return rows;
}

double colorBackgroundContrast(Color c, Background b) {
    const Rgb col = colorCentre(c);
    double best = 1e9;
    for (double h : horizonChoices(b)) {
        for (int i = 0; i <= 200; ++i) {
            const double v = i / 200.0;
            best = std::min(best, dist(backgroundAt(b, v, h), col));
        }
    }
    return best;
}

bool isVisiblePair(Color c, Background b) { return colorBackgroundContrast(c, b) >= kMinContrast; }

uint64_t clipSeed(uint64_t base, uint64_t index) {
    uint64_t x = base ^ (index * 0xd1342543de82ef95ULL);
    splitmix64(x);
    return splitmix64(x);
}

// ---- PRNG --------------------------------------------------------------------------------------

Rng::Rng(uint64_t seed) {
    uint64_t x = seed;
    for (auto& s : s_) s = splitmix64(x);
}
uint64_t Rng::next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}
double Rng::uniform() { return double(next() >> 11) * 0x1.0p-53; }
double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
int Rng::below(int n) {
    if (n <= 0) throw std::invalid_argument("Rng::below: n must be positive");
    return int((unsigned __int128)next() * uint64_t(n) >> 64);
}

// ---- motion ------------------------------------------------------------------------------------

ObjectTruth objectAt(const SceneSpec& scene, const ObjectSpec& o, int frame) {
    const double t = frame;
    const double T = std::max(1, scene.frames - 1);
    ObjectTruth r;
    r.size = o.size + (o.end_size - o.size) * (t / T);
    r.angle = o.angle0 + o.spin * t;
    r.cx = o.x0;
    r.cy = o.y0;
    switch (o.motion) {
    case Motion::MovingLeft:
    case Motion::MovingRight:
    case Motion::MovingUp:
    case Motion::MovingDown:
        r.cx = o.x0 + o.vx * t;
        r.cy = o.y0 + o.vy * t;
        break;
    case Motion::Falling: r.cy = o.y0 + o.vy * t + 0.5 * o.gravity * t * t; break;
    case Motion::Bouncing: {
        // Exact piecewise parabolas: fall to the floor, reverse with `restitution` of the speed.
        double t0 = 0, y = o.y0, v = o.vy;
        for (int bounce = 0; bounce < 64; ++bounce) {
            const double g = o.gravity;
            const double disc = v * v + 2 * g * (o.floor_y - y);
            const double dt = g > 0 ? (-v + std::sqrt(std::max(0.0, disc))) / g : 1e9;
            if (t <= t0 + dt || g <= 0) {
                const double s = t - t0;
                y = y + v * s + 0.5 * g * s * s;
                break;
            }
            v = -o.restitution * (v + g * dt);
            y = o.floor_y;
            t0 += dt;
            if (std::abs(v) < 1e-3) break;  // at rest on the floor
        }
        r.cy = std::min(y, o.floor_y);
        break;
    }
    default: break;
    }
    r.area = shapeArea(o.shape, r.size);
    r.radius = circumradiusFactor(o.shape) * r.size;
    r.inside = r.cx - r.radius >= 0 && r.cy - r.radius >= 0 && r.cx + r.radius <= scene.width &&
               r.cy + r.radius <= scene.height;
    return r;
}

std::vector<std::vector<ObjectTruth>> groundTruth(const SceneSpec& scene) {
    std::vector<std::vector<ObjectTruth>> out;
    for (const auto& o : scene.objects) {
        std::vector<ObjectTruth> track;
        for (int f = 0; f < scene.frames; ++f) track.push_back(objectAt(scene, o, f));
        out.push_back(std::move(track));
    }
    return out;
}

std::vector<uint8_t> objectMask(const SceneSpec& scene, int object, int frame) {
    if (object < 0 || object >= int(scene.objects.size())) throw std::out_of_range("objectMask: no such object");
    cv::Mat m = cv::Mat::zeros(scene.height, scene.width, CV_8UC1);
    const ObjectSpec& o = scene.objects[size_t(object)];
    const ObjectTruth t = objectAt(scene, o, frame);
    const cv::Rect roi = shapeBox(t.cx, t.cy, t.radius, scene.width, scene.height);
    if (!roi.empty()) coverage(o.shape, t.cx, t.cy, t.size, t.angle, roi).copyTo(m(roi));
    return std::vector<uint8_t>(m.data, m.data + m.total());
}

// ---- sampling ----------------------------------------------------------------------------------

namespace {

template <typename E>
E pick(Rng& rng, int count) {
    return E(rng.below(count));
}

bool combinationAllowed(HeldOutMode mode, Color c, Shape s, Motion m, Background b) {
    if (!isValidShapeMotion(s, m) || !isVisiblePair(c, b)) return false;
    switch (mode) {
    case HeldOutMode::Exclude: return !isHeldOut(c, s, m, b);
    case HeldOutMode::Only: return isHeldOut(c, s, m, b);
    case HeldOutMode::Any: return true;
    }
    return false;
}

double minDistanceToBackground(Rgb col, Background b, double horizon) {
    double best = 1e9;
    for (int i = 0; i <= 100; ++i) best = std::min(best, dist(backgroundAt(b, i / 100.0, horizon), col));
    return best;
}

// Attributes for one object; `forced` only for the first object. Rejection sampling: every draw comes
// from the same stream, so the result is a pure function of the seed.
void sampleAttributes(Rng& rng, const SamplingOptions& opt, bool first, Background bg, std::optional<Color> avoid,
                      ObjectSpec& o) {
    for (int attempt = 0; attempt < 2000; ++attempt) {
        const Color c = first && opt.color ? *opt.color : pick<Color>(rng, kColorCount);
        const Shape s = first && opt.shape ? *opt.shape : pick<Shape>(rng, kShapeCount);
        const Motion m = first && opt.motion ? *opt.motion : pick<Motion>(rng, kMotionCount);
        if (avoid && c == *avoid) continue;
        if (!combinationAllowed(opt.held_out, c, s, m, bg)) continue;
        o.color = c;
        o.shape = s;
        o.motion = m;
        return;
    }
    throw std::invalid_argument("sampleScene: no allowed combination for the forced attributes and held-out mode");
}

// The angle of a shape that does not spin, from its slight tilt (drawn in (-0.1, 0.1) rad). Version 5
// turns the tilts nearest upright (30% of them) to any angle of the shape's symmetry, spread evenly, and
// keeps the others as drawn: no number is drawn that version 4 did not draw, and a scene with no turned
// shape is version 4's scene (world.h: versions), so a run moving to version 5 re-encodes only those.
constexpr double kTurnedTilt = 0.03;  // |tilt| below this: turned (0.03 / 0.1 = 30% of the shapes)
double stillAngle(Shape s, double tilt, int version) {
    const int symmetry = rotationalSymmetry(s);  // 0 for a circle: every angle is the same circle
    if (version < 5 || symmetry == 0 || std::abs(tilt) >= kTurnedTilt) return tilt;
    return (tilt + kTurnedTilt) / (2 * kTurnedTilt) * 2 * kPi / symmetry;
}

// Geometry and physics for one object, within the frame for every frame. Returns false when the drawn
// size leaves no room for the motion (the caller draws again).
bool sampleGeometry(Rng& rng, const SceneSpec& sc, bool twoObjects, int version, ObjectSpec& o) {
    const double W = sc.width, H = sc.height, S = std::min(W, H);
    const double T = sc.frames - 1;
    const double margin = std::max(1.0, 0.02 * S);
    const double k = circumradiusFactor(o.shape);
    // Objects 18-40% of the frame width (design note: large enough to matter); smaller when two share it.
    const double hi = twoObjects ? 0.28 : 0.40;
    o.size = rng.uniform(0.18, hi) * S;
    if (version >= 4 && o.motion == Motion::Spinning) {
        // Version 4 (world.h): the same drawn number, mapped to a larger spinning object: its circumradius
        // 0.20-0.30 of the frame (two objects: 0.15-0.20), whatever the shape.
        const double lo4 = twoObjects ? 0.15 : 0.20, hi4 = twoObjects ? 0.20 : 0.30;
        o.size = (lo4 + (o.size / S - 0.18) / (hi - 0.18) * (hi4 - lo4)) * S / k;
    }
    o.end_size = o.size;
    if (o.motion == Motion::Growing || o.motion == Motion::Shrinking) {
        const double a = rng.uniform(0.16, twoObjects ? 0.20 : 0.24) * S;
        const double b = std::min(a * rng.uniform(1.5, 1.9), (twoObjects ? 0.32 : 0.42) * S);
        o.size = o.motion == Motion::Growing ? a : b;
        o.end_size = o.motion == Motion::Growing ? b : a;
    }
    const double rc = k * std::max(o.size, o.end_size);
    const double lo = rc + margin;
    const double xHi = W - rc - margin, yHi = H - rc - margin;
    if (xHi <= lo || yHi <= lo) return false;
    o.x0 = rng.uniform(lo, xHi);
    o.y0 = rng.uniform(lo, yHi);
    o.vx = o.vy = o.gravity = o.floor_y = o.restitution = o.spin = 0;
    o.angle0 = o.shape == Shape::Circle ? 0.0 : stillAngle(o.shape, rng.uniform(-0.1, 0.1), version);

    switch (o.motion) {
    case Motion::MovingLeft:
    case Motion::MovingRight:
    case Motion::MovingUp:
    case Motion::MovingDown: {
        const bool horizontal = o.motion == Motion::MovingLeft || o.motion == Motion::MovingRight;
        const double extent = horizontal ? W : H;
        const double room = (horizontal ? xHi : yHi) - lo;  // travel that keeps it inside
        // Constant speed, 20-55% of the frame over the clip.
        double speed = rng.uniform(0.20, 0.55) * extent / T;
        speed = std::min(speed, room / T);
        if (speed < 0.15 * extent / T) return false;
        const double start = rng.uniform(lo, lo + room - speed * T);  // start .. start + travel inside
        const bool negative = o.motion == Motion::MovingLeft || o.motion == Motion::MovingUp;
        const double from = negative ? start + speed * T : start;
        if (horizontal) {
            o.x0 = from;
            o.vx = negative ? -speed : speed;
        } else {
            o.y0 = from;
            o.vy = negative ? -speed : speed;
        }
        break;
    }
    case Motion::Falling: {
        // From near the top, accelerating through the whole clip; start speed and gravity such that the
        // whole shape is still inside the frame (and still falling) at the last frame.
        o.y0 = lo + rng.uniform(0.0, 0.06) * H;
        o.vy = rng.uniform(0.0, 0.5) * H / 128.0;
        const double room = yHi - o.y0;
        const double gMax = 2 * (room - o.vy * T) / (T * T);
        o.gravity = gMax * rng.uniform(0.75, 0.98);
        if (o.gravity < 0.12 * H / 128.0) return false;
        break;
    }
    case Motion::Bouncing: {
        // Dropped from rest near the top, first impact after 5-7.5 frames (sooner would mean jumps of
        // over a quarter of the frame per frame at impact): the rebound and the rise to the next apex
        // (restitution 0.65-0.8, so at least 0.42 of the drop, and by frame 13.5) are inside the clip.
        o.floor_y = yHi;
        const double high = rng.uniform(0.0, 1.0);  // where in its range the start lies (0: highest)
        o.y0 = lo + high * 0.12 * H;
        double drop = o.floor_y - o.y0;
        if (drop < 0.3 * H) return false;
        const double late = rng.uniform(0.0, 1.0);  // where in its range the first impact lies (0: soonest)
        double t1 = (5.0 + 2.5 * late) * (T / 16.0);
        if (version >= 3) {
            // Version 3 (world.h): a lower drop and a later impact, so that the ball meets the floor at
            // 7-12 pixels per frame (about the speed a falling object ends with) instead of 10-38. The
            // rebound still rises at least 0.09 of the height by the last frame, though its apex may
            // come after it.
            drop = std::min(drop, (0.28 + 0.10 * high) * H);
            o.y0 = o.floor_y - drop;
            t1 = (8.0 + 2.0 * late) * (T / 16.0);
        }
        o.gravity = 2 * drop / (t1 * t1);
        o.restitution = rng.uniform(0.65, 0.8);
        break;
    }
    case Motion::Spinning: {
        o.angle0 = rng.uniform(0.0, 2 * kPi);
        // Every version draws the same two numbers (world.h: versions), mapped to its speeds: version 1
        // 0.12-0.30 rad per frame either way, 2 and 3 half that clockwise, 4 the top of 2's range.
        const double direction = rng.chance(0.5) ? -1 : 1;
        const double speed = rng.uniform(0.12, 0.30);
        const double perFrame = version >= 4 ? 0.09 + (speed - 0.12) / 3 : version >= 2 ? speed / 2 : direction * speed;
        o.spin = perFrame * (16.0 / T);
        break;
    }
    default: break;
    }
    return true;
}

// No overlap in any frame: circumcircles apart (plus 2 pixels).
bool apart(const SceneSpec& sc, const ObjectSpec& a, const ObjectSpec& b) {
    for (int f = 0; f < sc.frames; ++f) {
        const ObjectTruth ta = objectAt(sc, a, f), tb = objectAt(sc, b, f);
        if (std::hypot(ta.cx - tb.cx, ta.cy - tb.cy) < ta.radius + tb.radius + 2.0) return false;
    }
    return true;
}

void sampleColour(Rng& rng, const SceneSpec& sc, int jitter, ObjectSpec& o) {
    const Rgb c = colorCentre(o.color);
    for (int attempt = 0;; ++attempt) {
        auto j = [&](uint8_t v) {
            const int d = jitter > 0 ? rng.below(2 * jitter + 1) - jitter : 0;
            return uint8_t(std::clamp(int(v) + d, 0, 255));
        };
        o.rgb = Rgb{j(c.r), j(c.g), j(c.b)};
        // Jitter must not push a pair that is just visible into invisibility.
        if (attempt > 50 || minDistanceToBackground(o.rgb, sc.background, sc.horizon) >= kMinContrast - 15) return;
    }
}

}  // namespace

SceneSpec sampleScene(uint64_t seed, const SamplingOptions& opt) {
    if (opt.width < 32 || opt.height < 32 || opt.width > media::kMaxSide || opt.height > media::kMaxSide) {
        throw std::invalid_argument("sampleScene: width and height must be 32.." + std::to_string(media::kMaxSide));
    }
    if (opt.frames < 5 || opt.frames > 1000) throw std::invalid_argument("sampleScene: frames must be 5..1000");
    if (opt.fps < 1 || opt.fps > 240) throw std::invalid_argument("sampleScene: fps must be 1..240");
    if (opt.version < 1 || opt.version > kWorldVersions) {
        throw std::invalid_argument("sampleScene: the world's versions are 1.." + std::to_string(kWorldVersions) + ", not " +
                                    std::to_string(opt.version));
    }
    if (opt.object_count && (*opt.object_count < 1 || *opt.object_count > 2)) {
        throw std::invalid_argument("sampleScene: object_count must be 1 or 2");
    }
    if (opt.shape && opt.motion && !isValidShapeMotion(*opt.shape, *opt.motion)) {
        throw std::invalid_argument("sampleScene: a circle cannot be spinning (it would look standing still)");
    }
    Rng rng(seed);
    SceneSpec sc;
    sc.frames = opt.frames;
    sc.width = opt.width;
    sc.height = opt.height;
    sc.fps = opt.fps;
    sc.detail_seed = rng.next();
    const int count = opt.object_count ? *opt.object_count : (rng.chance(opt.two_object_share) ? 2 : 1);

    for (int attempt = 0; attempt < 1000; ++attempt) {
        sc.background = opt.background ? *opt.background : pick<Background>(rng, kBackgroundCount);
        const auto horizons = horizonChoices(sc.background);
        sc.horizon = horizons[size_t(rng.below(int(horizons.size())))];
        sc.objects.clear();
        ObjectSpec a;
        try {
            sampleAttributes(rng, opt, true, sc.background, std::nullopt, a);
        } catch (const std::invalid_argument&) {
            if (opt.background) throw;  // forced attributes that no background draw can satisfy
            continue;
        }
        bool ok = false;
        for (int g = 0; g < 50 && !ok; ++g) ok = sampleGeometry(rng, sc, count == 2, opt.version, a);
        if (!ok) continue;
        sampleColour(rng, sc, opt.color_jitter, a);
        sc.objects.push_back(a);
        if (count == 1) return sc;

        for (int second = 0; second < 200; ++second) {
            ObjectSpec b;
            sampleAttributes(rng, opt, false, sc.background, a.color, b);
            if (!sampleGeometry(rng, sc, true, opt.version, b) || !apart(sc, a, b)) continue;
            sampleColour(rng, sc, opt.color_jitter, b);
            sc.objects.push_back(b);
            return sc;
        }
    }
    throw std::invalid_argument(
        "sampleScene: no scene satisfies these options (a forced combination that is held out, invisible on "
        "every allowed background, or that leaves no room for its motion)");
}

bool sameScene(const SceneSpec& a, const SceneSpec& b) {
    if (a.background != b.background || a.frames != b.frames || a.width != b.width || a.height != b.height || a.fps != b.fps ||
        a.horizon != b.horizon || a.detail_seed != b.detail_seed || a.objects.size() != b.objects.size()) {
        return false;
    }
    for (size_t i = 0; i < a.objects.size(); ++i) {
        const ObjectSpec &p = a.objects[i], &q = b.objects[i];
        if (p.color != q.color || p.shape != q.shape || p.motion != q.motion || !(p.rgb == q.rgb) || p.size != q.size ||
            p.end_size != q.end_size || p.x0 != q.x0 || p.y0 != q.y0 || p.vx != q.vx || p.vy != q.vy || p.gravity != q.gravity ||
            p.floor_y != q.floor_y || p.restitution != q.restitution || p.angle0 != q.angle0 || p.spin != q.spin) {
            return false;
        }
    }
    return true;
}

// ---- rendering ---------------------------------------------------------------------------------

media::Clip render(const SceneSpec& sc) {
    media::validateSize(sc.width, sc.height, sc.frames, "world scene");
    if (sc.objects.empty() || sc.objects.size() > 2) throw std::invalid_argument("render: a scene has 1 or 2 objects");
    const int W = sc.width, H = sc.height;
    const double S = std::min(W, H);

    cv::Mat base(H, W, CV_8UC3);
    const auto profile = backgroundProfile(sc.background, H, sc.horizon);
    for (int y = 0; y < H; ++y) {
        const auto& c = profile[size_t(y)];
        const uint8_t px[3] = {uint8_t(std::lround(c[0])), uint8_t(std::lround(c[1])), uint8_t(std::lround(c[2]))};
        uint8_t* row = base.ptr<uint8_t>(y);
        for (int x = 0; x < W; ++x) std::memcpy(row + 3 * x, px, 3);
    }
    Rng detail(sc.detail_seed);
    if (sc.background == Background::NightSky) {
        // A few small static stars: few enough to stay learnable (design note).
        const int n = 6 + detail.below(7);
        for (int i = 0; i < n; ++i) {
            const double x = detail.uniform(0, W), y = detail.uniform(0, H * 0.9);
            splat(base, x, y, detail.uniform(0.45, 0.65) * S / 128.0, detail.uniform(0.7, 1.0), {255, 255, 240});
        }
    }
    struct Flake {
        double x, y, vx, vy, sigma;
    };
    std::vector<Flake> flakes;
    if (sc.background == Background::Snow) {
        const int n = 8 + detail.below(7);
        for (int i = 0; i < n; ++i) {
            flakes.push_back({detail.uniform(0, W), detail.uniform(0, H), detail.uniform(-0.4, 0.4) * S / 128.0,
                              detail.uniform(0.8, 2.0) * S / 128.0, detail.uniform(0.55, 0.75) * S / 128.0});
        }
    }

    media::Clip clip;
    clip.fps_num = sc.fps;
    clip.fps_den = 1;
    clip.frames.resize(size_t(sc.frames));
    for (int f = 0; f < sc.frames; ++f) {
        media::Frame& fr = clip.frames[size_t(f)];
        fr.width = W;
        fr.height = H;
        fr.rgb.resize(size_t(W) * size_t(H) * 3u);
        cv::Mat img(H, W, CV_8UC3, fr.rgb.data());
        base.copyTo(img);
        for (const Flake& fl : flakes) {
            // Falling flakes wrap around; drawn behind the objects.
            const double y = std::fmod(fl.y + fl.vy * f, H + 4.0) - 2.0;
            const double x = std::fmod(fl.x + fl.vx * f + 4.0 * W, double(W));
            splat(img, x, y, fl.sigma, 0.95, {250, 250, 255});
        }
        for (const ObjectSpec& o : sc.objects) {
            const ObjectTruth t = objectAt(sc, o, f);
            fillShape(img, o.shape, t.cx, t.cy, t.size, t.angle, t.radius, o.rgb);
        }
    }
    return clip;
}

}  // namespace kinora::world
