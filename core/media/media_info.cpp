#include "media/media_info.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
}
#include <opencv2/core/version.hpp>

namespace kinora::media {
namespace {

std::string versionString(unsigned v) {
    return std::to_string(AV_VERSION_MAJOR(v)) + "." + std::to_string(AV_VERSION_MINOR(v)) + "." +
           std::to_string(AV_VERSION_MICRO(v));
}

}  // namespace

MediaInfo mediaInfo() {
    MediaInfo info;
    info.ffmpeg_version = av_version_info();
    info.libavcodec_version = versionString(avcodec_version());
    info.libavformat_version = versionString(avformat_version());
    info.libavfilter_version = versionString(avfilter_version());
    info.opencv_version = CV_VERSION;
    const std::pair<const char*, const char*> wanted[] = {
        {"libx264", "MP4 (H.264)"},
        {"libvpx-vp9", "WebM (VP9)"},
        {"gif", "GIF"},
        {"png", "PNG frames"},
    };
    for (const auto& [name, purpose] : wanted) {
        info.encoders.push_back({name, purpose, avcodec_find_encoder_by_name(name) != nullptr});
    }
    return info;
}

}  // namespace kinora::media
