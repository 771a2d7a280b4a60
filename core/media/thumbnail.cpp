#include "media/thumbnail.h"

#include "media/encode_internal.h"
#include "media/error.h"
#include "media/safe_file.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstring>

namespace kinora::media {

Frame thumbnailStrip(const Clip& clip, int thumbHeight, int maxThumbs) {
    if (clip.frames.empty()) throw MediaError("cannot make thumbnails of an empty clip");
    if (thumbHeight <= 0 || maxThumbs <= 0) throw MediaError("thumbnail height and count must be positive");
    const Frame& first = clip.frames.front();
    const int count = std::min<int>(maxThumbs, int(clip.frames.size()));
    // Rounded, at least one pixel: very wide clips still get a visible sliver.
    const int thumbWidth = std::max(1, int((int64_t(first.width) * thumbHeight + first.height / 2) / first.height));
    validateSize(thumbWidth * count, thumbHeight, 1, "thumbnail strip");
    Frame strip;
    strip.width = thumbWidth * count;
    strip.height = thumbHeight;
    strip.rgb.assign(size_t(strip.width) * size_t(strip.height) * 3u, 0);
    cv::Mat dst(strip.height, strip.width, CV_8UC3, strip.rgb.data());
    const int last = int(clip.frames.size()) - 1;
    for (int i = 0; i < count; ++i) {
        const int index = count == 1 ? 0 : int((int64_t(i) * last + (count - 1) / 2) / (count - 1));
        const Frame& f = clip.frames[size_t(index)];
        const cv::Mat src(f.height, f.width, CV_8UC3, const_cast<uint8_t*>(f.rgb.data()));
        cv::Mat cell = dst(cv::Rect(i * thumbWidth, 0, thumbWidth, thumbHeight));
        // INTER_AREA averages the source pixels under each thumbnail pixel: no aliasing when shrinking,
        // which is the only direction a thumbnail goes for real clips.
        cv::resize(src, cell, cell.size(), 0, 0, cv::INTER_AREA);
    }
    return strip;
}

void writePngImage(const Frame& image, const std::string& path) {
    detail::PngEncoder encoder(image.width, image.height, path);
    const std::string png = encoder.encode(image, {{"Software", "Kinora"}});
    writeFileAtomically(path, png);
}

}  // namespace kinora::media
