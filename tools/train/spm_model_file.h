// A SentencePiece model file (its ModelProto) read and written at the protobuf wire level, for edits
// of its pieces: Debian's libsentencepiece-dev ships no sentencepiece_model.pb.h to do it with. Only
// the pieces are decoded; every other field (trainer and normaliser specs) is kept byte for byte.
#pragma once

#include <string>
#include <vector>

namespace kinora::train {

// Piece types as in sentencepiece_model.proto.
enum class SpmPieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct SpmPiece {
    std::string piece;  // UTF-8; U+2581 stands for a space
    float score = 0;    // log-probability of a normal piece
    SpmPieceType type = SpmPieceType::Normal;
};

struct SpmModelFile {
    std::vector<SpmPiece> pieces;  // the piece's index is its id
    std::string other_fields;      // the ModelProto's other fields, as they were on disk
};

// Throws EngineError naming the file when it cannot be read or is not a SentencePiece model.
SpmModelFile readSpmModel(const std::string& path);
// Writes the pieces first, then the other fields (protobuf accepts fields in any order).
void writeSpmModel(const std::string& path, const SpmModelFile& model);

}  // namespace kinora::train
