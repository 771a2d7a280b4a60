#include "train/chinese_words.h"

#include "engine/error.h"
#include "engine/spm_bridge.h"
#include "train/spm_model_file.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <limits>
#include <map>

namespace kinora::train {

namespace fs = std::filesystem;

namespace {

const std::string kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's mark of a space

// Code points of UTF-8 text (the model's own pieces are valid UTF-8).
std::vector<uint32_t> codePoints(const std::string& s) {
    std::vector<uint32_t> out;
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        uint32_t cp = n == 1 ? c : c & (0xFF >> (n + 1));
        for (int k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        out.push_back(cp);
        i += n;
    }
    return out;
}

bool isHan(uint32_t cp) { return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF); }

}  // namespace

ChineseWordsEdit writeChineseWordsTokenizer(const std::string& from, const std::string& to, const std::vector<std::string>& lexicon) {
    const std::string oldModel = (fs::path(from) / "spiece.model").string();
    SpmModelFile m = readSpmModel(oldModel);
    std::map<std::string, size_t> ids;
    float lowest = 0;
    for (size_t i = 0; i < m.pieces.size(); ++i) {
        ids[m.pieces[i].piece] = i;
        if (m.pieces[i].type == SpmPieceType::Normal) lowest = std::min(lowest, m.pieces[i].score);
    }
    if (!std::is_sorted(lexicon.begin(), lexicon.end())) throw engine::EngineError("the Chinese lexicon must be sorted");
    auto isWord = [&](const std::string& p) { return std::binary_search(lexicon.begin(), lexicon.end(), p); };

    ChineseWordsEdit edit;
    std::deque<size_t> freeIds;
    for (size_t i = 0; i < m.pieces.size(); ++i) {
        SpmPiece& p = m.pieces[i];
        if (p.type != SpmPieceType::Normal) continue;
        const auto cps = codePoints(p.piece);
        if (!std::any_of(cps.begin(), cps.end(), isHan)) continue;
        if (isWord(p.piece)) {
            p.type = SpmPieceType::UserDefined;  // already a word: it keeps its id and what it learned
        } else if (cps.size() > 1) {
            // Retired. Its score is also put below every normal piece's, for readers of the file that
            // ignore the type (a converter to another tokenizer library).
            p.type = SpmPieceType::Unused;
            p.score = lowest - 10;
            freeIds.push_back(i);
            ++edit.pieces_retired;
        }
    }
    size_t needed = ids.count(kSpace) ? 0 : 1;
    for (const auto& w : lexicon) needed += ids.count(w) ? 0 : 1;
    if (needed > freeIds.size()) {
        throw engine::EngineError(from + ": " + std::to_string(needed) + " Chinese words need a place and only " +
                                  std::to_string(freeIds.size()) + " pieces can be retired to make room; train the tokenizer with a larger vocabulary");
    }
    engine::SentencePiece before(oldModel);
    auto place = [&](const std::string& piece, SpmPieceType type, float score) {
        const size_t id = freeIds.front();
        freeIds.pop_front();
        EmbeddingRowInit row{static_cast<int64_t>(id), {}};
        for (const int old : before.encode(piece)) {
            if (before.idToPiece(old) != kSpace) row.from.push_back(old);
        }
        edit.rows.push_back(row);
        m.pieces[id] = SpmPiece{piece, score, type};
        ids[piece] = id;
    };
    for (const auto& w : lexicon) {
        const auto it = ids.find(w);
        if (it == ids.end()) {
            place(w, SpmPieceType::UserDefined, 0);
        } else if (m.pieces[it->second].type == SpmPieceType::Normal) {
            m.pieces[it->second].type = SpmPieceType::UserDefined;  // a single character that is a word
        }
    }
    // Text that starts with Chinese now starts with a lone space mark (it was part of the retired pieces).
    if (ids.find(kSpace) == ids.end()) place(kSpace, SpmPieceType::Normal, lowest - 1);

    fs::create_directories(to);
    const std::string newModel = (fs::path(to) / "spiece.model").string();
    writeSpmModel(newModel, m);
    for (const char* name : {"tokenizer_config.json", "special_tokens_map.json"}) {
        if (fs::exists(fs::path(from) / name) && fs::path(from) != fs::path(to)) {
            fs::copy_file(fs::path(from) / name, fs::path(to) / name, fs::copy_options::overwrite_existing);
        }
    }
    engine::SentencePiece after(newModel);
    for (const auto& w : lexicon) {
        const auto got = after.encode(w);
        if (got.size() != 2 || after.idToPiece(got[0]) != kSpace || after.idToPiece(got[1]) != w) {
            std::string cut;
            for (const int id : got) cut += " " + after.idToPiece(id);
            throw engine::EngineError(newModel + ": \"" + w + "\" is cut as" + cut + ", not as one piece");
        }
    }
    return edit;
}

}  // namespace kinora::train
