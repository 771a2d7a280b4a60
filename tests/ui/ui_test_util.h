// Shared helpers of the UI tests: a job queue on the reference model in a temporary data folder,
// waiting for jobs, and clips written by the media layer.
#pragma once

#include "media/encoder.h"
#include "media/frames.h"
#include "studio/job_queue.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QString>
#include <QTest>

#include <optional>

namespace kinora::test {

inline studio::QueueOptions queueOptions(const QString& dataDir) {
    studio::QueueOptions o;
    o.dataDir = dataDir;
    o.worker.pipeline.threads = 2;
    o.worker.progressIntervalMs = 50;
    return o;
}

// Waits until `spy` (on JobQueue::jobFinished) has seen job `id` finish; returns its state.
inline std::optional<studio::JobState> waitFinished(QSignalSpy& spy, int64_t id, int timeoutMs = 120000) {
    QElapsedTimer t;
    t.start();
    for (;;) {
        for (const auto& args : spy) {
            if (args[0].toLongLong() == id) return args[1].value<studio::JobState>();
        }
        if (t.elapsed() > timeoutMs) return std::nullopt;
        spy.wait(100);
    }
}

// A clip of moving colour bands: every frame differs, so frame counts survive any encoder.
inline media::Clip movingClip(int frames, int width, int height, int fps) {
    media::Clip c;
    c.fps_num = fps;
    c.fps_den = 1;
    for (int i = 0; i < frames; ++i) {
        media::Frame f;
        f.width = width;
        f.height = height;
        f.rgb.resize(size_t(width) * height * 3);
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x) {
                uint8_t* p = &f.rgb[(size_t(y) * width + x) * 3];
                p[0] = uint8_t((x * 255) / std::max(1, width - 1));
                p[1] = uint8_t(((y + i * 4) * 255 / std::max(1, height)) % 256);
                p[2] = uint8_t(i * 30 % 256);
            }
        }
        c.frames.push_back(std::move(f));
    }
    return c;
}

}  // namespace kinora::test
