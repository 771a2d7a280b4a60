// What `kinora export` can do to a clip before writing it: trim, change the frame rate, scale, and
// draw the visible "AI" mark. Each returns a new clip and throws MediaError for impossible requests.
#pragma once

#include "media/frames.h"

namespace kinora::media {

// Frames [begin, end) of the clip; 0 <= begin < end <= frame count.
Clip trimClip(const Clip& clip, int begin, int end);

// Resamples to fps_num/fps_den by picking, for each output frame at time t = j / fps, the source
// frame whose timestamp is nearest to t (ties go to the earlier frame). This repeats or drops whole
// frames; it is NOT motion interpolation, so big rate changes look steppy, never smeared. The
// duration is kept: round(frames * new_fps / old_fps) frames, at least one.
Clip changeFps(const Clip& clip, int fps_num, int fps_den);

// Upscales by an integer factor 1..4 with Lanczos (OpenCV INTER_LANCZOS4, an 8x8 windowed-sinc
// kernel). Kinora's clips are small (down to 128x128) and get watched large: Lanczos keeps edges and
// fine texture crisp where bilinear and bicubic blur them, and unlike nearest-neighbour it does not
// turn every pixel into a visible block. Its slight ringing at hard edges is the accepted price.
Clip scaleClip(const Clip& clip, int factor);

// Where the mark goes on a width x height frame: bottom-right corner, about 6% of the height tall
// (at least 9 pixels of text, so it stays legible on 128x128 clips), clipped to the frame.
struct LabelRect {
    int x = 0, y = 0, width = 0, height = 0;
};
LabelRect aiLabelRect(int width, int height);
// Draws "AI" in white on a dark translucent box at aiLabelRect (OpenCV, anti-aliased).
void drawAiLabel(Frame& frame);

struct ExportOps {
    int trim_begin = 0;
    int trim_end = -1;  // -1: to the end
    int fps_num = 0;    // 0: keep the clip's rate
    int fps_den = 1;
    int scale = 1;
    bool label = true;  // the visible mark; the metadata record is written regardless
};

// Trim (in source frames), then frame rate, then scale, then the mark (drawn last so that it is
// crisp at the output size). Checks the size of the result before allocating it.
Clip applyExportOps(const Clip& clip, const ExportOps& ops, const std::string& what);

}  // namespace kinora::media
