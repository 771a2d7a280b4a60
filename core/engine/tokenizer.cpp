#include "engine/tokenizer.h"

#include "engine/config_json.h"
#include "engine/error.h"

#include "engine/spm_bridge.h"
#include "engine/text_encoder.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <unordered_map>

namespace kinora::engine {
namespace {

struct HtmlEntity {
    const char* name;
    const char* text;
};
#include "engine/html_entities.inc"

// ---- UTF-8 <-> code points ----

bool decodeUtf8(const std::string& s, std::u32string& out) {
    out.clear();
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        uint32_t cp;
        int extra;
        if (c < 0x80) { cp = c; extra = 0; }
        else if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; extra = 1; }
        else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; extra = 2; }
        else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; extra = 3; }
        else return false;
        for (int k = 1; k <= extra; ++k) {
            if (i + k >= s.size()) return false;
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return false;
        }
        out.push_back(cp);
        i += extra + 1;
    }
    return true;
}

void appendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string encodeUtf8(const std::u32string& s) {
    std::string out;
    out.reserve(s.size());
    for (const auto cp : s) appendUtf8(out, cp);
    return out;
}

// Python's str.isspace() / the `\s` of a str regex.
bool isUnicodeSpace(uint32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
           c == 0x3000;
}

const std::unordered_map<std::string, const char*>& entityMap() {
    static const auto* map = [] {
        auto* m = new std::unordered_map<std::string, const char*>();
        for (const auto& e : kHtmlEntities) (*m)[e.name] = e.text;
        return m;
    }();
    return *map;
}

bool isDigit(uint32_t c) { return c >= '0' && c <= '9'; }
bool isHex(uint32_t c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// A numeric reference's replacement, as html._replace_charref does it.
std::string numericReplacement(const std::u32string& digits, bool hex) {
    // Values past U+10FFFF all become U+FFFD, so saturate instead of overflowing.
    uint64_t num = 0;
    for (const auto c : digits) {
        const uint32_t v = isDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
        num = num * (hex ? 16 : 10) + v;
        if (num > 0x10FFFF) num = 0x110000;
    }
    for (const auto& [n, text] : kInvalidCharrefs) {
        if (n == num) return text;
    }
    std::string out;
    if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
        appendUtf8(out, 0xFFFD);
        return out;
    }
    for (const auto cp : kInvalidCodepoints) {
        if (cp == num) return out;
    }
    appendUtf8(out, static_cast<uint32_t>(num));
    return out;
}

std::string unescapeCodepoints(const std::u32string& s) {
    std::string out;
    const auto& names = entityMap();
    size_t i = 0;
    while (i < s.size()) {
        if (s[i] != '&') {
            appendUtf8(out, s[i++]);
            continue;
        }
        size_t j = i + 1;
        if (j < s.size() && s[j] == '#') {
            // '#' digits ';'?  or  '#' [xX] hexdigits ';'?
            size_t k = j + 1;
            bool hex = false;
            if (k < s.size() && (s[k] == 'x' || s[k] == 'X')) {
                hex = true;
                ++k;
            }
            const size_t start = k;
            while (k < s.size() && (hex ? isHex(s[k]) : isDigit(s[k]))) ++k;
            if (k == start) {  // no digits: not a reference
                appendUtf8(out, s[i++]);
                continue;
            }
            const std::u32string digits = s.substr(start, k - start);
            if (k < s.size() && s[k] == ';') ++k;
            out += numericReplacement(digits, hex);
            i = k;
            continue;
        }
        // Named: up to 32 characters that are not \t \n \f space < & # ;, then an optional ';'.
        size_t k = j;
        while (k < s.size() && k - j < 32) {
            const auto c = s[k];
            if (c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' || c == ';') break;
            ++k;
        }
        if (k == j) {
            appendUtf8(out, s[i++]);
            continue;
        }
        if (k < s.size() && s[k] == ';') ++k;
        const std::u32string ref = s.substr(j, k - j);
        const std::string refUtf8 = encodeUtf8(ref);
        if (const auto it = names.find(refUtf8); it != names.end()) {
            out += it->second;
        } else {
            // The longest prefix (of at least 2 characters) that is a reference, then the rest as is.
            bool found = false;
            for (size_t x = ref.size() - 1; x > 1; --x) {
                const auto p = names.find(encodeUtf8(ref.substr(0, x)));
                if (p != names.end()) {
                    out += p->second;
                    out += encodeUtf8(ref.substr(x));
                    found = true;
                    break;
                }
            }
            if (!found) out += "&" + refUtf8;
        }
        i = k;
    }
    return out;
}

std::u32string toCodepoints(const std::string& utf8, const char* what) {
    std::u32string cps;
    if (!decodeUtf8(utf8, cps)) throw EngineError(std::string(what) + " is not valid UTF-8 text");
    return cps;
}

std::u32string stripSpace(const std::u32string& s) {
    size_t b = 0, e = s.size();
    while (b < e && isUnicodeSpace(s[b])) ++b;
    while (e > b && isUnicodeSpace(s[e - 1])) --e;
    return s.substr(b, e - b);
}

}  // namespace

std::string htmlUnescape(const std::string& utf8) {
    if (utf8.find('&') == std::string::npos) return utf8;
    return unescapeCodepoints(toCodepoints(utf8, "the text"));
}

std::string cleanPrompt(const std::string& prompt) {
    // basic_clean: html.unescape(html.unescape(text)).strip(). (Diffusers also runs ftfy.fix_text
    // first; for valid UTF-8 prompts its visible effects - width and compatibility forms - are
    // normalised again by the tokenizer's NFKC rules.)
    std::u32string text = toCodepoints(prompt, "the prompt");
    text = toCodepoints(htmlUnescape(htmlUnescape(encodeUtf8(text))), "the prompt");
    text = stripSpace(text);
    // whitespace_clean: re.sub(r"\s+", " ", text).strip()
    std::u32string collapsed;
    bool inSpace = false;
    for (const auto c : text) {
        if (isUnicodeSpace(c)) {
            if (!inSpace) collapsed.push_back(U' ');
            inSpace = true;
        } else {
            collapsed.push_back(c);
            inSpace = false;
        }
    }
    return encodeUtf8(stripSpace(collapsed));
}

Tokenizer::Tokenizer() = default;
Tokenizer::~Tokenizer() = default;

std::shared_ptr<Tokenizer> Tokenizer::load(const std::string& folder) {
    namespace fs = std::filesystem;
    std::shared_ptr<Tokenizer> tok(new Tokenizer);
    tok->folder_ = folder;
    const std::string model = (fs::path(folder) / "spiece.model").string();
    std::error_code ec;
    if (!fs::is_regular_file(model, ec)) {
        if (ec && ec != std::errc::no_such_file_or_directory) throw EngineError(model + ": cannot be read (" + ec.message() + ")");
        throw EngineError(model + ": missing (the tokenizer needs a SentencePiece model)");
    }
    // SentencePiece's own message for an unreadable file is "not a valid model (Not found: ...)".
    if (FILE* f = std::fopen(model.c_str(), "rb")) {
        std::fclose(f);
    } else {
        throw EngineError(model + ": cannot be read (" + std::strerror(errno) + ")");
    }
    tok->sp_ = std::make_unique<SentencePiece>(model);

    std::string padToken = "<pad>", eosToken = "</s>";
    bool fromConfig = false;
    const std::string configPath = (fs::path(folder) / "tokenizer_config.json").string();
    // Optional, but one that exists and cannot be read is an error, not a reason to use defaults.
    if (fs::exists(configPath, ec) || (ec && ec != std::errc::no_such_file_or_directory)) {
        const auto cfg = ConfigReader::fromFile(configPath);
        fromConfig = true;
        padToken = cfg.stringOr("pad_token", padToken);
        eosToken = cfg.stringOr("eos_token", eosToken);
        tok->model_max_length_ = cfg.integerOr("model_max_length", 512, 1, int64_t{1} << 62);
        // Transformers writes a huge sentinel when no limit is set; the Wan pipeline's 512 applies then.
        if (tok->model_max_length_ > 4096) tok->model_max_length_ = 512;
    }
    const int pad = tok->sp_->pieceToId(padToken);
    const int eos = tok->sp_->pieceToId(eosToken);
    // The token names may come from tokenizer_config.json: then the error names that file too.
    const std::string source = fromConfig ? " (named in " + configPath + ")" : std::string();
    if (tok->sp_->idToPiece(pad) != padToken) throw EngineError(model + ": has no pad token '" + padToken + "'" + source);
    if (tok->sp_->idToPiece(eos) != eosToken) throw EngineError(model + ": has no end-of-sequence token '" + eosToken + "'" + source);
    tok->pad_id_ = pad;
    tok->eos_id_ = eos;
    return tok;
}

int64_t Tokenizer::vocabSize() const { return sp_->pieceSize(); }

void checkTokenizerMatchesEncoder(const Tokenizer& tokenizer, const Umt5Config& encoder, const std::string& folder) {
    namespace fs = std::filesystem;
    // Every id the tokenizer can produce indexes the encoder's embedding table ([vocab_size, d_model]);
    // more pieces than rows would read past it. Fewer is normal (T5 pads the table).
    if (tokenizer.vocabSize() > encoder.vocab_size) {
        throw EngineError((fs::path(folder) / "tokenizer" / "spiece.model").string() + " has " +
                          std::to_string(tokenizer.vocabSize()) + " pieces but " +
                          (fs::path(folder) / "text_encoder" / "config.json").string() + " has vocab_size " +
                          std::to_string(encoder.vocab_size) + ": the tokenizer and the text encoder do not belong together");
    }
}

std::vector<int> Tokenizer::encode(const std::string& cleaned) const { return sp_->encode(cleaned); }

TokenBatch Tokenizer::tokenize(const std::vector<std::string>& prompts, int64_t max_length) const {
    if (max_length <= 0) max_length = model_max_length_;
    const auto n = static_cast<int64_t>(prompts.size());
    TokenBatch batch;
    batch.input_ids = at::full({n, max_length}, pad_id_, at::kLong);
    batch.attention_mask = at::zeros({n, max_length}, at::kLong);
    auto ids = batch.input_ids.accessor<int64_t, 2>();
    auto mask = batch.attention_mask.accessor<int64_t, 2>();
    for (int64_t b = 0; b < n; ++b) {
        std::vector<int> tokens = encode(cleanPrompt(prompts[b]));
        const bool cut = static_cast<int64_t>(tokens.size()) > max_length - 1;
        if (cut) tokens.resize(static_cast<size_t>(max_length - 1));
        batch.truncated.push_back(cut);
        tokens.push_back(static_cast<int>(eos_id_));
        for (size_t t = 0; t < tokens.size(); ++t) {
            ids[b][static_cast<int64_t>(t)] = tokens[t];
            mask[b][static_cast<int64_t>(t)] = 1;
        }
    }
    return batch;
}

}  // namespace kinora::engine
