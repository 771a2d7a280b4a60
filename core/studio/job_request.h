// From what a person asks for (a prompt, some settings, a model name) to a JobRequest the history can
// store and re-run exactly: the model resolved, every default filled in, a seed chosen.
#pragma once

#include "engine/pipeline.h"
#include "studio/job.h"

namespace kinora::studio {

// Resolves the model (name or folder) and the request against it without loading weights; throws
// StudioError or engine::EngineError with what is wrong. An unset seed gets a random one.
JobRequest prepareRequest(const engine::GenerationRequest& request, const QString& model, const QString& dataDir,
                          bool label);

// A random seed in 0 .. 2^63-1 (the range `kinora generate --seed` accepts, so it can be typed back).
uint64_t randomSeed();

engine::GenerationRequest toEngineRequest(const JobRequest& r);

}  // namespace kinora::studio
