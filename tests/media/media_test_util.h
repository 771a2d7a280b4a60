// Shared by the media tests: synthetic clips with smooth motion (not constant frames: encoders
// handle those trivially), PSNR, and ffprobe as an independent reader.
#pragma once

#include "media/decoder.h"
#include "media/frames.h"
#include "media/provenance.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace kinora::media::test {

// Smooth gradients that drift across the frame over time plus a soft moving disc: content like a
// generated clip (no noise), where every frame differs from the previous one.
inline Clip makeClip(int w, int h, int n, int fpsNum = 8, int fpsDen = 1) {
    Clip c;
    c.fps_num = fpsNum;
    c.fps_den = fpsDen;
    const double pi = 3.14159265358979;
    for (int t = 0; t < n; ++t) {
        Frame f;
        f.width = w;
        f.height = h;
        f.rgb.resize(size_t(w) * size_t(h) * 3u);
        const double cx = w * (0.3 + 0.4 * t / std::max(1, n - 1));
        const double cy = h * 0.5;
        const double rad = std::min(w, h) * 0.25;
        for (int y = 0; y < h; ++y) {
            for (int x = 0; x < w; ++x) {
                const double u = double(x) / w, v = double(y) / h, s = double(t) / std::max(1, n);
                double r = 128 + 90 * std::sin(2 * pi * (u + s));
                double g = 128 + 90 * std::cos(2 * pi * (v * 0.8 - s));
                double b = 60 + 140 * (u * 0.5 + v * 0.5);
                const double d = std::hypot(x - cx, y - cy) / rad;
                const double disc = 1.0 / (1.0 + std::exp((d - 1.0) * 6.0));  // soft edge
                r = r * (1 - disc) + 240 * disc;
                g = g * (1 - disc) + 200 * disc;
                b = b * (1 - disc) + 40 * disc;
                uint8_t* p = f.rgb.data() + (size_t(y) * size_t(w) + size_t(x)) * 3u;
                p[0] = uint8_t(std::lround(std::clamp(r, 0.0, 255.0)));
                p[1] = uint8_t(std::lround(std::clamp(g, 0.0, 255.0)));
                p[2] = uint8_t(std::lround(std::clamp(b, 0.0, 255.0)));
            }
        }
        c.frames.push_back(std::move(f));
    }
    return c;
}

// PSNR in dB over all three channels of the region [0,w) x [0,h) shared by both frames; infinity
// for identical frames.
inline double psnr(const Frame& a, const Frame& b, int w = -1, int h = -1) {
    if (w < 0) w = std::min(a.width, b.width);
    if (h < 0) h = std::min(a.height, b.height);
    double se = 0;
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w * 3; ++x) {
            const double d = double(a.rgb[size_t(y) * size_t(a.width) * 3u + size_t(x)]) -
                             double(b.rgb[size_t(y) * size_t(b.width) * 3u + size_t(x)]);
            se += d * d;
        }
    }
    const double mse = se / (double(w) * h * 3);
    return mse == 0 ? INFINITY : 10 * std::log10(255.0 * 255.0 / mse);
}

// 3x3 box blur with clamped edges: roughly what the eye integrates at viewing distance, which is
// what dithering is meant to preserve.
inline Frame boxBlur(const Frame& f) {
    Frame o = f;
    for (int y = 0; y < f.height; ++y) {
        for (int x = 0; x < f.width; ++x) {
            for (int c = 0; c < 3; ++c) {
                int sum = 0;
                for (int dy = -1; dy <= 1; ++dy) {
                    for (int dx = -1; dx <= 1; ++dx) {
                        const int yy = std::clamp(y + dy, 0, f.height - 1), xx = std::clamp(x + dx, 0, f.width - 1);
                        sum += f.rgb[(size_t(yy) * size_t(f.width) + size_t(xx)) * 3u + size_t(c)];
                    }
                }
                o.rgb[(size_t(y) * size_t(f.width) + size_t(x)) * 3u + size_t(c)] = uint8_t((sum + 4) / 9);
            }
        }
    }
    return o;
}

inline QJsonObject ffprobe(const QString& path, const QStringList& extra = {"-show_format", "-show_streams"}) {
    QProcess p;
    QStringList args{"-v", "error", "-of", "json"};
    args << extra << path;
    p.start(QStringLiteral("ffprobe"), args);
    p.waitForFinished(60000);
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

inline std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void writeAll(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

// Every decoded frame's RGB bytes, one after another: what a viewer sees of a clip file, to compare whole.
inline std::vector<uint8_t> decodedRgb(const std::string& path) {
    std::vector<uint8_t> all;
    for (const auto& f : decodeFile(path).clip.frames) all.insert(all.end(), f.rgb.begin(), f.rgb.end());
    return all;
}

// A record as the generation pipeline will fill it, with non-ASCII prompt text.
inline ProvenanceRecord sampleRecord() {
    ProvenanceRecord r;
    r.generator_version = "0.1.0-test";
    r.model = "kinora-tiny";
    r.weights_sha256 = "9f2c3a51e0d4b6c7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d9c0b1";
    r.author = "Test Author";
    r.prompt = "a red fox running through fresh snow, cin\u00e9ma light \u2014 \u72d0";
    r.negative_prompt = "blurry, low quality";
    r.seed = 1234567890123LL;
    r.steps = 20;
    r.guidance = 5.5;
    r.sampler = "unipc";
    r.shift = 3.0;
    return r;
}

}  // namespace kinora::media::test
