#include "studio/job_lock.h"

#include "studio/error.h"

#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace kinora::studio {
namespace {

QString lockPath(const QString& dataDir, int64_t id) {
    return dataDir + QStringLiteral("/locks/%1.lock").arg(id);
}

}  // namespace

JobLock::JobLock(const QString& dataDir, int64_t id) : path_(lockPath(dataDir, id)) {
    QDir().mkpath(dataDir + QStringLiteral("/locks"));
    fd_ = ::open(QFile::encodeName(path_).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
        throw StudioError("cannot create " + path_.toStdString() + ": " + std::strerror(errno) +
                          "; check that the data folder is writable");
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd_);
        throw StudioError("job " + std::to_string(id) + " is being run by another Kinora process");
    }
}

JobLock::~JobLock() {
    // Unlinked while still locked: a checker that opens the file after this sees no file (not held),
    // one that opened it before gets the lock only once this process has finished with the job.
    ::unlink(QFile::encodeName(path_).constData());
    ::close(fd_);
}

bool JobLock::isHeld(const QString& dataDir, int64_t id) {
    const int fd = ::open(QFile::encodeName(lockPath(dataDir, id)).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return held;
}

void JobLock::removeStale(const QString& dataDir, int64_t id) {
    ::unlink(QFile::encodeName(lockPath(dataDir, id)).constData());
}

}  // namespace kinora::studio
