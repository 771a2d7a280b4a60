#include "studio/versions.h"

#include "engine/runtime.h"
#include "media/media_info.h"
#include "studio/sqlite_info.h"

#include <kinora_version.h>

#include <QtGlobal>

namespace kinora::studio {

QString kinoraVersionString() {
    const QString describe = QStringLiteral(KINORA_GIT_DESCRIBE);
    QString text = QStringLiteral(KINORA_VERSION);
    if (!describe.isEmpty()) text += QStringLiteral(" (%1)").arg(describe);
    return text;
}

Versions versions() {
    Versions v;
    v.kinora = QStringLiteral(KINORA_VERSION);
    v.git_describe = QStringLiteral(KINORA_GIT_DESCRIBE);
    const auto media = media::mediaInfo();
    v.libraries = {
        {QStringLiteral("LibTorch"), QString::fromStdString(engine::runtimeInfo().torch_version)},
        {QStringLiteral("Qt"), QString::fromLatin1(qVersion())},
        {QStringLiteral("FFmpeg"), QString::fromStdString(media.ffmpeg_version)},
        {QStringLiteral("OpenCV"), QString::fromStdString(media.opencv_version)},
        {QStringLiteral("SQLite"), QString::fromStdString(sqliteInfo().version)},
    };
    return v;
}

}  // namespace kinora::studio
