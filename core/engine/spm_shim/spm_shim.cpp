// A C interface over libsentencepiece, built as its own shared object and loaded by the engine with
// dlopen(RTLD_LOCAL | RTLD_DEEPBIND).
//
// Why: Debian's libsentencepiece carries a private copy of protobuf 3.14 and exports its symbols, while
// LibTorch loads the system protobuf 3.21. Linked normally, whichever comes first in the global symbol
// scope hijacks the other's calls and the process aborts at start-up (a protobuf version check) or
// crashes. Loaded locally with deep binding, sentencepiece resolves to its own protobuf and stays out
// of everyone else's way.
#include <sentencepiece_processor.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

using Processor = sentencepiece::SentencePieceProcessor;

// Copies `text` into `buf` (NUL-terminated, truncated to `cap`) and returns its full length.
int copyOut(const std::string& text, char* buf, int cap) {
    if (buf && cap > 0) {
        const size_t n = std::min(text.size(), static_cast<size_t>(cap - 1));
        std::memcpy(buf, text.data(), n);
        buf[n] = '\0';
    }
    return static_cast<int>(text.size());
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) void* kinora_spm_create() { return new (std::nothrow) Processor(); }

__attribute__((visibility("default"))) void kinora_spm_destroy(void* p) { delete static_cast<Processor*>(p); }

// Returns 1 on success; on failure 0 with the reason in `err`.
__attribute__((visibility("default"))) int kinora_spm_load(void* p, const char* path, char* err, int cap) {
    const auto status = static_cast<Processor*>(p)->Load(path);
    if (status.ok()) return 1;
    copyOut(status.ToString(), err, cap);
    return 0;
}

// Writes up to `cap` ids; returns the total number of ids, or -1 with the reason in `err`.
__attribute__((visibility("default"))) int kinora_spm_encode(void* p, const char* text, int len, int* ids, int cap,
                                                             char* err, int err_cap) {
    std::vector<int> out;
    const auto status = static_cast<Processor*>(p)->Encode(std::string(text, static_cast<size_t>(len)), &out);
    if (!status.ok()) {
        copyOut(status.ToString(), err, err_cap);
        return -1;
    }
    for (size_t i = 0; i < out.size() && static_cast<int>(i) < cap; ++i) ids[i] = out[i];
    return static_cast<int>(out.size());
}

__attribute__((visibility("default"))) int kinora_spm_piece_size(void* p) {
    return static_cast<Processor*>(p)->GetPieceSize();
}

__attribute__((visibility("default"))) int kinora_spm_piece_to_id(void* p, const char* piece) {
    return static_cast<Processor*>(p)->PieceToId(piece);
}

// Copies the piece of `id` into `buf`; returns its length.
__attribute__((visibility("default"))) int kinora_spm_id_to_piece(void* p, int id, char* buf, int cap) {
    return copyOut(static_cast<Processor*>(p)->IdToPiece(id), buf, cap);
}

}  // extern "C"
