// libFuzzer target: the safetensors header parser (parseSafetensorsHeader), fed a whole file image.
// The input's first 8 bytes are the little-endian header length as in a real file, clamped to the
// input, so the header is input[8, 8+n) and the data section is whatever follows: the fuzzer controls
// both the JSON and how many data bytes the offsets are checked against. Any exception other than
// EngineError escapes and aborts (a finding), as do sanitizer reports and broken invariants.
#include "engine/error.h"
#include "engine/safetensors.h"

#include <cstddef>
#include <cstdint>

using namespace kinora::engine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 8) return 0;
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | data[i];
    if (n > size - 8) n = size - 8;
    const uint64_t dataSize = size - 8 - n;
    std::vector<StTensorInfo> tensors;
    std::map<std::string, std::string> metadata;
    try {
        parseSafetensorsHeader("fuzz.safetensors", reinterpret_cast<const char*>(data) + 8, n, dataSize, tensors, metadata);
    } catch (const EngineError&) {
        return 0;
    }
    // What the reader promises about an accepted header (SafetensorsFile::tensor relies on it).
    uint64_t covered = 0;
    for (size_t i = 0; i < tensors.size(); ++i) {
        const auto& t = tensors[i];
        if (i > 0 && !(tensors[i - 1].name < t.name)) __builtin_trap();  // sorted, unique
        if (t.begin > t.end || t.end > dataSize) __builtin_trap();
        if (static_cast<uint64_t>(t.numel()) * dtypeSize(t.dtype) != t.end - t.begin) __builtin_trap();
        if (t.shape.size() > 16) __builtin_trap();
        covered += t.end - t.begin;
    }
    if (covered != dataSize) __builtin_trap();  // contiguous and complete
    return 0;
}
