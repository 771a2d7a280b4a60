#include "studio/model_cache.h"

#include <chrono>

namespace kinora::studio {

engine::Pipeline& ModelCache::acquire(const QString& path, double& loadSeconds) {
    loadSeconds = 0;
    if (pipeline_ && path_ == path) return *pipeline_;
    release();  // before loading: the old and the new model together may not fit in memory
    const auto t0 = std::chrono::steady_clock::now();
    pipeline_ = engine::Pipeline::load(path.toStdString(), options_);
    path_ = path;
    loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return *pipeline_;
}

void ModelCache::release() {
    pipeline_.reset();
    path_.clear();
}

}  // namespace kinora::studio
