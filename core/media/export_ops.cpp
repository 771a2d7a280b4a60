#include "media/export_ops.h"

#include "media/error.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace kinora::media {
namespace {

cv::Mat view(Frame& f) { return cv::Mat(f.height, f.width, CV_8UC3, f.rgb.data()); }
cv::Mat view(const Frame& f) { return cv::Mat(f.height, f.width, CV_8UC3, const_cast<uint8_t*>(f.rgb.data())); }

int64_t ceilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

struct LabelGeometry {
    double scale;
    int thickness;
    int pad;
    int margin;
    cv::Size text;
    int baseline;
};

LabelGeometry labelGeometry(int height) {
    LabelGeometry g{};
    const int textHeight = std::clamp(int(std::lround(height * 0.06)), 9, 72);
    int base = 0;
    const cv::Size unit = cv::getTextSize("AI", cv::FONT_HERSHEY_SIMPLEX, 1.0, 1, &base);
    g.scale = double(textHeight) / unit.height;
    g.thickness = std::max(1, int(std::lround(textHeight / 10.0)));
    g.text = cv::getTextSize("AI", cv::FONT_HERSHEY_SIMPLEX, g.scale, g.thickness, &g.baseline);
    g.pad = std::max(2, textHeight / 4);
    g.margin = std::max(2, textHeight / 3);
    return g;
}

}  // namespace

Clip trimClip(const Clip& clip, int begin, int end) {
    const int n = int(clip.frames.size());
    if (begin < 0 || end > n || begin >= end) {
        throw MediaError("trim " + std::to_string(begin) + ":" + std::to_string(end) + " is outside the clip's " +
                         std::to_string(n) + " frames; use A:B with 0 <= A < B <= " + std::to_string(n));
    }
    Clip out;
    out.fps_num = clip.fps_num;
    out.fps_den = clip.fps_den;
    out.frames.assign(clip.frames.begin() + begin, clip.frames.begin() + end);
    return out;
}

Clip changeFps(const Clip& clip, int fps_num, int fps_den) {
    validateFps(fps_num, fps_den, "changing the frame rate");
    validateFps(clip.fps_num, clip.fps_den, "the source clip");
    const int64_t n = int64_t(clip.frames.size());
    if (n == 0) throw MediaError("changing the frame rate: the clip has no frames");
    // Output frame j is at t = j * fps_den / fps_num; in source frames that is j * P / Q.
    const int64_t P = int64_t(fps_den) * clip.fps_num;
    const int64_t Q = int64_t(fps_num) * clip.fps_den;
    // round(n * Q / P), halves up, at least one frame.
    const int64_t m = std::max<int64_t>(1, (2 * n * Q + P) / (2 * P));
    if (m > kMaxFrames) {
        throw MediaError("changing the frame rate to " + std::to_string(fps_num) + "/" + std::to_string(fps_den) +
                         " would make " + std::to_string(m) + " frames, more than " + std::to_string(kMaxFrames));
    }
    if (!clip.frames.empty()) {
        validateSize(clip.frames.front().width, clip.frames.front().height, m, "changing the frame rate");
    }
    Clip out;
    out.fps_num = fps_num;
    out.fps_den = fps_den;
    out.frames.reserve(size_t(m));
    for (int64_t j = 0; j < m; ++j) {
        // Nearest source index, ties to the earlier frame: ceil(j*P/Q - 1/2).
        const int64_t i = std::clamp<int64_t>(ceilDiv(2 * j * P - Q, 2 * Q), 0, n - 1);
        out.frames.push_back(clip.frames[size_t(i)]);
    }
    return out;
}

Clip scaleClip(const Clip& clip, int factor) {
    if (factor < 1 || factor > 4) {
        throw MediaError("scale " + std::to_string(factor) + " is not supported; use a whole factor from 1 to 4");
    }
    if (clip.frames.empty()) throw MediaError("scaling: the clip has no frames");
    const int w = clip.frames.front().width * factor;
    const int h = clip.frames.front().height * factor;
    validateSize(w, h, int64_t(clip.frames.size()), "scaling by " + std::to_string(factor));
    if (factor == 1) return clip;
    Clip out;
    out.fps_num = clip.fps_num;
    out.fps_den = clip.fps_den;
    out.frames.reserve(clip.frames.size());
    for (const Frame& f : clip.frames) {
        Frame s;
        s.width = w;
        s.height = h;
        s.rgb.resize(size_t(w) * size_t(h) * 3u);
        cv::Mat dst = view(s);
        cv::resize(view(f), dst, cv::Size(w, h), 0, 0, cv::INTER_LANCZOS4);
        out.frames.push_back(std::move(s));
    }
    return out;
}

LabelRect aiLabelRect(int width, int height) {
    const LabelGeometry g = labelGeometry(height);
    const int bw = g.text.width + 2 * g.pad;
    const int bh = g.text.height + g.baseline + 2 * g.pad;
    const cv::Rect box(width - g.margin - bw, height - g.margin - bh, bw, bh);
    const cv::Rect clipped = box & cv::Rect(0, 0, width, height);
    return LabelRect{clipped.x, clipped.y, clipped.width, clipped.height};
}

void drawAiLabel(Frame& frame) {
    const LabelGeometry g = labelGeometry(frame.height);
    const LabelRect r = aiLabelRect(frame.width, frame.height);
    if (r.width <= 0 || r.height <= 0) return;
    cv::Mat img = view(frame);
    // Darken the box to 35% so white text reads on any content, while the picture still shows through.
    cv::Mat roi = img(cv::Rect(r.x, r.y, r.width, r.height));
    roi.convertTo(roi, -1, 0.35, 0);
    const int bw = g.text.width + 2 * g.pad;
    const int bh = g.text.height + g.baseline + 2 * g.pad;
    const cv::Point origin(frame.width - g.margin - bw + g.pad, frame.height - g.margin - bh + g.pad + g.text.height);
    cv::putText(img, "AI", origin, cv::FONT_HERSHEY_SIMPLEX, g.scale, cv::Scalar(255, 255, 255), g.thickness, cv::LINE_AA);
}

Clip applyExportOps(const Clip& clip, const ExportOps& ops, const std::string& what) {
    validateClip(clip, what);
    const int n = int(clip.frames.size());
    const int end = ops.trim_end < 0 ? n : ops.trim_end;
    if (ops.scale < 1 || ops.scale > 4) {
        throw MediaError(what + ": scale " + std::to_string(ops.scale) + " is not supported; use a whole factor from 1 to 4");
    }
    if (ops.fps_num != 0) validateFps(ops.fps_num, ops.fps_den, what);
    Clip out = (ops.trim_begin == 0 && end == n) ? clip : trimClip(clip, ops.trim_begin, end);
    if (ops.fps_num != 0 && (int64_t(ops.fps_num) * out.fps_den != int64_t(out.fps_num) * ops.fps_den)) {
        out = changeFps(out, ops.fps_num, ops.fps_den);
    }
    if (ops.scale != 1) out = scaleClip(out, ops.scale);
    if (ops.label) {
        for (Frame& f : out.frames) drawAiLabel(f);
    }
    return out;
}

}  // namespace kinora::media
