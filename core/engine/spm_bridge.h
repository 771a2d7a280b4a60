// SentencePiece through the kinora_spm shim (see spm_shim/spm_shim.cpp for why it is loaded with
// dlopen): a small RAII wrapper over its C interface.
#pragma once

#include <string>
#include <vector>

namespace kinora::engine {

class SentencePiece {
public:
    // Loads the shim (once per process) and the model at `model_path`; throws EngineError.
    explicit SentencePiece(const std::string& model_path);
    ~SentencePiece();
    SentencePiece(const SentencePiece&) = delete;
    SentencePiece& operator=(const SentencePiece&) = delete;

    std::vector<int> encode(const std::string& text) const;
    int pieceSize() const;
    int pieceToId(const std::string& piece) const;
    std::string idToPiece(int id) const;

private:
    void* handle_ = nullptr;
};

// Where the shim was loaded from ("" before the first use).
std::string sentencePieceShimPath();

}  // namespace kinora::engine
