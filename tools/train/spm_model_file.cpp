#include "train/spm_model_file.h"

#include "engine/error.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace kinora::train {

namespace {

// Wire types of the protobuf encoding.
constexpr int kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5;

struct Reader {
    const std::string& bytes;
    size_t pos;
    size_t end;
    const std::string& path;

    [[noreturn]] void fail(const std::string& what) const {
        throw engine::EngineError(path + ": not a SentencePiece model (" + what + " at byte " + std::to_string(pos) + ")");
    }
    uint64_t varint() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) fail("a number runs past the end");
            const auto c = static_cast<unsigned char>(bytes[pos++]);
            v |= uint64_t(c & 0x7f) << shift;
            if (c < 0x80) return v;
        }
        fail("a number longer than 10 bytes");
    }
    // A field's key: its number and wire type.
    std::pair<int, int> key() {
        const uint64_t k = varint();
        return {static_cast<int>(k >> 3), static_cast<int>(k & 7)};
    }
    // Steps over a length-delimited value; returns where its bytes begin (they end at `pos`).
    size_t lengthDelimited() {
        const uint64_t n = varint();
        const size_t at = pos;
        advance(n);
        return at;
    }
    // Skips the value of a field of `wire` type; returns where it began.
    size_t skip(int wire) {
        const size_t start = pos;
        switch (wire) {
        case kVarint: varint(); break;
        case kFixed64: advance(8); break;
        case kLengthDelimited: lengthDelimited(); break;
        case kFixed32: advance(4); break;
        default: fail("wire type " + std::to_string(wire));
        }
        return start;
    }
    void advance(uint64_t n) {
        if (n > end - pos) fail("a field runs past the end");
        pos += n;
    }
};

void putVarint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

SpmPiece readPiece(const std::string& bytes, size_t from, size_t to, const std::string& path) {
    Reader r{bytes, from, to, path};
    SpmPiece p;
    while (r.pos < r.end) {
        const auto [field, wire] = r.key();
        if (field == 1 && wire == kLengthDelimited) {
            const size_t at = r.lengthDelimited();
            p.piece = bytes.substr(at, r.pos - at);
        } else if (field == 2 && wire == kFixed32) {
            const size_t at = r.pos;
            r.advance(4);
            uint32_t u = 0;
            for (int i = 3; i >= 0; --i) u = (u << 8) | static_cast<unsigned char>(bytes[at + i]);
            std::memcpy(&p.score, &u, 4);
        } else if (field == 3 && wire == kVarint) {
            const uint64_t t = r.varint();
            if (t < 1 || t > 6) r.fail("piece type " + std::to_string(t));
            p.type = static_cast<SpmPieceType>(t);
        } else {
            r.fail("piece field " + std::to_string(field));
        }
    }
    return p;
}

}  // namespace

SpmModelFile readSpmModel(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw engine::EngineError(path + ": cannot be read");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    Reader r{bytes, 0, bytes.size(), path};
    SpmModelFile m;
    while (r.pos < r.end) {
        const size_t start = r.pos;
        const auto [field, wire] = r.key();
        if (field == 1 && wire == kLengthDelimited) {
            const size_t at = r.lengthDelimited();
            m.pieces.push_back(readPiece(bytes, at, r.pos, path));
        } else {
            r.skip(wire);
            m.other_fields += bytes.substr(start, r.pos - start);
        }
    }
    if (m.pieces.empty()) throw engine::EngineError(path + ": not a SentencePiece model (no pieces)");
    return m;
}

void writeSpmModel(const std::string& path, const SpmModelFile& model) {
    std::string out;
    for (const auto& p : model.pieces) {
        std::string msg;
        putVarint(msg, (1 << 3) | kLengthDelimited);
        putVarint(msg, p.piece.size());
        msg += p.piece;
        putVarint(msg, (2 << 3) | kFixed32);
        uint32_t u = 0;
        std::memcpy(&u, &p.score, 4);
        for (int i = 0; i < 4; ++i) msg.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
        putVarint(msg, (3 << 3) | kVarint);
        putVarint(msg, static_cast<uint64_t>(p.type));
        putVarint(out, (1 << 3) | kLengthDelimited);
        putVarint(out, msg.size());
        out += msg;
    }
    out += model.other_fields;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(out.data(), static_cast<std::streamsize>(out.size()));
    if (!f) throw engine::EngineError(path + ": cannot be written");
}

}  // namespace kinora::train
