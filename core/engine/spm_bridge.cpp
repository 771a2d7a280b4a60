#include "engine/spm_bridge.h"

#include "engine/error.h"

#include <dlfcn.h>

#include <mutex>

namespace kinora::engine {
namespace {

struct Shim {
    void* (*create)() = nullptr;
    void (*destroy)(void*) = nullptr;
    int (*load)(void*, const char*, char*, int) = nullptr;
    int (*encode)(void*, const char*, int, int*, int, char*, int) = nullptr;
    int (*piece_size)(void*) = nullptr;
    int (*piece_to_id)(void*, const char*) = nullptr;
    int (*id_to_piece)(void*, int, char*, int) = nullptr;
    std::string path;
    std::string error;
};

template <typename F>
void bind(void* lib, const char* name, F& fn, std::string& error) {
    fn = reinterpret_cast<F>(dlsym(lib, name));
    if (!fn && error.empty()) error = std::string("symbol ") + name + " missing";
}

const Shim& shim() {
    static Shim s;
    static std::once_flag once;
    std::call_once(once, [] {
        // The installed location first, then the build tree (development and tests).
        const char* candidates[] = {KINORA_SPM_SHIM_INSTALLED, KINORA_SPM_SHIM_BUILD};
        std::string tried;
        for (const char* path : candidates) {
            void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
            if (!lib) {
                const char* e = dlerror();
                tried += std::string(tried.empty() ? "" : "; ") + (e ? e : path);
                continue;
            }
            s.path = path;
            bind(lib, "kinora_spm_create", s.create, s.error);
            bind(lib, "kinora_spm_destroy", s.destroy, s.error);
            bind(lib, "kinora_spm_load", s.load, s.error);
            bind(lib, "kinora_spm_encode", s.encode, s.error);
            bind(lib, "kinora_spm_piece_size", s.piece_size, s.error);
            bind(lib, "kinora_spm_piece_to_id", s.piece_to_id, s.error);
            bind(lib, "kinora_spm_id_to_piece", s.id_to_piece, s.error);
            return;
        }
        s.error = "cannot load the SentencePiece shim (" + tried + "); reinstall Kinora";
    });
    return s;
}

const Shim& requireShim() {
    const Shim& s = shim();
    if (!s.error.empty()) throw EngineError("tokenizer: " + s.error);
    return s;
}

}  // namespace

SentencePiece::SentencePiece(const std::string& model_path) {
    const Shim& s = requireShim();
    handle_ = s.create();
    if (!handle_) throw EngineError("tokenizer: out of memory");
    char err[512] = {0};
    if (!s.load(handle_, model_path.c_str(), err, sizeof err)) {
        s.destroy(handle_);
        handle_ = nullptr;
        throw EngineError(model_path + ": not a valid SentencePiece model (" + err + ")");
    }
}

SentencePiece::~SentencePiece() {
    if (handle_) shim().destroy(handle_);
}

std::vector<int> SentencePiece::encode(const std::string& text) const {
    const Shim& s = shim();
    std::vector<int> ids(text.size() + 8);
    char err[512] = {0};
    for (;;) {
        const int n = s.encode(handle_, text.data(), static_cast<int>(text.size()), ids.data(),
                               static_cast<int>(ids.size()), err, sizeof err);
        if (n < 0) throw EngineError(std::string("tokenizer: cannot encode the prompt (") + err + ")");
        if (static_cast<size_t>(n) <= ids.size()) {
            ids.resize(static_cast<size_t>(n));
            return ids;
        }
        ids.resize(static_cast<size_t>(n));
    }
}

int SentencePiece::pieceSize() const { return shim().piece_size(handle_); }

int SentencePiece::pieceToId(const std::string& piece) const { return shim().piece_to_id(handle_, piece.c_str()); }

std::string SentencePiece::idToPiece(int id) const {
    std::string buf(256, '\0');
    const int n = shim().id_to_piece(handle_, id, buf.data(), static_cast<int>(buf.size()));
    if (n >= static_cast<int>(buf.size())) {
        buf.assign(static_cast<size_t>(n) + 1, '\0');
        shim().id_to_piece(handle_, id, buf.data(), static_cast<int>(buf.size()));
    }
    buf.resize(static_cast<size_t>(n));
    return buf;
}

std::string sentencePieceShimPath() { return shim().path; }

}  // namespace kinora::engine
