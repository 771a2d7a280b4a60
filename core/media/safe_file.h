// Writing safely: readers (and a crash) see either the old file or the complete new one, never half
// of one. Each output is written to a temporary file in the target's own folder (same file system,
// so the final rename is atomic), flushed and fsync'ed, renamed over the target, and the folder is
// fsync'ed so the rename itself survives a power cut. On any error the temporary file is removed and
// an existing target is left as it was; the MediaError names the file and what to do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

struct AVSHA;  // libavutil/sha.h

namespace kinora::media {

class SafeFile {
public:
    // Creates `.<name>.tmp-XXXXXX` beside `target` (mode 0644). Throws MediaError if the folder is
    // missing or not writable.
    explicit SafeFile(std::string target);
    SafeFile(const SafeFile&) = delete;
    SafeFile& operator=(const SafeFile&) = delete;
    ~SafeFile();  // removes the temporary file unless commit() succeeded

    const std::string& target() const { return target_; }
    const std::string& tempPath() const { return temp_; }

    void write(const void* data, size_t size);  // appends to the temporary file
    // fsync the temporary file, rename it over the target, fsync the folder.
    void commit();

private:
    std::string target_;
    std::string temp_;
    int fd_ = -1;
    bool committed_ = false;
};

// Writes `bytes` to `target` through a SafeFile.
void writeFileAtomically(const std::string& target, const std::string& bytes);

// A folder of files written together (PNG frame sequences). When the target folder does not exist
// yet, the files are written into a temporary sibling folder that is renamed into place as a whole
// (atomic). When it exists (the user named an existing folder), the files are first all written and
// fsync'ed in a temporary folder inside it, and then each is renamed into place (each rename atomic,
// the set not); an error before that point leaves the folder's old files untouched.
class StagedFolder {
public:
    explicit StagedFolder(std::string target);
    StagedFolder(const StagedFolder&) = delete;
    StagedFolder& operator=(const StagedFolder&) = delete;
    ~StagedFolder();  // removes the staging folder and whatever is in it unless committed

    const std::string& target() const { return target_; }
    void addFile(const std::string& name, const std::string& bytes);  // written and fsync'ed now
    std::string stagedPath(const std::string& name) const;
    void commit();

private:
    std::string target_;
    std::string staging_;
    bool target_existed_ = false;
    bool committed_ = false;
    std::vector<std::string> names_;
};

// Throws MediaError "cannot write <path>: <reason>; <what to do>" for an errno value.
[[noreturn]] void throwWriteError(const std::string& path, int err);
std::string adviceForErrno(int err);

// SHA-256 (libavutil's AVSHA) as 64 lowercase hex digits.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(const void* data, size_t size);
    std::string hexDigest();  // finishes the hash

private:
    ::AVSHA* ctx_;
};
std::string sha256OfFile(const std::string& path);
std::string sha256OfBytes(const std::string& bytes);

// The whole file as bytes; throws MediaError naming the file if it cannot be read.
std::string readFileBytes(const std::string& path, uint64_t maxBytes);

}  // namespace kinora::media
