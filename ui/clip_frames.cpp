#include "ui/clip_frames.h"

#include "media/decoder.h"

#include <QCoreApplication>

#include <cstring>
#include <exception>

namespace kinora::ui {

ClipFrames loadClipFrames(const QString& path) {
    ClipFrames out;
    out.path = path;
    try {
        const media::DecodedClip clip = media::decodeFile(path.toStdString());
        out.frames.reserve(int(clip.clip.frames.size()));
        for (const auto& f : clip.clip.frames) {
            // One copy into an image that owns its pixels; painting later never converts again.
            QImage img(f.width, f.height, QImage::Format_RGB888);
            for (int y = 0; y < f.height; ++y) {
                std::memcpy(img.scanLine(y), f.rgb.data() + size_t(y) * f.width * 3, size_t(f.width) * 3);
            }
            out.frames.push_back(std::move(img));
        }
        out.fpsKnown = clip.fpsKnown();
        out.fps = clip.fpsKnown() ? media::fpsValue(clip.clip.fps_num, clip.clip.fps_den) : 8.0;
        out.record = clip.record;
        if (out.frames.isEmpty()) {
            out.error = QCoreApplication::translate("ClipFrames", "%1 holds no frames.").arg(path);
        }
    } catch (const std::exception& e) {
        out.frames.clear();
        out.error = QCoreApplication::translate("ClipFrames", "Cannot open %1: %2").arg(path, QString::fromUtf8(e.what()));
    }
    return out;
}

QVector<QImage> imagesFromRgb(const QByteArray& rgb, int frames, int width, int height) {
    QVector<QImage> out;
    const qsizetype frameBytes = qsizetype(width) * height * 3;
    if (frames <= 0 || width <= 0 || height <= 0 || rgb.size() != frameBytes * frames) return out;
    out.reserve(frames);
    for (int i = 0; i < frames; ++i) {
        QImage img(width, height, QImage::Format_RGB888);
        const char* src = rgb.constData() + frameBytes * i;
        for (int y = 0; y < height; ++y) std::memcpy(img.scanLine(y), src + qsizetype(y) * width * 3, size_t(width) * 3);
        out.push_back(std::move(img));
    }
    return out;
}

}  // namespace kinora::ui
