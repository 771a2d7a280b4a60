// Reading clips back for the player and for re-export: MP4, WebM, GIF, MOV/MKV and PNG frame folders
// (frame_*.png) into RGB frames with their timestamps, every frame in order, none dropped or repeated.
#pragma once

#include "media/frames.h"
#include "media/provenance.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kinora::media {

struct DecodedClip {
    Clip clip;                       // fps_num == 0 when the file does not say (a bare PNG folder)
    std::vector<double> timestamps;  // seconds from the first frame, one per frame
    std::string container;           // FFmpeg's demuxer name, or "png frames" for a folder
    std::string codec;               // e.g. "h264", "vp9", "gif", "png"
    std::map<std::string, std::string> tags;   // container tags (keys lower-case); PNG: tEXt of frame 0
    std::optional<ProvenanceRecord> record;    // Kinora's record: embedded, else from the sidecar
    std::string record_source;                 // "embedded", "sidecar" or empty
    int width = 0;
    int height = 0;
    bool fpsKnown() const { return clip.fps_num > 0; }
};

// Decodes every frame. Throws MediaError for a missing file, a file that is not a video, a
// truncated or damaged one (including fewer frames than the container or Kinora's record promise),
// or one beyond the size limits of frames.h.
DecodedClip decodeFile(const std::string& path);

// Container tags (keys lower-case) without decoding the video; for PNG the tEXt chunks of the image.
std::map<std::string, std::string> readTags(const std::string& path);

// The frame_<n>.png files of a folder ordered by n. Throws MediaError when a number is missing in
// the run from 0.
std::vector<std::string> listPngFrames(const std::string& folder);
// N for a file name "frame_N.png" (1 to 9 digits), else -1.
long frameNumberOf(const std::string& fileName);

}  // namespace kinora::media
