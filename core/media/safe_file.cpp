#include "media/safe_file.h"

#include "media/error.h"

extern "C" {
#include <libavutil/mem.h>
#include <libavutil/sha.h>
}

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace kinora::media {
namespace fs = std::filesystem;
namespace {

std::string folderOf(const std::string& path) {
    const fs::path p(path);
    const fs::path parent = p.parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

// fsync of a folder makes a rename in it durable. Some file systems refuse fsync on folders
// (EINVAL); that is not an error of ours.
void fsyncFolder(const std::string& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    if (::fsync(fd) != 0 && errno != EINVAL) {
        const int err = errno;
        ::close(fd);
        throwWriteError(folder, err);
    }
    ::close(fd);
}

void writeAll(int fd, const void* data, size_t size, const std::string& reportAs) {
    const auto* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, p, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            throwWriteError(reportAs, errno);
        }
        p += n;
        size -= size_t(n);
    }
}

void fsyncOrThrow(int fd, const std::string& reportAs) {
    if (::fsync(fd) != 0) throwWriteError(reportAs, errno);
}

}  // namespace

std::string adviceForErrno(int err) {
    switch (err) {
    case ENOSPC:
    case EDQUOT: return "free some disk space or choose another folder";
    case EFBIG: return "the file is larger than this system allows; export a shorter or smaller clip";
    case EACCES:
    case EPERM: return "choose a folder you can write to";
    case EROFS: return "the file system is read-only; choose another folder";
    case ENOENT: return "the folder does not exist; create it or choose another one";
    case ENOTDIR: return "part of the path is a file, not a folder; choose another path";
    case EISDIR: return "a folder of that name is in the way; choose another name";
    default: return "check the path and try again";
    }
}

void throwWriteError(const std::string& path, int err) {
    throw MediaError("cannot write " + path + ": " + std::strerror(err) + "; " + adviceForErrno(err));
}

// ---- SafeFile -----------------------------------------------------------------------------------

SafeFile::SafeFile(std::string target) : target_(std::move(target)) {
    const std::string folder = folderOf(target_);
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        throw MediaError("cannot write " + target_ + ": folder " + folder +
                         " does not exist; create it or choose another one");
    }
    if (fs::is_directory(target_, ec)) {
        throw MediaError("cannot write " + target_ + ": it is a folder; choose a file name");
    }
    std::string tmpl = (fs::path(folder) / ("." + fs::path(target_).filename().string() + ".tmp-XXXXXX")).string();
    fd_ = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd_ < 0) throwWriteError(target_, errno);
    temp_ = tmpl;
    // mkstemp creates 0600; an exported clip is meant to be shared, so give it the usual 0644.
    ::fchmod(fd_, 0644);
}

SafeFile::~SafeFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

void SafeFile::write(const void* data, size_t size) { writeAll(fd_, data, size, target_); }

void SafeFile::commit() {
    // Whoever wrote the content (this object or FFmpeg through tempPath()) has closed its own
    // descriptor; fsync on ours flushes the same file.
    fsyncOrThrow(fd_, target_);
    if (::close(fd_) != 0) {
        fd_ = -1;
        throwWriteError(target_, errno);
    }
    fd_ = -1;
    if (::rename(temp_.c_str(), target_.c_str()) != 0) throwWriteError(target_, errno);
    committed_ = true;
    fsyncFolder(folderOf(target_));
}

void writeFileAtomically(const std::string& target, const std::string& bytes) {
    SafeFile f(target);
    f.write(bytes.data(), bytes.size());
    f.commit();
}

// ---- StagedFolder -------------------------------------------------------------------------------

StagedFolder::StagedFolder(std::string target) : target_(std::move(target)) {
    while (target_.size() > 1 && target_.back() == '/') target_.pop_back();
    std::error_code ec;
    target_existed_ = fs::exists(target_, ec);
    std::string tmpl;
    if (target_existed_) {
        if (!fs::is_directory(target_, ec)) {
            throw MediaError("cannot write frames into " + target_ + ": it is a file, not a folder; choose a folder");
        }
        tmpl = (fs::path(target_) / ".kinora-frames.tmp-XXXXXX").string();
    } else {
        const std::string parent = folderOf(target_);
        if (!fs::is_directory(parent, ec)) {
            throw MediaError("cannot write frames into " + target_ + ": folder " + parent +
                             " does not exist; create it or choose another one");
        }
        tmpl = (fs::path(parent) / ("." + fs::path(target_).filename().string() + ".tmp-XXXXXX")).string();
    }
    if (!::mkdtemp(tmpl.data())) throwWriteError(target_, errno);
    staging_ = tmpl;
    ::chmod(staging_.c_str(), 0755);
}

StagedFolder::~StagedFolder() {
    if (committed_ && !target_existed_) return;  // the staging folder became the target
    if (staging_.empty()) return;
    std::error_code ec;
    fs::remove_all(staging_, ec);
}

std::string StagedFolder::stagedPath(const std::string& name) const { return (fs::path(staging_) / name).string(); }

void StagedFolder::addFile(const std::string& name, const std::string& bytes) {
    const std::string path = stagedPath(name);
    const std::string reportAs = (fs::path(target_) / name).string();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throwWriteError(reportAs, errno);
    try {
        writeAll(fd, bytes.data(), bytes.size(), reportAs);
        fsyncOrThrow(fd, reportAs);
    } catch (...) {
        ::close(fd);
        throw;
    }
    if (::close(fd) != 0) throwWriteError(reportAs, errno);
    names_.push_back(name);
}

void StagedFolder::commit() {
    fsyncFolder(staging_);
    if (!target_existed_) {
        if (::rename(staging_.c_str(), target_.c_str()) != 0) throwWriteError(target_, errno);
        committed_ = true;
        fsyncFolder(folderOf(target_));
        return;
    }
    for (const auto& name : names_) {
        const std::string dest = (fs::path(target_) / name).string();
        if (::rename(stagedPath(name).c_str(), dest.c_str()) != 0) throwWriteError(dest, errno);
    }
    committed_ = true;
    fsyncFolder(target_);
    ::rmdir(staging_.c_str());
}

// ---- hashing and reading ------------------------------------------------------------------------

Sha256::Sha256() : ctx_(av_sha_alloc()) {
    if (!ctx_) throw std::bad_alloc();
    av_sha_init(ctx_, 256);
}

Sha256::~Sha256() { av_free(ctx_); }

void Sha256::update(const void* data, size_t size) {
    // av_sha_update takes an unsigned int length in FFmpeg 5.1: feed it in bounded pieces.
    const auto* p = static_cast<const uint8_t*>(data);
    while (size > 0) {
        const size_t n = size < (size_t(1) << 30) ? size : (size_t(1) << 30);
        av_sha_update(ctx_, p, static_cast<unsigned>(n));
        p += n;
        size -= n;
    }
}

std::string Sha256::hexDigest() {
    uint8_t digest[32];
    av_sha_final(ctx_, digest);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (uint8_t b : digest) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

std::string sha256OfBytes(const std::string& bytes) {
    Sha256 h;
    h.update(bytes.data(), bytes.size());
    return h.hexDigest();
}

std::string sha256OfFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw MediaError("cannot read " + path + ": " + std::strerror(errno) + "; check the path");
    Sha256 h;
    std::vector<char> buf(1 << 16);
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            throw MediaError("cannot read " + path + ": " + std::strerror(err) + "; check the file");
        }
        if (n == 0) break;
        h.update(buf.data(), size_t(n));
    }
    ::close(fd);
    return h.hexDigest();
}

std::string readFileBytes(const std::string& path, uint64_t maxBytes) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw MediaError("cannot read " + path + ": " + std::strerror(errno) + "; check the path");
    std::string out;
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            throw MediaError("cannot read " + path + ": " + std::strerror(err) + "; check the file");
        }
        if (n == 0) break;
        if (out.size() + size_t(n) > maxBytes) {
            ::close(fd);
            throw MediaError("cannot read " + path + ": it is larger than " + std::to_string(maxBytes >> 20) +
                             " MiB, too large for this kind of file");
        }
        out.append(buf, size_t(n));
    }
    ::close(fd);
    return out;
}

}  // namespace kinora::media
