#include "ui/clip_frames.h"

#include "media/decoder.h"

#include <QCoreApplication>

#include <cstring>
#include <exception>

namespace kinora::ui {
namespace {

// One frame of packed RGB24 into an image that owns its pixels (QImage rows are 4-byte aligned, so
// row by row); painting later never converts again.
QImage imageFromRgb(const uint8_t* rgb, int width, int height) {
    QImage img(width, height, QImage::Format_RGB888);
    for (int y = 0; y < height; ++y) std::memcpy(img.scanLine(y), rgb + size_t(y) * width * 3, size_t(width) * 3);
    return img;
}

}  // namespace

ClipFrames loadClipFrames(const QString& path) {
    ClipFrames out;
    out.path = path;
    try {
        const media::DecodedClip clip = media::decodeFile(path.toStdString());
        out.frames.reserve(int(clip.clip.frames.size()));
        for (const auto& f : clip.clip.frames) out.frames.push_back(imageFromRgb(f.rgb.data(), f.width, f.height));
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
    const auto* data = reinterpret_cast<const uint8_t*>(rgb.constData());
    for (int i = 0; i < frames; ++i) out.push_back(imageFromRgb(data + frameBytes * i, width, height));
    return out;
}

}  // namespace kinora::ui
