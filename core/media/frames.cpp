#include "media/frames.h"

#include "media/error.h"

#include <cmath>

namespace kinora::media {

void validateFps(int num, int den, const std::string& what) {
    if (num <= 0 || den <= 0) {
        throw MediaError(what + ": frame rate " + std::to_string(num) + "/" + std::to_string(den) +
                         " is not positive; use a frame rate from 1 to 240");
    }
    const double fps = fpsValue(num, den);
    if (fps < kMinFps || fps > kMaxFps) {
        throw MediaError(what + ": frame rate " + std::to_string(num) + "/" + std::to_string(den) +
                         " is out of range; use a frame rate from 1 to 240");
    }
}

void validateSize(int width, int height, int64_t frames, const std::string& what) {
    if (width <= 0 || height <= 0) {
        throw MediaError(what + ": frame size " + std::to_string(width) + "x" + std::to_string(height) +
                         " is empty; frames need at least 1x1 pixels");
    }
    if (width > kMaxSide || height > kMaxSide) {
        throw MediaError(what + ": frame size " + std::to_string(width) + "x" + std::to_string(height) +
                         " exceeds " + std::to_string(kMaxSide) + " pixels per side; use a smaller size or scale");
    }
    if (frames <= 0) throw MediaError(what + ": the clip has no frames");
    if (frames > kMaxFrames) {
        throw MediaError(what + ": " + std::to_string(frames) + " frames exceed the limit of " +
                         std::to_string(kMaxFrames) + "; trim the clip");
    }
    const uint64_t bytes = uint64_t(width) * uint64_t(height) * 3u * uint64_t(frames);
    if (bytes > kMaxClipBytes) {
        throw MediaError(what + ": " + std::to_string(frames) + " frames of " + std::to_string(width) + "x" +
                         std::to_string(height) + " need " + std::to_string(bytes >> 20) +
                         " MiB, more than the 2048 MiB limit; trim the clip or use a smaller scale");
    }
}

void validateClip(const Clip& clip, const std::string& what) {
    if (clip.frames.empty()) throw MediaError(what + ": the clip has no frames");
    const Frame& f0 = clip.frames.front();
    validateSize(f0.width, f0.height, int64_t(clip.frames.size()), what);
    validateFps(clip.fps_num, clip.fps_den, what);
    for (size_t i = 0; i < clip.frames.size(); ++i) {
        const Frame& f = clip.frames[i];
        if (f.width != f0.width || f.height != f0.height) {
            throw MediaError(what + ": frame " + std::to_string(i) + " is " + std::to_string(f.width) + "x" +
                             std::to_string(f.height) + " but frame 0 is " + std::to_string(f0.width) + "x" +
                             std::to_string(f0.height) + "; every frame of a clip must have the same size");
        }
        if (f.rgb.size() != size_t(f.width) * size_t(f.height) * 3u) {
            throw MediaError(what + ": frame " + std::to_string(i) + " holds " + std::to_string(f.rgb.size()) +
                             " bytes, not width*height*3 = " +
                             std::to_string(size_t(f.width) * size_t(f.height) * 3u));
        }
    }
}

}  // namespace kinora::media
