// Loading a module's parameters from a checkpoint, matched by name and shape.
#pragma once

#include "engine/safetensors.h"

#include <torch/nn/module.h>

#include <functional>
#include <string>
#include <vector>

namespace kinora::engine {

struct LoadOptions {
    at::ScalarType dtype = at::kFloat;  // compute dtype; F16/BF16/F32 weights are converted to it
    // Checkpoint names that are known and deliberately not used (e.g. a duplicate embedding copy).
    std::function<bool(const std::string&)> ignore;
    // Checkpoint name to look up for a module name, when they differ; returns "" for "same name".
    std::function<std::string(const std::string&)> alias;
    std::string what;  // the component, for messages, e.g. "text_encoder (UMT5)"
};

struct LoadReport {
    size_t tensors = 0;
    int64_t parameters = 0;
    size_t zero_copy = 0;  // tensors used in place from the memory map
};

// Every parameter and buffer of `module` must be in `checkpoint` with the same shape, and every tensor
// of the checkpoint must be used (or ignored); otherwise throws EngineError listing missing, unexpected
// and mis-shaped names (the first 10 of each, then a count). Tensors whose stored dtype is the compute
// dtype are used zero-copy; others are converted one at a time and their mapped pages released, so
// loading never holds two copies of the weights.
LoadReport loadWeights(torch::nn::Module& module, const Checkpoint& checkpoint, const LoadOptions& options);

// loadWeights' name, shape and dtype checks alone (same EngineError), touching no tensor data: used on a
// model built under ShapeOnlyParameters before the real one is allocated.
void checkWeights(const torch::nn::Module& module, const Checkpoint& checkpoint, const LoadOptions& options);

}  // namespace kinora::engine
