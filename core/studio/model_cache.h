// The one model the worker keeps in memory. Loading takes seconds to minutes for real models, so it
// stays loaded between jobs of the same model; it is released before another model is loaded (two
// would not fit in memory on most machines) and when the worker has been idle for a while.
#pragma once

#include "engine/pipeline.h"

#include <QString>

#include <memory>

namespace kinora::studio {

class ModelCache {
public:
    explicit ModelCache(engine::PipelineOptions options) : options_(std::move(options)) {}

    // The pipeline for the model folder `path`, loading it (after releasing another) when needed.
    // `loadSeconds` is set to the time spent loading, 0 when it was already loaded.
    engine::Pipeline& acquire(const QString& path, double& loadSeconds);
    void release();
    bool loaded() const { return pipeline_ != nullptr; }
    const QString& loadedPath() const { return path_; }

private:
    engine::PipelineOptions options_;
    std::unique_ptr<engine::Pipeline> pipeline_;
    QString path_;
};

}  // namespace kinora::studio
