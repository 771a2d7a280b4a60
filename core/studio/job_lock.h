// Who is running a job: the process that runs it holds an flock(2) on <data>/locks/<id>.lock for the
// whole run. The kernel drops the lock when that process dies, however it dies (kill -9 included),
// so "running in the database and nobody holds its lock" means the run was interrupted, while a
// job another live process (the command line beside the studio) is running is left alone.
#pragma once

#include <QString>

#include <cstdint>

namespace kinora::studio {

class JobLock {
public:
    // Creates the lock file and takes the lock; throws StudioError when it cannot (another process
    // holds it, or the folder is not writable).
    JobLock(const QString& dataDir, int64_t id);
    JobLock(const JobLock&) = delete;
    JobLock& operator=(const JobLock&) = delete;
    ~JobLock();  // removes the lock file, then releases the lock

    // True when a live process holds the lock of job `id`. A missing lock file counts as not held.
    static bool isHeld(const QString& dataDir, int64_t id);
    // Removes the lock file of a job whose runner is gone.
    static void removeStale(const QString& dataDir, int64_t id);

private:
    QString path_;
    int fd_ = -1;
};

}  // namespace kinora::studio
