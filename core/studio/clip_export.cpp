#include "studio/clip_export.h"

#include "media/decoder.h"
#include "media/frames.h"
#include "media/provenance.h"
#include "studio/versions.h"

namespace kinora::studio {

ClipExportResult exportClip(const ClipExportRequest& request, const ExportProgress& progress) {
    auto report = [&](double f) {
        if (progress) progress(f);
    };
    // Cheap checks first, so a wrong rate or extension is reported before a long decode.
    if (request.fps) media::validateFps(*request.fps, 1, "frame rate " + std::to_string(*request.fps));
    const media::Format format = request.format ? *request.format : media::formatForPath(request.output);
    const media::DecodedClip src = media::decodeFile(request.input);
    report(0.45);

    media::Clip clip = src.clip;
    media::ExportOps ops = request.ops;
    ops.fps_num = 0;
    ops.fps_den = 1;
    if (!src.fpsKnown()) {
        if (!request.fps) {
            throw FrameRateUnknown(request.input +
                                   " does not say its frame rate (PNG frames without a Kinora record); choose the rate "
                                   "its frames should play at");
        }
        clip.fps_num = *request.fps;  // the rate the frames are meant to play at, not a change
        clip.fps_den = 1;
    } else if (request.fps) {
        ops.fps_num = *request.fps;
    }
    // A history clip made with the mark already carries it; drawing it again would stack two boxes.
    ops.label = request.ops.label && !request.source_labelled;
    const media::Clip out = media::applyExportOps(clip, ops, request.input);
    report(0.6);

    // The source's record when it has one (its generation settings stay; size, rate, length and
    // time are rewritten by writeClip); otherwise an AI-generated record with unknown settings.
    ClipExportResult result;
    media::ProvenanceRecord record;
    if (src.record) {
        record = *src.record;
        result.record_from_source = true;
    } else {
        record.generator_version = kinoraVersionString().toStdString();
    }
    media::EncodeOptions enc;
    enc.threads = request.threads;
    result.file = media::writeClip(out, request.output, format, record, enc);
    result.mark_drawn = ops.label;
    report(1.0);
    return result;
}

}  // namespace kinora::studio
