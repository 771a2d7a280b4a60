// What the media layer runs on: FFmpeg and OpenCV versions and the encoders Kinora needs.
#pragma once

#include <string>
#include <vector>

namespace kinora::media {

struct EncoderStatus {
    std::string name;     // FFmpeg encoder name, e.g. "libx264"
    std::string purpose;  // what Kinora uses it for, e.g. "MP4 (H.264)"
    bool available = false;
};

struct MediaInfo {
    std::string ffmpeg_version;  // av_version_info()
    std::string libavcodec_version;
    std::string libavformat_version;
    std::string libavfilter_version;
    std::string opencv_version;
    std::vector<EncoderStatus> encoders;  // every encoder Kinora's export formats need
};

MediaInfo mediaInfo();

}  // namespace kinora::media
