#include "studio/job_files.h"

#include "media/encoder.h"
#include "media/thumbnail.h"
#include "studio/clip_output.h"
#include "studio/error.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace kinora::studio {
namespace {

void fsyncPath(const QString& path) {
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

QString jobFolderFor(int64_t id, int64_t startedMs) {
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(startedMs, Qt::UTC);
    return QStringLiteral("clips/%1/%2/%3")
        .arg(t.date().year(), 4, 10, QLatin1Char('0'))
        .arg(t.date().month(), 2, 10, QLatin1Char('0'))
        .arg(id);
}

QString stagingFolderFor(const QString& jobFolder) {
    const QFileInfo info(jobFolder);
    return info.path() + QStringLiteral("/.") + info.fileName() + QStringLiteral(".partial");
}

void testPause(const char* point) {
    const QByteArray spec = qgetenv("KINORA_TEST_PAUSE");
    const int colon = spec.indexOf(':');
    if (colon < 0 || spec.left(colon) != point) return;
    // Said on stderr so the test knows the moment has come.
    std::fprintf(stderr, "test pause at %s\n", point);
    std::fflush(stderr);
    QThread::msleep(spec.mid(colon + 1).toULong());
}

JobFiles writeJobFiles(const QString& dataDir, const QString& jobFolder, const engine::GeneratedClip& clip,
                       const media::ProvenanceRecord& record, bool label) {
    const QString root = dataDir + QLatin1Char('/');
    const QString staging = root + stagingFolderFor(jobFolder);
    const QString final = root + jobFolder;
    // A staging folder of the same job can only be a crash's leftover.
    QDir(staging).removeRecursively();
    if (!QDir().mkpath(staging)) {
        throw StudioError("cannot create " + staging.toStdString() + "; check that the data folder is writable");
    }
    struct Cleanup {
        QString dir;
        bool armed = true;
        ~Cleanup() {
            if (armed) QDir(dir).removeRecursively();
        }
    } cleanup{staging};

    const auto clipPath = (staging + QStringLiteral("/clip.mp4")).toStdString();
    const auto written = writeGeneratedClip(clip, record, clipPath, label);
    testPause("staged");
    const media::Clip mediaClip = toMediaClip(clip.video, clip.request.fps);
    media::writePngImage(media::thumbnailStrip(mediaClip, kThumbHeight, kThumbCount),
                         (staging + QStringLiteral("/thumbs.png")).toStdString());
    fsyncPath(staging);

    if (QFileInfo::exists(final)) QDir(final).removeRecursively();  // a crash's leftover of this very job
    if (::rename(QFile::encodeName(staging).constData(), QFile::encodeName(final).constData()) != 0) {
        throw StudioError("cannot move " + staging.toStdString() + " to " + final.toStdString() + ": " +
                          std::strerror(errno));
    }
    cleanup.armed = false;
    fsyncPath(QFileInfo(final).path());
    testPause("renamed");
    JobFiles files;
    files.dir = jobFolder;
    files.clip = jobFolder + QStringLiteral("/clip.mp4");
    files.thumbs = jobFolder + QStringLiteral("/thumbs.png");
    files.sidecar = jobFolder + QLatin1Char('/') + QFileInfo(QString::fromStdString(written.sidecar_path)).fileName();
    return files;
}

bool removeJobFolder(const QString& dataDir, const QString& jobFolder) {
    if (jobFolder.isEmpty()) return true;
    const QString root = dataDir + QLatin1Char('/');
    bool ok = true;
    for (const QString& dir : {root + jobFolder, root + stagingFolderFor(jobFolder)}) {
        if (QFileInfo::exists(dir) && !QDir(dir).removeRecursively()) ok = false;
    }
    return ok;
}

}  // namespace kinora::studio
