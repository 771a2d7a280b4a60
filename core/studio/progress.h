// What the worker tells listeners about the running job, and how often: signals carry these structs,
// and ProgressThrottle keeps them to about 20 a second so a fast model cannot flood the UI thread.
#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

#include <cstdint>

namespace kinora::studio {

struct JobProgress {
    int64_t id = 0;
    QString stage;  // "loading model", "encoding prompt", "denoising", "decoding", "encoding"
    int step = 0;   // denoising steps done
    int total = 0;
    double elapsed = 0;  // seconds since the job started
    double eta = 0;      // seconds left (denoising), 0 when unknown
    // When the worker emitted it (QElapsedTimer::msecsSinceReference, the monotonic clock): listeners
    // receive queued signals later, and this tells what the worker had done by a given moment.
    int64_t emitted_ms = 0;
};

// The clip's current estimate after a step, at latent resolution, RGB24 frames back to back.
struct PreviewFrames {
    int64_t id = 0;
    int step = 0;
    int frames = 0, width = 0, height = 0;
    QByteArray rgb;
};

// Lets an event through when at least `intervalMs` passed since the last one that went through, or
// when it is forced (the first and last step, a new stage: those must never be dropped).
class ProgressThrottle {
public:
    explicit ProgressThrottle(int64_t intervalMs) : interval_(intervalMs) {}
    bool allow(int64_t nowMs, bool force) {
        if (!force && last_ >= 0 && nowMs - last_ < interval_) return false;
        last_ = nowMs;
        return true;
    }
    void reset() { last_ = -1; }

private:
    int64_t interval_;
    int64_t last_ = -1;
};

}  // namespace kinora::studio

Q_DECLARE_METATYPE(kinora::studio::JobProgress)
Q_DECLARE_METATYPE(kinora::studio::PreviewFrames)
