// Synthetic moving content for benchmarks and checks: smooth drifting gradients and a soft disc that
// crosses the frame, so that every frame differs (encoders make constant frames unrealistically cheap).
#pragma once

#include "media/frames.h"

namespace kinora::media {

Clip movingTestPattern(int width, int height, int frames, int fps_num = 8, int fps_den = 1);

}  // namespace kinora::media
