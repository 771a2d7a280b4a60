// A clip as the player shows it: every frame converted once into a QImage (display format) with its
// frame rate and the Kinora record it carries, loaded off the GUI thread.
#pragma once

#include "media/provenance.h"

#include <QImage>
#include <QMetaType>
#include <QString>
#include <QVector>

#include <optional>

namespace kinora::ui {

struct ClipFrames {
    QString path;
    QVector<QImage> frames;  // Format_RGB888, all the same size
    double fps = 8;
    bool fpsKnown = true;  // false for a bare PNG folder (played at 8 fps)
    std::optional<media::ProvenanceRecord> record;
    QString error;  // why it could not be loaded (then frames is empty)

    bool ok() const { return error.isEmpty() && !frames.isEmpty(); }
    int count() const { return int(frames.size()); }
    QSize size() const { return frames.isEmpty() ? QSize() : frames.front().size(); }
};

// Decodes `path` (any clip the media layer reads) into display frames. Never throws: a failure comes
// back in `error`, worded for the person who opened the file. Call from a worker thread.
ClipFrames loadClipFrames(const QString& path);

// The same from RGB24 frames back to back (live previews from the worker).
QVector<QImage> imagesFromRgb(const QByteArray& rgb, int frames, int width, int height);

}  // namespace kinora::ui

Q_DECLARE_METATYPE(kinora::ui::ClipFrames)
