#include "studio/job_request.h"

#include "studio/model_catalog.h"

#include <QHash>
#include <QDateTime>
#include <QFileInfo>
#include <QMutex>

#include <mutex>

#include <random>

namespace kinora::studio {
namespace {

// Hashing weights reads them; a studio queueing ten variations must not read them ten times. Keyed by
// folder and the weight files' sizes and times, so a replaced model is hashed again.
QString cachedWeightsHash(const engine::ModelSummary& model) {
    static QMutex mutex;
    static QHash<QString, QString> cache;
    QString key = QString::fromStdString(model.path);
    for (const auto& c : model.components) {
        for (const auto& f : c.files) {
            const QFileInfo info(QString::fromStdString(f));
            key += QStringLiteral("|%1:%2").arg(info.size()).arg(info.lastModified().toMSecsSinceEpoch());
        }
    }
    {
        QMutexLocker lock(&mutex);
        const auto it = cache.constFind(key);
        if (it != cache.constEnd()) return *it;
    }
    const QString hash = weightsHash(model);
    QMutexLocker lock(&mutex);
    cache.insert(key, hash);
    return hash;
}

}  // namespace

uint64_t randomSeed() {
    static std::mutex mutex;
    static std::mt19937_64 gen{std::random_device{}()};
    std::lock_guard<std::mutex> lock(mutex);
    return gen() >> 1;
}

JobRequest prepareRequest(const engine::GenerationRequest& request, const QString& model, const QString& dataDir,
                          bool label) {
    const auto summary = resolveModel(model, dataDir);
    const auto r = engine::resolveRequest(request, summary);
    JobRequest j;
    j.prompt = QString::fromStdString(r.prompt);
    j.negative_prompt = QString::fromStdString(r.negative_prompt);
    j.model = QString::fromStdString(summary.name);
    j.model_path = QString::fromStdString(summary.path);
    j.weights_sha256 = cachedWeightsHash(summary);
    j.seed = request.seed ? *request.seed : randomSeed();
    j.steps = r.steps;
    j.guidance = r.guidance;
    j.sampler = QString::fromStdString(r.sampler);
    j.shift = r.shift.value_or(summary.defaults.shift);
    j.width = r.width;
    j.height = r.height;
    j.frames = r.frames;
    j.fps = r.fps;
    j.label = label;
    return j;
}

engine::GenerationRequest toEngineRequest(const JobRequest& r) {
    engine::GenerationRequest g;
    g.prompt = r.prompt.toStdString();
    g.negative_prompt = r.negative_prompt.toStdString();
    g.width = r.width;
    g.height = r.height;
    g.frames = r.frames;
    g.steps = r.steps;
    g.guidance = r.guidance;
    g.seed = r.seed;
    g.sampler = r.sampler.toStdString();
    g.shift = r.shift;
    g.fps = r.fps;
    return g;
}

}  // namespace kinora::studio
