// The thumbnail strip the history shows for a clip: a few frames, scaled to a fixed height and laid
// side by side in one PNG, so a list of thousands of clips can show motion without decoding video.
#pragma once

#include "media/frames.h"

#include <string>

namespace kinora::media {

// Up to `maxThumbs` frames spread evenly over the clip (first and last included), each scaled to
// `thumbHeight` pixels high keeping the aspect ratio (area averaging), placed left to right.
// Throws MediaError for an empty clip or a non-positive size.
Frame thumbnailStrip(const Clip& clip, int thumbHeight, int maxThumbs);

// Writes `image` as a PNG file through SafeFile (complete or absent, never half written).
void writePngImage(const Frame& image, const std::string& path);

}  // namespace kinora::media
