// Frames in memory as the media layer takes and gives them: packed 8-bit RGB, row-major, no padding
// between rows. The engine's float frames are converted into this by a later step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kinora::media {

struct Frame {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> rgb;  // width * height * 3 bytes, R G B per pixel
};

// fps is a rational so that 24000/1001 and 8/1 are both exact; every file keeps it exactly where
// its container can (time base 1/fps), there is no 25 fps default anywhere.
struct Clip {
    std::vector<Frame> frames;
    int fps_num = 8;
    int fps_den = 1;
};

// Limits that keep a bad request from exhausting memory or producing files nothing can play.
inline constexpr int kMaxSide = 8192;                             // pixels per side (H.264 level 6.2 goes to 8192)
inline constexpr double kMaxFps = 240.0;                          // frames per second
inline constexpr double kMinFps = 0.1;                            // one frame every 10 s
inline constexpr uint64_t kMaxClipBytes = uint64_t(2) << 30;      // 2 GiB of RGB for one clip in memory
inline constexpr int kMaxFrames = 100000;

// Throws MediaError (naming `what`, e.g. the file being written) unless the clip is non-empty, every
// frame has the same size within 1..kMaxSide, its buffer holds exactly width*height*3 bytes, the clip
// fits kMaxClipBytes and the frame rate is within kMinFps..kMaxFps.
void validateClip(const Clip& clip, const std::string& what);
void validateFps(int num, int den, const std::string& what);
// Throws unless width x height x frames fits the limits (used before allocating, e.g. for scaling).
void validateSize(int width, int height, int64_t frames, const std::string& what);

inline double fpsValue(int num, int den) { return den == 0 ? 0.0 : double(num) / double(den); }

}  // namespace kinora::media
