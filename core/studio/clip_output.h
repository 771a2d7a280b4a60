// From a generated clip to the files users share: converts the engine's frames into the media layer's
// clip, builds the provenance record, and writes the file (with the visible mark unless turned off).
// Shared by `kinora generate`, the job worker and the studio's export.
#pragma once

#include "engine/pipeline.h"
#include "media/encoder.h"
#include "media/frames.h"
#include "media/provenance.h"

#include <string>

namespace kinora::studio {

media::Clip toMediaClip(const engine::RgbVideo& video, int fps);

// The record of a generation: every request field, the model and its weights hash, the author.
media::ProvenanceRecord provenanceFor(const engine::GeneratedClip& clip, const engine::ModelSummary& model,
                                      const std::string& weights_sha256, const std::string& author);

// Writes `clip` to `path` (format by extension, or PNG frames for an existing folder) with its record
// and sidecar; draws the visible "AI" mark when `label` is true. Throws media::MediaError.
media::ExportResult writeGeneratedClip(const engine::GeneratedClip& clip, const media::ProvenanceRecord& record,
                                       const std::string& path, bool label);

}  // namespace kinora::studio
