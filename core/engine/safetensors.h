// safetensors files: a memory-mapped reader that validates the whole header before any tensor is made,
// sharded checkpoints (*.safetensors.index.json), and a writer whose files the Python library reads.
// Format: 8-byte little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets},
// "__metadata__": {str: str}}, then the data section; offsets are relative to the data section.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kinora::engine {

enum class StDType { F32, F16, BF16, I64, I32, U8, I8, BOOL, F64 };

struct StTensorInfo {
    std::string name;
    StDType dtype = StDType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0;  // byte offsets inside the data section
    uint64_t end = 0;
    int64_t numel() const;
};

constexpr uint64_t kMaxSafetensorsHeader = 100ull << 20;  // 100 MiB, as the Python library

const char* dtypeName(StDType d);
size_t dtypeSize(StDType d);
at::ScalarType toScalarType(StDType d);

class MappedFile;

// One .safetensors file, mapped read-only (copy-on-write), validated at open.
class SafetensorsFile {
public:
    // Throws EngineError naming `path` and the problem.
    static std::shared_ptr<SafetensorsFile> open(const std::string& path);

    const std::string& path() const { return path_; }
    const std::vector<StTensorInfo>& tensors() const { return tensors_; }
    const StTensorInfo* find(const std::string& name) const;
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

    // The tensor with its stored dtype. Zero-copy (a view of the mapping that keeps the file mapped)
    // when the data is suitably aligned, else a copy.
    at::Tensor tensor(const std::string& name) const;
    at::Tensor tensor(const StTensorInfo& info) const;

    // Drops the mapped pages of `info` from memory (they are re-read from disk if needed again);
    // used after a tensor was converted into a parameter, so loading never holds two copies.
    void release(const StTensorInfo& info) const;

    // Whether `p` points into this file's mapping (a zero-copy tensor).
    bool isMapped(const void* p) const;

private:
    SafetensorsFile() = default;
    std::string path_;
    std::shared_ptr<MappedFile> map_;
    uint64_t data_start_ = 0;
    std::vector<StTensorInfo> tensors_;
    std::map<std::string, size_t> index_;
    std::map<std::string, std::string> metadata_;
};

// Parses and validates a header (the JSON text) against a data section of `data_size` bytes.
// Exposed for the fuzzer; `where` names the file in error messages.
void parseSafetensorsHeader(const std::string& where, const char* json, size_t json_size, uint64_t data_size,
                            std::vector<StTensorInfo>& tensors, std::map<std::string, std::string>& metadata);

// A checkpoint: one .safetensors file or the shards listed by a *.safetensors.index.json.
class Checkpoint {
public:
    // `path`: a .safetensors file or a .safetensors.index.json file.
    static Checkpoint open(const std::string& path);
    // The checkpoint of a component folder: model.safetensors / diffusion_pytorch_model.safetensors,
    // or their .index.json. Throws when none exists.
    static Checkpoint openInFolder(const std::string& folder, const std::vector<std::string>& stems);

    struct Entry {
        const SafetensorsFile* file;
        const StTensorInfo* info;
    };
    const std::map<std::string, Entry>& entries() const { return entries_; }
    const Entry* find(const std::string& name) const;
    at::Tensor tensor(const std::string& name) const;  // throws when missing
    const std::vector<std::shared_ptr<SafetensorsFile>>& files() const { return files_; }
    uint64_t bytesOnDisk() const;
    std::string description() const;  // the file, or "<index> (N shards)"

private:
    std::vector<std::shared_ptr<SafetensorsFile>> files_;
    std::map<std::string, Entry> entries_;
    std::string description_;
};

// Writes `tensors` (any dtype among F32/F16/BF16/I64/I32/U8/I8/BOOL/F64, any layout; written
// contiguous) in name order with 8-byte aligned header, through a temporary file renamed into place.
void writeSafetensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace kinora::engine
