// Turning clips into the files users share: MP4 (H.264), WebM (VP9), GIF and PNG frame folders, each
// with Kinora's provenance record embedded where the format allows and a `.kinora.json` sidecar,
// always written safely (see safe_file.h).
#pragma once

#include "media/frames.h"
#include "media/provenance.h"

#include <cstdint>
#include <string>

namespace kinora::media {

enum class Format { Mp4, WebM, Gif, PngFrames };

// By the extension of `path` (.mp4 .webm .gif, any case), or PNG frames for an existing folder or a
// path ending in '/' (a new folder, made when the frames are written); throws MediaError naming the
// path and the choices otherwise.
Format formatForPath(const std::string& path);
const char* formatName(Format f);  // "MP4 (H.264)", ...

// Quality settings. The defaults aim at "visually lossless" for Kinora's small clips, which people
// watch enlarged and step through frame by frame:
//  - H.264 CRF 16, preset medium, macroblock tree off (encoder.cpp says why: with it, the same clip
//    could encode differently twice). CRF 18 is the usual "visually lossless" point for natural video;
//    generated clips are small (832x480 and below) and carry fine synthetic texture and flat
//    gradients that show blocking and banding first, so Kinora spends a few more bits: clips are a few
//    seconds long, and the cost stays in the hundreds of KB. Measured on the tests' smooth synthetic
//    content (worst frame PSNR / size for 17 frames, mbtree off): 128x128 CRF 18 45.9 dB 18.7 KB,
//    CRF 16 46.5 dB 22.2 KB, CRF 14 47.1 dB 27.7 KB; 832x480 CRF 18 49.3 dB 313 KB, CRF 16 49.7 dB
//    486 KB, CRF 14 50.2 dB 717 KB. (With mbtree, CRF 14 had given 45.7 dB 18 KB and 49.0 dB 198 KB:
//    CRF 16 without it is better at both sizes.)
//  - VP9 CRF 20 (scale 0-63) in constant-quality mode (no bitrate cap), cpu-used 4 for speed on two
//    cores: 42.6 dB / 8 KB at 128x128, 46.4 dB / 41 KB at 832x480 on the same content.
struct EncodeOptions {
    int h264_crf = 16;
    const char* h264_preset = "medium";
    int vp9_crf = 20;
    int vp9_cpu_used = 4;
    int threads = 0;  // encoder threads; 0: as many as there are cores
};

struct ExportResult {
    std::string path;          // the file (or folder) written
    std::string sidecar_path;  // its .kinora.json
    Format format = Format::Mp4;
    int source_width = 0;   // of the clip given
    int source_height = 0;
    int width = 0;          // as written: H.264 4:2:0 needs even sizes, so odd ones are padded
    int height = 0;
    bool padded = false;    // true when width/height differ from the source (edge pixels repeated)
    int frames = 0;
    int fps_num = 0;
    int fps_den = 1;
    uint64_t bytes = 0;       // size of the file (all frames for a folder)
    std::string sha256;       // as in the sidecar
    ProvenanceRecord record;  // as embedded and in the sidecar
};

// Writes `clip` to `path` in `format` with `record` (its width/height/frames/fps/created are set from
// what is written; the rest is the caller's). Throws MediaError on invalid clips (see frames.h) and on
// any write or encoder error, after removing the temporary file.
ExportResult writeClip(const Clip& clip, const std::string& path, Format format, ProvenanceRecord record,
                       const EncodeOptions& options = {});

}  // namespace kinora::media
