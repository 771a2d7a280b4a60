// Re-encoding a clip file into the format a user shares: decode, trim / re-time / scale / mark, and
// write with the provenance record carried over. Shared by `kinora export` and the studio's Export
// dialog so the two always give the same file for the same choices.
#pragma once

#include "media/encoder.h"
#include "media/export_ops.h"
#include "studio/error.h"

#include <functional>
#include <optional>
#include <string>

namespace kinora::studio {

struct ClipExportRequest {
    std::string input;   // a clip file (MP4, WebM, GIF, MOV, MKV) or a folder of PNG frames
    std::string output;  // .mp4 .webm .gif, or an existing folder for PNG frames
    // By default the format follows `output` (media::formatForPath). Given, it is used as is: the
    // studio passes PngFrames for a folder that does not exist yet, which is then created whole.
    std::optional<media::Format> format;
    // Trim, scale and the visible mark. ops.fps_num is ignored: the rate comes from `fps` below, whose
    // meaning depends on the source (see there).
    media::ExportOps ops;
    // When the source states its rate: the new rate (frames repeated or dropped). When it does not
    // (a bare PNG folder): the rate its frames are meant to play at, required.
    std::optional<int> fps;
    // The source already has the visible mark drawn in (a history clip made with label=true): it is
    // not drawn a second time, whatever ops.label says.
    bool source_labelled = false;
    int threads = 0;  // encoder threads; 0: every core
};

// The source does not state its frame rate and the request gave none.
class FrameRateUnknown : public StudioError {
public:
    using StudioError::StudioError;
};

struct ClipExportResult {
    media::ExportResult file;        // what was written
    bool record_from_source = false; // the source's provenance record was carried over (else a new one)
    bool mark_drawn = false;         // this export drew the visible mark
};

// Progress is coarse because the encoder reports none of its own: 0.45 when the source is decoded,
// 0.6 when trim/rate/scale/mark are applied, 1.0 when the file is written. Called on the calling
// thread.
using ExportProgress = std::function<void(double fraction)>;

// Throws media::MediaError (bad source, bad output path or extension, impossible trim/scale/rate,
// write failure; nothing is left behind at the output) or FrameRateUnknown.
ClipExportResult exportClip(const ClipExportRequest& request, const ExportProgress& progress = {});

}  // namespace kinora::studio
