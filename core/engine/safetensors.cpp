#include "engine/safetensors.h"

#include "engine/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <set>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kinora::engine {

namespace fs = std::filesystem;
using nlohmann::json;

// ---- dtypes ------------------------------------------------------------------------------------

namespace {

struct DTypeRow {
    StDType dtype;
    const char* name;
    size_t size;
    at::ScalarType scalar;
};

constexpr DTypeRow kDTypes[] = {
    {StDType::F32, "F32", 4, at::kFloat},  {StDType::F16, "F16", 2, at::kHalf},
    {StDType::BF16, "BF16", 2, at::kBFloat16}, {StDType::I64, "I64", 8, at::kLong},
    {StDType::I32, "I32", 4, at::kInt},    {StDType::U8, "U8", 1, at::kByte},
    {StDType::I8, "I8", 1, at::kChar},     {StDType::BOOL, "BOOL", 1, at::kBool},
    {StDType::F64, "F64", 8, at::kDouble},
};

const DTypeRow& row(StDType d) {
    for (const auto& r : kDTypes) {
        if (r.dtype == d) return r;
    }
    return kDTypes[0];
}

std::string errnoText() { return std::strerror(errno); }

}  // namespace

const char* dtypeName(StDType d) { return row(d).name; }
size_t dtypeSize(StDType d) { return row(d).size; }
at::ScalarType toScalarType(StDType d) { return row(d).scalar; }

int64_t StTensorInfo::numel() const {
    int64_t n = 1;
    for (auto s : shape) n *= s;  // validated against overflow at parse time
    return n;
}

// ---- mapping -------------------------------------------------------------------------------------

class MappedFile {
public:
    MappedFile(void* data, size_t size) : data_(static_cast<char*>(data)), size_(size) {}
    ~MappedFile() {
        if (data_ && size_) munmap(data_, size_);
    }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    char* data() const { return data_; }
    size_t size() const { return size_; }

private:
    char* data_;
    size_t size_;
};

// ---- header validation ---------------------------------------------------------------------------

void parseSafetensorsHeader(const std::string& where, const char* text, size_t text_size, uint64_t data_size,
                            std::vector<StTensorInfo>& tensors, std::map<std::string, std::string>& metadata) {
    auto fail = [&where](const std::string& what) { throw EngineError(where + ": " + what); };
    const json header = json::parse(text, text + text_size, nullptr, /*allow_exceptions=*/false);
    if (header.is_discarded()) fail("the header is not valid JSON (corrupt or not a safetensors file)");
    if (!header.is_object()) fail("the header is not a JSON object");

    tensors.clear();
    metadata.clear();
    for (const auto& [name, value] : header.items()) {
        if (name == "__metadata__") {
            if (!value.is_object()) fail("__metadata__ is not an object of strings");
            for (const auto& [k, v] : value.items()) {
                if (!v.is_string()) fail("__metadata__ value of '" + k + "' is not a string");
                metadata[k] = v.get<std::string>();
            }
            continue;
        }
        const std::string t = "tensor '" + name + "'";
        if (!value.is_object()) fail(t + " is not an object");
        const auto dt = value.find("dtype");
        const auto sh = value.find("shape");
        const auto off = value.find("data_offsets");
        if (dt == value.end() || !dt->is_string()) fail(t + " has no dtype string");
        if (sh == value.end() || !sh->is_array()) fail(t + " has no shape array");
        if (off == value.end() || !off->is_array() || off->size() != 2) fail(t + " has no data_offsets pair");

        StTensorInfo info;
        info.name = name;
        const std::string dname = dt->get<std::string>();
        bool known = false;
        for (const auto& r : kDTypes) {
            if (dname == r.name) {
                info.dtype = r.dtype;
                known = true;
            }
        }
        if (!known) fail(t + " has unsupported dtype '" + dname + "' (Kinora reads F32, F16, BF16, F64, I64, I32, I8, U8, BOOL)");

        uint64_t numel = 1;
        for (const auto& d : *sh) {
            if (!d.is_number_integer() || d.get<int64_t>() < 0 || (d.is_number_unsigned() && d.get<uint64_t>() > (1ull << 62))) {
                fail(t + " has a shape entry that is not a non-negative integer");
            }
            const auto dim = d.get<uint64_t>();
            if (__builtin_mul_overflow(numel, dim, &numel) || numel > (1ull << 62)) fail(t + " has a shape whose element count overflows");
            info.shape.push_back(static_cast<int64_t>(dim));
        }
        if (info.shape.size() > 16) fail(t + " has more than 16 dimensions");
        for (const auto& o : *off) {
            if (!o.is_number_integer() || o.get<int64_t>() < 0) fail(t + " has data_offsets that are not non-negative integers");
        }
        info.begin = (*off)[0].get<uint64_t>();
        info.end = (*off)[1].get<uint64_t>();
        uint64_t bytes = 0;
        if (__builtin_mul_overflow(numel, static_cast<uint64_t>(dtypeSize(info.dtype)), &bytes)) {
            fail(t + " is too large");
        }
        if (info.end < info.begin) fail(t + " has data_offsets that end before they begin");
        if (info.end > data_size) {
            fail(t + " has data_offsets [" + std::to_string(info.begin) + ", " + std::to_string(info.end) +
                 ") past the end of the data section (" + std::to_string(data_size) + " bytes): the file is truncated or corrupt");
        }
        if (info.end - info.begin != bytes) {
            fail(t + " occupies " + std::to_string(info.end - info.begin) + " bytes but " + dname + " " +
                 std::to_string(numel) + " elements need " + std::to_string(bytes));
        }
        tensors.push_back(std::move(info));
    }

    std::vector<const StTensorInfo*> byOffset;
    for (const auto& ti : tensors) byOffset.push_back(&ti);
    std::sort(byOffset.begin(), byOffset.end(), [](auto a, auto b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    // As the Python library (Metadata::validate): taken in offset order, the tensors are contiguous from
    // 0 and end exactly at the end of the data section. Anything else means the header does not describe
    // this data: e.g. a header length a few bytes short only cuts the JSON's padding and would silently
    // shift every tensor; bytes after the last tensor are a truncated or mis-joined file.
    uint64_t next = 0;
    for (size_t i = 0; i < byOffset.size(); ++i) {
        const StTensorInfo& ti = *byOffset[i];
        if (ti.begin < next) fail("tensors '" + byOffset[i - 1]->name + "' and '" + ti.name + "' overlap");
        if (ti.begin > next) {
            fail("tensor '" + ti.name + "' starts at data offset " + std::to_string(ti.begin) + " but the previous tensor ends at " +
                 std::to_string(next) + ": safetensors data has no gaps, the header is corrupt");
        }
        next = ti.end;
    }
    if (next != data_size) {
        fail("the tensors end at data offset " + std::to_string(next) + " but the data section has " + std::to_string(data_size) +
             " bytes: the header length is wrong or the file has bytes it should not");
    }
    std::sort(tensors.begin(), tensors.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
}

// ---- SafetensorsFile -------------------------------------------------------------------------------

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
    auto fail = [&path](const std::string& what) { throw EngineError(path + ": " + what); };
    // O_NONBLOCK: opening a FIFO put in place of the file would otherwise wait forever for a writer;
    // the S_ISREG check below then rejects it. It has no effect on regular files.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) fail("cannot open (" + errnoText() + ")");
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        const auto e = errnoText();
        ::close(fd);
        fail("cannot read file status (" + e + ")");
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(S_ISDIR(st.st_mode) ? "is a folder, not a safetensors file" : "is not a regular file");
    }
    const auto size = static_cast<uint64_t>(st.st_size);
    if (size < 8) {
        ::close(fd);
        fail("truncated: " + std::to_string(size) + " bytes, shorter than the 8-byte header length");
    }
    // Copy-on-write private mapping: tensors may be handed out as writable views without ever
    // changing the file.
    void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    const auto mapErr = errnoText();
    ::close(fd);
    if (addr == MAP_FAILED) fail("cannot map into memory (" + mapErr + ")");

    std::shared_ptr<SafetensorsFile> file(new SafetensorsFile);
    file->path_ = path;
    file->map_ = std::make_shared<MappedFile>(addr, size);
    const char* data = file->map_->data();
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(data[i]);
    if (header_len > kMaxSafetensorsHeader) {
        fail("header length " + std::to_string(header_len) + " is over the 100 MiB limit: not a safetensors file or corrupt");
    }
    if (header_len > size - 8) {
        fail("header length " + std::to_string(header_len) + " runs past the end of the file (" + std::to_string(size) +
             " bytes): the file is truncated or not a safetensors file");
    }
    if (header_len < 2 || data[8] != '{') fail("the header does not start with '{': not a safetensors file");
    file->data_start_ = 8 + header_len;
    parseSafetensorsHeader(path, data + 8, header_len, size - file->data_start_, file->tensors_, file->metadata_);
    for (size_t i = 0; i < file->tensors_.size(); ++i) file->index_[file->tensors_[i].name] = i;
    return file;
}

const StTensorInfo* SafetensorsFile::find(const std::string& name) const {
    const auto it = index_.find(name);
    return it == index_.end() ? nullptr : &tensors_[it->second];
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const {
    const auto* info = find(name);
    if (!info) throw EngineError(path_ + ": no tensor named '" + name + "'");
    return tensor(*info);
}

at::Tensor SafetensorsFile::tensor(const StTensorInfo& info) const {
    char* ptr = map_->data() + data_start_ + info.begin;
    const auto opts = at::TensorOptions().dtype(toScalarType(info.dtype));
    if (info.numel() == 0) return at::empty(info.shape, opts);
    if (reinterpret_cast<uintptr_t>(ptr) % dtypeSize(info.dtype) == 0) {
        auto keep = map_;  // the view keeps the mapping alive
        return at::from_blob(ptr, info.shape, [keep](void*) {}, opts);
    }
    auto out = at::empty(info.shape, opts);
    std::memcpy(out.data_ptr(), ptr, info.end - info.begin);
    return out;
}

void SafetensorsFile::release(const StTensorInfo& info) const {
    const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t base = reinterpret_cast<uintptr_t>(map_->data());
    uintptr_t lo = base + data_start_ + info.begin;
    uintptr_t hi = base + data_start_ + info.end;
    lo = (lo + page - 1) / page * page;  // only whole pages inside this tensor's range
    hi = hi / page * page;
    if (hi > lo) madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED);
}

bool SafetensorsFile::isMapped(const void* p) const {
    const char* c = static_cast<const char*>(p);
    return c >= map_->data() && c < map_->data() + map_->size();
}

// ---- Checkpoint ---------------------------------------------------------------------------------------

Checkpoint Checkpoint::open(const std::string& path) {
    Checkpoint cp;
    const bool isIndex = path.size() > 11 && path.compare(path.size() - 11, 11, ".index.json") == 0;
    if (!isIndex) {
        cp.files_.push_back(SafetensorsFile::open(path));
        for (const auto& t : cp.files_[0]->tensors()) cp.entries_[t.name] = {cp.files_[0].get(), &t};
        cp.description_ = path;
        return cp;
    }
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) throw EngineError(path + ": cannot open (" + ec.message() + ")");
    if (size > (64u << 20)) throw EngineError(path + ": index file is over 64 MiB: not a checkpoint index");
    std::string text(size, '\0');
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw EngineError(path + ": cannot open (" + errnoText() + ")");
    const size_t got = std::fread(text.data(), 1, size, f);
    std::fclose(f);
    if (got != size) throw EngineError(path + ": cannot read the whole file");
    const json index = json::parse(text, nullptr, false);
    if (index.is_discarded() || !index.is_object()) throw EngineError(path + ": not valid JSON");
    const auto wm = index.find("weight_map");
    if (wm == index.end() || !wm->is_object()) throw EngineError(path + ": missing key 'weight_map' (an object of tensor name -> shard file)");
    const fs::path dir = fs::path(path).parent_path();
    std::map<std::string, const SafetensorsFile*> shards;
    for (const auto& [name, shard] : wm->items()) {
        if (!shard.is_string()) throw EngineError(path + ": weight_map entry '" + name + "' is not a file name");
        const std::string file = shard.get<std::string>();
        if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..") {
            throw EngineError(path + ": weight_map entry '" + name + "' names '" + file + "', which is not a file beside the index");
        }
        if (!shards.count(file)) {
            cp.files_.push_back(SafetensorsFile::open((dir / file).string()));
            shards[file] = cp.files_.back().get();
        }
        const SafetensorsFile* sf = shards[file];
        const StTensorInfo* info = sf->find(name);
        if (!info) throw EngineError(path + ": tensor '" + name + "' is listed in " + file + " but that shard does not contain it");
        cp.entries_[name] = {sf, info};
    }
    cp.description_ = path + " (" + std::to_string(cp.files_.size()) + " shards)";
    return cp;
}

Checkpoint Checkpoint::openInFolder(const std::string& folder, const std::vector<std::string>& stems) {
    // exists() with an error_code: the throwing overload raises filesystem_error (not EngineError)
    // when the folder cannot be searched (no permission).
    auto present = [](const fs::path& p) {
        std::error_code ec;
        if (fs::exists(p, ec)) return true;
        if (ec && ec != std::errc::no_such_file_or_directory) {
            throw EngineError(p.string() + ": cannot be read (" + ec.message() + ")");
        }
        return false;
    };
    for (const auto& stem : stems) {
        const fs::path single = fs::path(folder) / (stem + ".safetensors");
        if (present(single)) return open(single.string());
        const fs::path index = fs::path(folder) / (stem + ".safetensors.index.json");
        if (present(index)) return open(index.string());
    }
    std::string names;
    for (const auto& stem : stems) names += (names.empty() ? "" : " or ") + stem + ".safetensors";
    throw EngineError(folder + ": no weights found (expected " + names + ", or a sharded .index.json)");
}

const Checkpoint::Entry* Checkpoint::find(const std::string& name) const {
    const auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
}

at::Tensor Checkpoint::tensor(const std::string& name) const {
    const auto* e = find(name);
    if (!e) throw EngineError(description_ + ": no tensor named '" + name + "'");
    return e->file->tensor(*e->info);
}

uint64_t Checkpoint::bytesOnDisk() const {
    uint64_t total = 0;
    std::error_code ec;
    for (const auto& f : files_) total += fs::file_size(f->path(), ec);
    return total;
}

std::string Checkpoint::description() const { return description_; }

// ---- writer ---------------------------------------------------------------------------------------------

void writeSafetensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    std::map<std::string, at::Tensor> sorted;
    for (const auto& [name, t] : tensors) {
        if (name == "__metadata__") throw EngineError(path + ": '__metadata__' cannot be a tensor name");
        if (!sorted.emplace(name, t.detach().to(at::kCPU).contiguous()).second) {
            throw EngineError(path + ": tensor name '" + name + "' given twice");
        }
    }
    json header = json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    uint64_t offset = 0;
    for (const auto& [name, t] : sorted) {
        const DTypeRow* r = nullptr;
        for (const auto& row : kDTypes) {
            if (row.scalar == t.scalar_type()) r = &row;
        }
        if (!r) throw EngineError(path + ": tensor '" + name + "' has a dtype safetensors cannot store here");
        const uint64_t bytes = static_cast<uint64_t>(t.numel()) * r->size;
        header[name] = {{"dtype", r->name}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - (text.size() % 8)) % 8, ' ');  // data section 8-byte aligned, as the Python writer

    const std::string tmp = path + ".tmp-" + std::to_string(getpid());
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw EngineError(path + ": cannot write (" + errnoText() + ")");
    bool ok = true;
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>((static_cast<uint64_t>(text.size()) >> (8 * i)) & 0xff);
    ok = ok && std::fwrite(len, 1, 8, f) == 8;
    ok = ok && std::fwrite(text.data(), 1, text.size(), f) == text.size();
    for (const auto& [name, t] : sorted) {
        const size_t bytes = static_cast<size_t>(t.numel()) * t.element_size();
        ok = ok && (bytes == 0 || std::fwrite(t.data_ptr(), 1, bytes, f) == bytes);
    }
    ok = ok && std::fflush(f) == 0 && fsync(fileno(f)) == 0;
    const std::string err = errnoText();
    ok = (std::fclose(f) == 0) && ok;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw EngineError(path + ": writing failed (" + err + ")");
    }
}

}  // namespace kinora::engine
