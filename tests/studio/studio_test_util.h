// Shared helpers of the studio tests: requests for the reference model, jobs with given text.
#pragma once

#include "studio/history_db.h"

#include <QDir>
#include <QFile>
#include <QString>

namespace kinora::test {

inline QString referenceModelDir() { return QStringLiteral(KINORA_TEST_DATA_DIR "/wan-tiny/tiny-wan2.1-t2v"); }

// A request as prepareRequest would give for the reference model, without reading the model.
inline studio::JobRequest textRequest(const QString& prompt, const QString& negative = {}) {
    studio::JobRequest r;
    r.prompt = prompt;
    r.negative_prompt = negative;
    r.model = QStringLiteral("tiny-wan2.1-t2v");
    r.model_path = referenceModelDir();
    r.weights_sha256 = QStringLiteral("0");
    r.seed = 7;
    r.steps = 2;
    r.guidance = 5;
    r.sampler = QStringLiteral("unipc");
    r.shift = 3;
    r.width = 32;
    r.height = 32;
    r.frames = 5;
    r.fps = 8;
    return r;
}

inline QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline bool writeAll(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

// Every file under `dir` (relative paths), hidden ones included.
inline QStringList filesUnder(const QString& dir) {
    QStringList out;
    QDir d(dir);
    for (const auto& e : d.entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot | QDir::System)) {
        if (e.isDir()) {
            for (const auto& sub : filesUnder(e.filePath())) out << e.fileName() + QLatin1Char('/') + sub;
            out << e.fileName() + QLatin1Char('/');
        } else {
            out << e.fileName();
        }
    }
    return out;
}

}  // namespace kinora::test
