#include "media/test_pattern.h"

#include <algorithm>
#include <cmath>

namespace kinora::media {

Clip movingTestPattern(int width, int height, int frames, int fps_num, int fps_den) {
    validateSize(width, height, frames, "test pattern");
    Clip c;
    c.fps_num = fps_num;
    c.fps_den = fps_den;
    constexpr double pi = 3.14159265358979;
    for (int t = 0; t < frames; ++t) {
        Frame f;
        f.width = width;
        f.height = height;
        f.rgb.resize(size_t(width) * size_t(height) * 3u);
        const double s = double(t) / frames;
        const double cx = width * (0.2 + 0.6 * s), cy = height * (0.5 + 0.2 * std::sin(2 * pi * s));
        const double rad = std::min(width, height) * 0.22;
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x) {
                const double u = double(x) / width, v = double(y) / height;
                const double d = std::hypot(x - cx, y - cy) / rad;
                const double disc = 1.0 / (1.0 + std::exp((d - 1.0) * 6.0));
                const double r = (128 + 90 * std::sin(2 * pi * (u + s))) * (1 - disc) + 240 * disc;
                const double g = (128 + 90 * std::cos(2 * pi * (v * 0.8 - s))) * (1 - disc) + 200 * disc;
                const double b = (60 + 140 * (u + v) * 0.5) * (1 - disc) + 40 * disc;
                uint8_t* p = f.rgb.data() + (size_t(y) * size_t(width) + size_t(x)) * 3u;
                p[0] = uint8_t(std::clamp(r, 0.0, 255.0));
                p[1] = uint8_t(std::clamp(g, 0.0, 255.0));
                p[2] = uint8_t(std::clamp(b, 0.0, 255.0));
            }
        }
        c.frames.push_back(std::move(f));
    }
    return c;
}

}  // namespace kinora::media
