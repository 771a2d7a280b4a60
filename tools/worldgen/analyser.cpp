#include "worldgen/analyser.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <numeric>
#include <stdexcept>

namespace kinora::world {
namespace {

constexpr double kPi = 3.14159265358979323846;
using Vec3 = std::array<double, 3>;

std::string fmt(const char* f, double a, double b = 0, double c = 0) {
    char buf[256];
    std::snprintf(buf, sizeof buf, f, a, b, c);
    return buf;
}

double dist3(const Vec3& a, const Vec3& b) {
    return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}
Vec3 toVec(Rgb c) { return {double(c.r), double(c.g), double(c.b)}; }

// ---- background ---------------------------------------------------------------------------------

// One colour per row: every background of this world is uniform along rows (stars and flakes aside).
// A per-pixel temporal median would absorb an object that stands still, spins or moves slowly (it
// covers the same pixels in most frames); along a row, over all frames, an object covers well under
// half of the samples, so the most frequent colour there is the background. The mode is taken on a
// 16-level-per-channel histogram smoothed over neighbouring bins (so a colour on a bin edge is not
// split), then refined to the mean of the samples near it.
std::vector<Vec3> rowBackground(const std::vector<cv::Mat>& frames) {
    const int H = frames[0].rows, W = frames[0].cols;
    std::vector<Vec3> out(static_cast<size_t>(H));
    std::vector<int> hist(4096, 0);
    std::vector<int> touched;
    touched.reserve(4096);
    for (int y = 0; y < H; ++y) {
        touched.clear();
        for (const cv::Mat& f : frames) {
            const uint8_t* p = f.ptr<uint8_t>(y);
            for (int x = 0; x < W; ++x, p += 3) {
                const int bin = (p[0] >> 4) << 8 | (p[1] >> 4) << 4 | (p[2] >> 4);
                if (hist[size_t(bin)]++ == 0) touched.push_back(bin);
            }
        }
        int best = touched.front(), bestCount = -1;
        for (int bin : touched) {
            const int r = bin >> 8, g = (bin >> 4) & 15, b = bin & 15;
            int s = 0;
            for (int dr = -1; dr <= 1; ++dr)
                for (int dg = -1; dg <= 1; ++dg)
                    for (int db = -1; db <= 1; ++db) {
                        const int rr = r + dr, gg = g + dg, bb = b + db;
                        if (rr < 0 || gg < 0 || bb < 0 || rr > 15 || gg > 15 || bb > 15) continue;
                        s += hist[size_t(rr << 8 | gg << 4 | bb)];
                    }
            if (s > bestCount) bestCount = s, best = bin;
        }
        const int br = best >> 8, bg = (best >> 4) & 15, bb = best & 15;
        Vec3 sum{0, 0, 0};
        double n = 0;
        for (const cv::Mat& f : frames) {
            const uint8_t* p = f.ptr<uint8_t>(y);
            for (int x = 0; x < W; ++x, p += 3) {
                if (std::abs((p[0] >> 4) - br) <= 1 && std::abs((p[1] >> 4) - bg) <= 1 && std::abs((p[2] >> 4) - bb) <= 1) {
                    for (int c = 0; c < 3; ++c) sum[size_t(c)] += p[c];
                    n += 1;
                }
            }
        }
        Vec3 centre{sum[0] / n, sum[1] / n, sum[2] / n};
        sum = {0, 0, 0};
        n = 0;
        for (const cv::Mat& f : frames) {
            const uint8_t* p = f.ptr<uint8_t>(y);
            for (int x = 0; x < W; ++x, p += 3) {
                const Vec3 v{double(p[0]), double(p[1]), double(p[2])};
                if (dist3(v, centre) <= 20) {
                    for (int c = 0; c < 3; ++c) sum[size_t(c)] += v[size_t(c)];
                    n += 1;
                }
            }
        }
        if (n > 0) centre = {sum[0] / n, sum[1] / n, sum[2] / n};
        out[size_t(y)] = centre;
        for (int bin : touched) hist[size_t(bin)] = 0;
    }
    return out;
}

struct BackgroundMatch {
    std::optional<Background> type;
    double distance = 1e9;
    double confidence = 0;
};

// Nearest of the eight prototypes (the renderer's own row colours, at each horizon it uses), by the
// mean row distance over the best 90% of rows (a few rows may be dominated by a large object).
BackgroundMatch classifyBackground(const std::vector<Vec3>& rows, double maxDistance) {
    const int H = int(rows.size());
    std::array<double, kBackgroundCount> best;
    best.fill(1e9);
    std::vector<double> d(static_cast<size_t>(H));
    for (int b = 0; b < kBackgroundCount; ++b) {
        for (double h : horizonChoices(Background(b))) {
            const auto proto = backgroundProfile(Background(b), H, h);
            for (int y = 0; y < H; ++y) d[size_t(y)] = dist3(rows[size_t(y)], proto[size_t(y)]);
            std::sort(d.begin(), d.end());
            const int keep = std::max(1, int(std::lround(H * 0.9)));
            const double mean = std::accumulate(d.begin(), d.begin() + keep, 0.0) / keep;
            best[size_t(b)] = std::min(best[size_t(b)], mean);
        }
    }
    BackgroundMatch m;
    int i1 = 0;
    for (int b = 1; b < kBackgroundCount; ++b)
        if (best[size_t(b)] < best[size_t(i1)]) i1 = b;
    double second = 1e9;
    for (int b = 0; b < kBackgroundCount; ++b)
        if (b != i1) second = std::min(second, best[size_t(b)]);
    m.distance = best[size_t(i1)];
    if (m.distance <= maxDistance) {
        m.type = Background(i1);
        m.confidence = std::clamp(1.0 - m.distance / std::max(1e-9, second), 0.0, 1.0);
    }
    return m;
}

// ---- per-frame segmentation ---------------------------------------------------------------------

struct Component {
    int label = 0;
    int area = 0;
    double cx = 0, cy = 0;
};

struct FrameSeg {
    cv::Mat raw;     // CV_8U 0/255: far enough from the row background
    cv::Mat labels;  // of the opened mask
    std::vector<Component> comps;  // area >= minimum, largest first
};

FrameSeg segment(const cv::Mat& rgb, const std::vector<Vec3>& bg, double threshold, int minArea) {
    FrameSeg s;
    const int H = rgb.rows, W = rgb.cols;
    s.raw = cv::Mat::zeros(H, W, CV_8U);
    const double t2 = threshold * threshold;
    for (int y = 0; y < H; ++y) {
        const uint8_t* p = rgb.ptr<uint8_t>(y);
        uint8_t* m = s.raw.ptr<uint8_t>(y);
        const Vec3& b = bg[size_t(y)];
        for (int x = 0; x < W; ++x, p += 3) {
            const double dr = p[0] - b[0], dg = p[1] - b[1], db = p[2] - b[2];
            m[x] = dr * dr + dg * dg + db * db > t2 ? 255 : 0;
        }
    }
    // Opening removes what is too thin to be an object: night-sky stars, snow flakes, speckle.
    cv::Mat opened;
    cv::morphologyEx(s.raw, opened, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
    cv::Mat stats, centroids;
    const int n = cv::connectedComponentsWithStats(opened, s.labels, stats, centroids, 8, CV_32S);
    for (int i = 1; i < n; ++i) {
        const int area = stats.at<int>(i, cv::CC_STAT_AREA);
        if (area < minArea) continue;
        s.comps.push_back({i, area, centroids.at<double>(i, 0), centroids.at<double>(i, 1)});
    }
    std::sort(s.comps.begin(), s.comps.end(), [](const Component& a, const Component& b) { return a.area > b.area; });
    return s;
}

// ---- one object in one frame --------------------------------------------------------------------

struct ObjFrame {
    bool present = false;
    cv::Mat mask;  // CV_8U, the object's pixels (raw mask near the component)
    double x = 0, y = 0, area = 0;
    Vec3 mean{};             // interior colour
    double colorSpread = 0;  // RMS distance of interior pixels to their mean
    std::optional<Shape> shape;
    double solidity = 0, fill = 0;
    std::array<std::complex<double>, 3> moment{};  // k = 3, 4, 5
};

std::optional<Shape> classifyOutline(const cv::Mat& mask, double& solidity, double& fill) {
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(mask.clone(), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
    if (contours.empty()) return std::nullopt;
    const auto& c = *std::max_element(contours.begin(), contours.end(), [](const auto& a, const auto& b) {
        return cv::contourArea(a) < cv::contourArea(b);
    });
    const double area = cv::contourArea(c);
    if (area < 10) return std::nullopt;
    std::vector<cv::Point> hull;
    cv::convexHull(c, hull);
    solidity = area / std::max(1.0, cv::contourArea(hull));
    cv::Point2f centre;
    float radius = 0;
    cv::minEnclosingCircle(c, centre, radius);
    fill = area / (kPi * double(radius) * double(radius));
    const cv::RotatedRect box = cv::minAreaRect(c);
    const double rectFill = area / std::max(1.0, double(box.size.area()));
    // Rotation-invariant measures. Solidity: star 0.62, the others 1. For the others, the share of the
    // enclosing circle and of the smallest enclosing rectangle they fill: circle (1, 0.785), square
    // (0.637, 1), triangle (0.413, 0.5); the nearest of these. Two measures rather than one keep a
    // softly drawn triangle (rounded corners fill more of its circle) from reading as a square.
    if (solidity < 0.82) return Shape::Star;
    const double proto[3][2] = {{1.0, 0.785}, {0.637, 1.0}, {0.413, 0.5}};
    const Shape shapes[3] = {Shape::Circle, Shape::Square, Shape::Triangle};
    int best = 0;
    double bestD = 1e9;
    for (int i = 0; i < 3; ++i) {
        const double d = std::hypot(fill - proto[i][0], rectFill - proto[i][1]);
        if (d < bestD) bestD = d, best = i;
    }
    return shapes[best];
}

// Mean colour of `rgb` over `mask`.
Vec3 meanOver(const cv::Mat& rgb, const cv::Mat& mask) {
    Vec3 sum{0, 0, 0};
    double n = 0;
    for (int y = 0; y < rgb.rows; ++y) {
        const uint8_t* p = rgb.ptr<uint8_t>(y);
        const uint8_t* m = mask.ptr<uint8_t>(y);
        for (int x = 0; x < rgb.cols; ++x)
            if (m[x]) {
                for (int c = 0; c < 3; ++c) sum[size_t(c)] += p[3 * x + c];
                n += 1;
            }
    }
    return n > 0 ? Vec3{sum[0] / n, sum[1] / n, sum[2] / n} : Vec3{0, 0, 0};
}

// The core of a mask: at least min(4, 0.6 * inradius) pixels inside (never empty).
cv::Mat coreOf(const cv::Mat& mask) {
    cv::Mat depth;
    cv::distanceTransform(mask, depth, cv::DIST_L2, 3);
    double deepest = 0;
    cv::minMaxLoc(depth, nullptr, &deepest);
    cv::Mat inner = depth >= std::min(4.0, std::max(1.0, 0.6 * deepest));
    if (cv::countNonZero(inner) < 8) inner = mask.clone();
    return inner;
}

ObjFrame measure(const cv::Mat& rgb, const FrameSeg& seg, const Component& comp, const std::vector<Vec3>& bg) {
    ObjFrame o;
    o.present = true;
    cv::Mat compMask = seg.labels == comp.label;
    // The object's pixels near the component (the opening that removed stars also blunts a star's tips),
    // then the edge put where a pixel is nearer the object's colour than the background's: half-way
    // through the anti-aliased or blurred rim, so a soft model output keeps its true outline and area
    // (a fixed distance from the background would fatten soft shapes by a pixel or two).
    cv::Mat grown;
    cv::dilate(compMask, grown, cv::getStructuringElement(cv::MORPH_RECT, {5, 5}));
    cv::Mat rough = seg.raw & grown;
    const Vec3 core = meanOver(rgb, coreOf(rough));
    o.mask = cv::Mat::zeros(rgb.size(), CV_8U);
    for (int y = 0; y < rgb.rows; ++y) {
        const uint8_t* p = rgb.ptr<uint8_t>(y);
        const uint8_t* g = grown.ptr<uint8_t>(y);
        uint8_t* m = o.mask.ptr<uint8_t>(y);
        const Vec3& b = bg[size_t(y)];
        for (int x = 0; x < rgb.cols; ++x) {
            if (!g[x]) continue;
            const Vec3 v{double(p[3 * x]), double(p[3 * x + 1]), double(p[3 * x + 2])};
            m[x] = dist3(v, core) < dist3(v, b) ? 255 : 0;
        }
    }
    if (cv::countNonZero(o.mask) < 8) o.mask = rough;
    const cv::Moments mo = cv::moments(o.mask, true);
    o.area = mo.m00;
    o.x = mo.m10 / std::max(1.0, mo.m00) + 0.5;  // pixel (i, j) covers [i, i+1): centres at +0.5
    o.y = mo.m01 / std::max(1.0, mo.m00) + 0.5;
    // Interior colour: the core of the shape, away from the rim where it blends into the background
    // (one pixel for a crisp render, a few for a soft model output): deep enough for a blur of sigma
    // 1.5, and never empty.
    const cv::Mat inner = coreOf(o.mask);
    const double n = std::max(1, cv::countNonZero(inner));
    o.mean = meanOver(rgb, inner);
    double ss = 0;
    std::array<std::complex<double>, 3> mom{};
    const double cx = o.x - 0.5, cy = o.y - 0.5;
    for (int y = 0; y < rgb.rows; ++y) {
        const uint8_t* p = rgb.ptr<uint8_t>(y);
        const uint8_t* m = inner.ptr<uint8_t>(y);
        const uint8_t* full = o.mask.ptr<uint8_t>(y);
        for (int x = 0; x < rgb.cols; ++x) {
            if (m[x]) {
                const Vec3 v{double(p[3 * x]), double(p[3 * x + 1]), double(p[3 * x + 2])};
                const double d = dist3(v, o.mean);
                ss += d * d;
            }
            if (full[x]) {
                // k-fold moments sum z^k: their phase turns k times as fast as the shape, which gives the
                // orientation of shapes with k-fold symmetry (second moments cannot: they are isotropic).
                const std::complex<double> z(x - cx, y - cy);
                const std::complex<double> z2 = z * z, z3 = z2 * z;
                mom[0] += z3;
                mom[1] += z3 * z;
                mom[2] += z3 * z2;
            }
        }
    }
    o.colorSpread = std::sqrt(ss / n);
    o.moment = mom;
    o.shape = classifyOutline(o.mask, o.solidity, o.fill);
    return o;
}

// Phase of the k-fold moment of the upright shape (renderer angle 0): first vertex straight up.
double uprightPhase(Shape s) {
    const int k = rotationalSymmetry(s);
    const double firstVertex = s == Shape::Square ? -kPi / 4 : -kPi / 2;
    return k * firstVertex;
}

double wrap(double a) {  // to (-pi, pi]
    a = std::fmod(a + kPi, 2 * kPi);
    if (a <= 0) a += 2 * kPi;
    return a - kPi;
}

// ---- motion -------------------------------------------------------------------------------------

struct MotionResult {
    std::optional<Motion> motion;
    bool accelerating = false;
    double confidence = 0;
    std::string reason;
};

double fractionSigned(const std::vector<double>& v, int sign, double deadband) {
    if (v.size() < 2) return 0;
    int n = 0;
    for (size_t i = 1; i < v.size(); ++i) {
        const double d = v[i] - v[i - 1];
        if (sign > 0 ? d > -deadband : d < deadband) ++n;
    }
    return double(n) / double(v.size() - 1);
}

// Whether a downward movement over [a, b] speeds up: speed over the second half against the first.
bool speedsUp(const std::vector<double>& y, int a, int b, double& ratio) {
    if (b - a < 4) return false;
    const int mid = (a + b) / 2;
    const double v1 = (y[size_t(mid)] - y[size_t(a)]) / (mid - a);
    const double v2 = (y[size_t(b)] - y[size_t(mid)]) / (b - mid);
    ratio = v2 / std::max(0.05, v1);
    return v2 > 0 && ratio >= 1.4;
}

MotionResult classifyMotion(const std::vector<TrackPoint>& tr, double rotation, bool rotationKnown, double S) {
    MotionResult r;
    const int F = int(tr.size());
    const int T = F - 1;
    std::vector<double> xs, ys, as;
    for (const auto& p : tr) xs.push_back(p.x), ys.push_back(p.y), as.push_back(p.area);
    auto range = [](const std::vector<double>& v) {
        return *std::max_element(v.begin(), v.end()) - *std::min_element(v.begin(), v.end());
    };
    const double rx = range(xs), ry = range(ys);
    const double dx = xs[size_t(T)] - xs[0], dy = ys[size_t(T)] - ys[0];
    const double aStart = 0.5 * (as[0] + as[1]), aEnd = 0.5 * (as[size_t(T)] + as[size_t(T - 1)]);
    const double logA = std::log(aEnd / aStart);
    const double rotDeg = std::abs(rotation) * 180 / kPi;

    // Bounce: a drop followed by a rise, both clearly larger than jitter.
    double bestDrop = 0, bestRise = 0;
    int bottom = -1;
    for (int t = 1; t < T; ++t) {
        const double drop = ys[size_t(t)] - *std::min_element(ys.begin(), ys.begin() + t + 1);
        const double rise = ys[size_t(t)] - *std::min_element(ys.begin() + t, ys.end());
        if (drop >= 0.12 * S && rise >= 0.06 * S && std::min(drop, rise * 2) > std::min(bestDrop, bestRise * 2)) {
            bestDrop = drop, bestRise = rise, bottom = t;
        }
    }

    if (std::max(rx, ry) <= 0.05 * S) {
        const double grow = fractionSigned(as, +1, 0.02 * aStart), shrink = fractionSigned(as, -1, 0.02 * aStart);
        if (logA >= std::log(1.8) && grow >= 0.75) {
            r.motion = Motion::Growing;
            r.confidence = std::min(1.0, grow * logA / std::log(2.25));
            r.reason = fmt("area x%.2f in place (grows in %.0f%% of steps)", std::exp(logA), 100 * grow);
        } else if (logA <= -std::log(1.8) && shrink >= 0.75) {
            r.motion = Motion::Shrinking;
            r.confidence = std::min(1.0, shrink * -logA / std::log(2.25));
            r.reason = fmt("area x%.2f in place (shrinks in %.0f%% of steps)", std::exp(logA), 100 * shrink);
        } else if (std::abs(logA) <= std::log(1.25) && rotationKnown && rotDeg >= 45) {
            r.motion = Motion::Spinning;
            r.confidence = std::min(1.0, rotDeg / 90);
            r.reason = fmt("turns %.0f degrees in place", rotDeg);
        } else if (std::abs(logA) <= std::log(1.2) && rotDeg < 20) {
            r.motion = Motion::Still;
            r.confidence = 1.0 - std::max(rx, ry) / (0.05 * S);
            r.reason = fmt("stays within %.1f px, area x%.2f, turns %.0f degrees", std::max(rx, ry), std::exp(logA),
                           rotDeg);
        } else {
            r.reason = fmt("stays in place but area x%.2f / turn %.0f degrees fit no motion", std::exp(logA), rotDeg);
        }
        return r;
    }
    if (std::abs(logA) > std::log(1.3)) {
        r.reason = fmt("moves (%.0f, %.0f px) and changes area x%.2f", dx, dy, std::exp(logA));
        return r;
    }
    if (bottom > 0 && rx <= 0.06 * S) {
        r.motion = Motion::Bouncing;
        double ratio = 0;
        const int top = int(std::min_element(ys.begin(), ys.begin() + bottom + 1) - ys.begin());
        r.accelerating = speedsUp(ys, top, bottom, ratio);
        r.confidence = std::min(1.0, bestRise / (0.12 * S));
        r.reason = fmt("drops %.0f px to frame %.0f, then rises %.0f px", bestDrop, bottom, bestRise);
        return r;
    }
    if (rx >= 0.08 * S && ry <= 0.35 * rx) {
        const int sign = dx < 0 ? -1 : 1;
        const double mono = fractionSigned(xs, sign, 0.3);
        if (mono >= 0.85 && std::abs(dx) >= 0.08 * S) {
            r.motion = sign < 0 ? Motion::MovingLeft : Motion::MovingRight;
            r.confidence = mono * std::min(1.0, std::abs(dx) / (0.15 * S));
            r.reason = fmt("moves %.0f px horizontally (%.0f px vertically), monotonic in %.0f%% of steps", dx, dy,
                           100 * mono);
        } else {
            r.reason = fmt("moves horizontally but not steadily (%.0f%% of steps one way)", 100 * mono);
        }
        return r;
    }
    if (ry >= 0.08 * S && rx <= 0.35 * ry) {
        const int sign = dy < 0 ? -1 : 1;
        const double mono = fractionSigned(ys, sign, 0.3);
        if (mono < 0.85 || std::abs(dy) < 0.08 * S) {
            r.reason = fmt("moves vertically but not steadily (%.0f%% of steps one way)", 100 * mono);
            return r;
        }
        if (sign < 0) {
            r.motion = Motion::MovingUp;
            r.confidence = mono * std::min(1.0, -dy / (0.15 * S));
            r.reason = fmt("moves %.0f px up, monotonic in %.0f%% of steps", -dy, 100 * mono);
            return r;
        }
        double ratio = 0;
        r.accelerating = speedsUp(ys, 0, T, ratio);
        if (r.accelerating) {
            r.motion = Motion::Falling;
            r.confidence = std::min(1.0, (ratio - 1.0) / 1.0);
            r.reason = fmt("moves %.0f px down, %.1fx faster in the second half", dy, ratio);
        } else if (ratio >= 0.75 && ratio <= 1.33) {
            r.motion = Motion::MovingDown;
            r.confidence = 1.0 - std::abs(ratio - 1.0) / 0.4;
            r.reason = fmt("moves %.0f px down at a steady speed (second half %.2fx the first)", dy, ratio);
        } else {
            r.reason = fmt("moves %.0f px down with neither steady speed nor acceleration (%.2fx)", dy, ratio);
        }
        return r;
    }
    r.reason = fmt("moves (%.0f, %.0f px) in no single direction", dx, dy);
    return r;
}

// ---- tracking -----------------------------------------------------------------------------------

int mostCommonCount(const std::vector<FrameSeg>& segs) {
    std::vector<int> hist(64, 0);
    for (const auto& s : segs) hist[std::min<size_t>(s.comps.size(), 63)]++;
    return int(std::max_element(hist.begin(), hist.end()) - hist.begin());
}

}  // namespace

Analysis analyse(const media::Clip& clip, const AnalyserOptions& opt) {
    if (clip.frames.size() < 5) throw std::invalid_argument("analyse: a clip needs at least 5 frames");
    const int W = clip.frames[0].width, H = clip.frames[0].height;
    if (W < 16 || H < 16) throw std::invalid_argument("analyse: frames must be at least 16x16");
    std::vector<cv::Mat> frames;
    for (const auto& f : clip.frames) {
        if (f.width != W || f.height != H || f.rgb.size() != size_t(W) * size_t(H) * 3u) {
            throw std::invalid_argument("analyse: every frame must have the same size and W*H*3 bytes");
        }
        frames.emplace_back(H, W, CV_8UC3, const_cast<uint8_t*>(f.rgb.data()));
    }
    const int F = int(frames.size());
    const double S = std::min(W, H);
    const int minArea = std::max(30, int(0.004 * W * H));
    Analysis a;

    const std::vector<Vec3> bgRows = rowBackground(frames);
    const BackgroundMatch bm = classifyBackground(bgRows, opt.max_background_distance);
    a.background = bm.type;
    a.background_distance = bm.distance;
    a.background_confidence = bm.confidence;
    a.reasons.push_back(bm.type ? fmt("background rows %.1f from the nearest prototype", bm.distance)
                                : fmt("background matches no prototype (mean row distance %.1f)", bm.distance));

    std::vector<FrameSeg> segs;
    for (const auto& f : frames) segs.push_back(segment(f, bgRows, opt.foreground_distance, minArea));

    const int K = mostCommonCount(segs);
    a.object_count = K;
    if (K == 0) {
        a.reasons.push_back("no object: nothing stands out from the background in most frames");
    } else if (K > 2) {
        a.reasons.push_back(fmt("%.0f separate patches in most frames: not one or two objects", K));
    }

    // Tracks: components matched frame to frame by nearest centroid; frames with another number of
    // components than K leave the objects missing there (flicker, splits, extra patches).
    const int nObj = (K == 1 || K == 2) ? K : 0;
    std::vector<std::vector<ObjFrame>> obj(static_cast<size_t>(nObj), std::vector<ObjFrame>(static_cast<size_t>(F)));
    std::vector<std::array<double, 2>> last(size_t(nObj), {-1e9, -1e9});
    int missingFrames = 0;
    for (int t = 0; t < F && nObj > 0; ++t) {
        const auto& comps = segs[size_t(t)].comps;
        if (int(comps.size()) != nObj) {
            ++missingFrames;
            continue;
        }
        std::vector<int> order(static_cast<size_t>(nObj));
        std::iota(order.begin(), order.end(), 0);
        if (nObj == 2 && last[0][0] > -1e8) {
            auto d = [&](int j, const Component& c) { return std::hypot(c.cx - last[size_t(j)][0], c.cy - last[size_t(j)][1]); };
            if (d(0, comps[1]) + d(1, comps[0]) < d(0, comps[0]) + d(1, comps[1])) order = {1, 0};
        }
        for (int j = 0; j < nObj; ++j) {
            const Component& c = comps[size_t(order[size_t(j)])];
            obj[size_t(j)][size_t(t)] = measure(frames[size_t(t)], segs[size_t(t)], c, bgRows);
            last[size_t(j)] = {c.cx, c.cy};
        }
    }

    // Clutter: foreground that belongs to no object (a blotchy or grainy background).
    double clutter = 0;
    for (int t = 0; t < F; ++t) {
        cv::Mat rest = segs[size_t(t)].raw.clone();
        for (int j = 0; j < nObj; ++j) {
            const ObjFrame& o = obj[size_t(j)][size_t(t)];
            if (!o.present) continue;
            cv::Mat grown;
            cv::dilate(o.mask, grown, cv::getStructuringElement(cv::MORPH_RECT, {5, 5}));
            rest.setTo(0, grown);
        }
        clutter += cv::countNonZero(rest) / double(W * H);
    }
    clutter /= F;
    if (clutter > opt.max_clutter && a.background) {
        a.reasons.push_back(fmt("background cluttered: %.1f%% of each frame stands out outside the objects",
                                100 * clutter));
        a.background.reset();
        a.background_confidence = 0;
    }

    for (int j = 0; j < nObj; ++j) {
        ObjectAnalysis oa;
        const auto& fr = obj[size_t(j)];
        std::vector<std::string>& why = oa.reasons;
        bool coherent = true;
        if (missingFrames > 0) {
            coherent = false;
            why.push_back(fmt("not one steady set of %.0f object(s): %.0f of %.0f frames differ", nObj, missingFrames, F));
        }
        // Colour: median over frames of the interior means.
        std::vector<double> ch[3];
        double spread = 0;
        int present = 0;
        for (const auto& o : fr) {
            if (!o.present) continue;
            ++present;
            for (int c = 0; c < 3; ++c) ch[c].push_back(o.mean[size_t(c)]);
            spread += o.colorSpread;
        }
        if (present == 0) continue;
        spread /= present;
        for (int c = 0; c < 3; ++c) {
            auto& v = ch[c];
            std::nth_element(v.begin(), v.begin() + long(v.size() / 2), v.end());
            oa.mean_rgb[size_t(c)] = v[v.size() / 2];
        }
        if (spread > 30) {
            coherent = false;
            why.push_back(fmt("colour not uniform inside the object (spread %.0f)", spread));
        }
        // One colour through the clip: an object that changes colour from frame to frame is flicker.
        double drift = 0;
        for (const auto& o : fr)
            if (o.present) drift = std::max(drift, dist3(o.mean, oa.mean_rgb));
        if (drift > 40) {
            coherent = false;
            why.push_back(fmt("colour changes over the clip (a frame %.0f away from the median)", drift));
        }
        // Area: no frame-filling blob; stable apart from a smooth trend.
        std::vector<double> logArea;
        double maxArea = 0, maxStep = 0, maxJump = 0;
        for (int t = 0; t < F; ++t) {
            if (!fr[size_t(t)].present) continue;
            maxArea = std::max(maxArea, fr[size_t(t)].area);
            logArea.push_back(std::log(std::max(1.0, fr[size_t(t)].area)));
            if (t > 0 && fr[size_t(t - 1)].present) {
                maxStep = std::max(maxStep, std::abs(std::log(fr[size_t(t)].area / fr[size_t(t - 1)].area)));
                maxJump = std::max(maxJump, std::hypot(fr[size_t(t)].x - fr[size_t(t - 1)].x, fr[size_t(t)].y - fr[size_t(t - 1)].y));
            }
        }
        if (maxArea > 0.35 * W * H) {
            coherent = false;
            why.push_back(fmt("covers %.0f%% of the frame: not an object", 100 * maxArea / (W * H)));
        }
        if (maxStep > std::log(1.5)) {
            coherent = false;
            why.push_back(fmt("area jumps x%.2f between frames", std::exp(maxStep)));
        }
        if (logArea.size() >= 3) {
            // Residual of a straight line through log(area): a trend (growing) is fine, wobble is not.
            const double n = double(logArea.size());
            double st = 0, sy = 0, stt = 0, sty = 0;
            for (size_t i = 0; i < logArea.size(); ++i) st += double(i), sy += logArea[i], stt += double(i * i), sty += double(i) * logArea[i];
            const double slope = (n * sty - st * sy) / (n * stt - st * st), icpt = (sy - slope * st) / n;
            double worst = 0;
            for (size_t i = 0; i < logArea.size(); ++i) worst = std::max(worst, std::abs(logArea[i] - (icpt + slope * double(i))));
            if (worst > 0.25) {
                coherent = false;
                why.push_back(fmt("area wobbles (x%.2f off its trend)", std::exp(worst)));
            }
        }
        if (maxJump > 0.4 * std::max(W, H)) {
            coherent = false;
            why.push_back(fmt("jumps %.0f px between frames", maxJump));
        }
        // Dominance: the pixels of this colour in the whole clip (foreground, after the opening) lie in
        // this object; the same colour in patches elsewhere means no coherent object.
        // The other object of a two-object clip is not a patch of this one, even in a near colour
        // (orange next to yellow).
        double inside = 0, total = 0;
        const auto kernel = cv::getStructuringElement(cv::MORPH_RECT, {5, 5});
        for (int t = 0; t < F; ++t) {
            const FrameSeg& sg = segs[size_t(t)];
            cv::Mat grown, others = cv::Mat::zeros(H, W, CV_8U);
            if (fr[size_t(t)].present) cv::dilate(fr[size_t(t)].mask, grown, kernel);
            for (int k2 = 0; k2 < nObj; ++k2) {
                if (k2 == j || !obj[size_t(k2)][size_t(t)].present) continue;
                cv::Mat g2;
                cv::dilate(obj[size_t(k2)][size_t(t)].mask, g2, kernel);
                others |= g2;
            }
            for (int y = 0; y < H; ++y) {
                const uint8_t* p = frames[size_t(t)].ptr<uint8_t>(y);
                const int* lab = sg.labels.ptr<int>(y);
                const uint8_t* g = grown.empty() ? nullptr : grown.ptr<uint8_t>(y);
                const uint8_t* other = others.ptr<uint8_t>(y);
                for (int x = 0; x < W; ++x) {
                    if (!lab[x] || (other[x] && !(g && g[x]))) continue;
                    const Vec3 v{double(p[3 * x]), double(p[3 * x + 1]), double(p[3 * x + 2])};
                    if (dist3(v, oa.mean_rgb) > opt.max_color_distance) continue;
                    total += 1;
                    if (g && g[x]) inside += 1;
                }
            }
        }
        oa.dominance = total > 0 ? inside / total : 0;
        if (oa.dominance < opt.min_dominance) {
            coherent = false;
            why.push_back(fmt("holds only %.0f%% of the pixels of its colour (scattered patches)", 100 * oa.dominance));
        }
        oa.coherent = coherent;

        // Palette colour.
        double d1 = 1e9, d2 = 1e9;
        int c1 = 0;
        for (int c = 0; c < kColorCount; ++c) {
            const double d = dist3(oa.mean_rgb, toVec(colorCentre(Color(c))));
            if (d < d1) d2 = d1, d1 = d, c1 = c;
            else if (d < d2) d2 = d;
        }
        oa.color_distance = d1;
        // Shape: vote over frames.
        std::array<int, kShapeCount> votes{};
        for (const auto& o : fr)
            if (o.present && o.shape) votes[size_t(*o.shape)]++;
        const int s1 = int(std::max_element(votes.begin(), votes.end()) - votes.begin());
        const double share = double(votes[size_t(s1)]) / F;
        // Orientation from the k-fold moment of the voted shape; unwrapped frame to frame.
        const Shape voted = Shape(s1);
        const int k = rotationalSymmetry(voted);
        bool rotationKnown = false;
        double cumulative = 0;
        for (int t = 0; t < F; ++t) {
            const ObjFrame& o = fr[size_t(t)];
            TrackPoint p;
            if (o.present) {
                p.x = o.x, p.y = o.y, p.area = o.area;
                if (k > 0) {
                    const auto& m = o.moment[size_t(k - 3)];
                    if (t == 0 || !fr[size_t(t - 1)].present) {
                        cumulative = wrap(std::arg(m) - uprightPhase(voted)) / k;
                    } else {
                        cumulative += wrap(std::arg(m) - std::arg(fr[size_t(t - 1)].moment[size_t(k - 3)])) / k;
                    }
                    p.angle = cumulative;
                    rotationKnown = true;
                }
            }
            oa.track.push_back(p);
        }
        oa.rotation = rotationKnown ? oa.track.back().angle - oa.track.front().angle : 0;

        if (!coherent) {
            why.push_back("no colour, shape or motion credited: the object is not coherent");
        } else {
            if (d1 <= opt.max_color_distance) {
                oa.color = Color(c1);
                oa.color_confidence = std::clamp(1.0 - d1 / d2, 0.0, 1.0);
                why.push_back(fmt("colour (%.0f, %.0f, %.0f)", oa.mean_rgb[0], oa.mean_rgb[1], oa.mean_rgb[2]) +
                              fmt(" is %.0f from ", d1) + colorName(Color(c1)));
            } else {
                why.push_back(fmt("colour (%.0f, %.0f, %.0f) is far from every palette colour", oa.mean_rgb[0],
                                  oa.mean_rgb[1], oa.mean_rgb[2]));
            }
            if (share >= 0.6) {
                oa.shape = voted;
                oa.shape_confidence = share;
                why.push_back(std::string("outline reads ") + shapeName(voted) + fmt(" in %.0f%% of frames", 100 * share));
            } else {
                why.push_back(fmt("outline inconsistent: best shape in only %.0f%% of frames", 100 * share));
            }
            std::vector<TrackPoint> tr = oa.track;
            const MotionResult mr = classifyMotion(tr, oa.rotation, rotationKnown && oa.shape.has_value(), S);
            oa.motion = mr.motion;
            oa.accelerating = mr.accelerating;
            oa.motion_confidence = mr.motion ? std::clamp(mr.confidence, 0.0, 1.0) : 0.0;
            why.push_back(mr.reason);
        }
        a.objects.push_back(std::move(oa));
    }
    // Largest first.
    auto meanArea = [](const ObjectAnalysis& o) {
        double s = 0;
        for (const auto& p : o.track) s += p.area;
        return s;
    };
    std::stable_sort(a.objects.begin(), a.objects.end(),
                     [&](const ObjectAnalysis& x, const ObjectAnalysis& y) { return meanArea(x) > meanArea(y); });
    a.coherent = nObj > 0 && int(a.objects.size()) == nObj &&
                 std::all_of(a.objects.begin(), a.objects.end(), [](const ObjectAnalysis& o) { return o.coherent; });
    if (!a.objects.empty()) {
        const ObjectAnalysis& p = a.objects.front();
        a.color = p.color;
        a.shape = p.shape;
        a.motion = p.motion;
        a.accelerating = p.accelerating;
        a.color_confidence = p.color_confidence;
        a.shape_confidence = p.shape_confidence;
        a.motion_confidence = p.motion_confidence;
    }
    return a;
}

std::string describe(const Analysis& a) {
    std::string s;
    if (a.objects.empty()) {
        s = a.object_count > 2 ? "no object (" + std::to_string(a.object_count) + " patches)" : "no object";
    }
    for (size_t i = 0; i < a.objects.size(); ++i) {
        const ObjectAnalysis& o = a.objects[i];
        if (i) s += " and ";
        if (!o.coherent) {
            s += "incoherent object";
            continue;
        }
        s += o.color ? colorName(*o.color) : "?colour";
        s += " ";
        s += o.shape ? shapeName(*o.shape) : "?shape";
        s += " ";
        s += o.motion ? motionName(*o.motion) : "?motion";
    }
    s += ", ";
    s += a.background ? std::string(backgroundName(*a.background)) + " background" : "?background";
    return s;
}

}  // namespace kinora::world
