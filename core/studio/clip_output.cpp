#include "studio/clip_output.h"

#include "media/export_ops.h"
#include "studio/versions.h"

namespace kinora::studio {

media::Clip toMediaClip(const engine::RgbVideo& video, int fps) {
    media::Clip clip;
    clip.fps_num = fps;
    clip.fps_den = 1;
    const size_t frameBytes = static_cast<size_t>(video.width) * video.height * 3;
    clip.frames.reserve(static_cast<size_t>(video.frames));
    for (int f = 0; f < video.frames; ++f) {
        media::Frame frame;
        frame.width = video.width;
        frame.height = video.height;
        const auto* begin = video.rgb.data() + frameBytes * static_cast<size_t>(f);
        frame.rgb.assign(begin, begin + frameBytes);
        clip.frames.push_back(std::move(frame));
    }
    return clip;
}

media::ProvenanceRecord provenanceFor(const engine::GeneratedClip& clip, const engine::ModelSummary& model,
                                      const std::string& weights_sha256, const std::string& author) {
    const auto& r = clip.request;
    media::ProvenanceRecord rec;
    rec.generator_version = kinoraVersionString().toStdString();
    rec.model = model.name;
    rec.weights_sha256 = weights_sha256;
    rec.author = author;
    rec.prompt = r.prompt;
    rec.negative_prompt = r.negative_prompt;
    if (r.seed) rec.seed = static_cast<int64_t>(*r.seed);
    rec.steps = r.steps;
    rec.guidance = r.guidance;
    rec.sampler = r.sampler;
    if (r.shift) rec.shift = *r.shift;
    rec.width = clip.video.width;
    rec.height = clip.video.height;
    rec.frames = clip.video.frames;
    rec.fps_num = r.fps;
    rec.fps_den = 1;
    return rec;
}

media::ExportResult writeGeneratedClip(const engine::GeneratedClip& clip, const media::ProvenanceRecord& record,
                                       const std::string& path, bool label) {
    const auto format = media::formatForPath(path);
    media::ExportOps ops;
    ops.label = label;
    const auto out = media::applyExportOps(toMediaClip(clip.video, clip.request.fps), ops, path);
    return media::writeClip(out, path, format, record);
}

}  // namespace kinora::studio
