// Deterministic mutation test of the model loader (issue step 2, "Bad input"): copies of the reference
// model folder are truncated, byte-flipped, rewritten and stripped, and every load must either give the
// reference's result (when the change keeps the meaning) or throw one EngineError that names the file:
// never another exception, a crash (CI also runs this under AddressSanitizer+UBSan), a hang (per-case
// watchdog) or an absurd allocation (address-space limit here, allocation cap under ASan).
// The tokenizer's cases are in test_mutation_spm.cpp (the SentencePiece shim cannot load under ASan).
#include "engine/error.h"
#include "engine/safetensors.h"
#include "engine/text_encoder.h"
#include "engine/transformer.h"
#include "mutation.h"

#include <QtTest>

#include <random>

#include <sys/resource.h>
#include <sys/stat.h>
#include <grp.h>
#include <sys/wait.h>

using namespace kinora::engine;
using namespace kinora::test;
using nlohmann::ordered_json;

#if defined(KINORA_TEST_ASAN)
// Under ASan an address-space limit is impossible (the shadow memory alone reserves terabytes), so
// any single allocation over 4 GiB is reported as a crash instead. The tiny model needs kilobytes.
extern "C" const char* __asan_default_options() { return "max_allocation_size_mb=4096:allocator_may_return_null=0"; }
#endif

namespace {

bool sameParameters(const torch::nn::Module& a, const torch::nn::Module& b) {
    const auto pa = a.named_parameters(true), pb = b.named_parameters(true);
    if (pa.size() != pb.size()) return false;
    for (const auto& p : pa) {
        const auto* q = pb.find(p.key());
        if (!q || p.value().scalar_type() != q->scalar_type() || !at::equal(p.value(), *q)) return false;
    }
    return true;
}

bool sameConfig(const Umt5Config& a, const Umt5Config& b) {
    return a.vocab_size == b.vocab_size && a.d_model == b.d_model && a.d_kv == b.d_kv && a.d_ff == b.d_ff &&
           a.num_layers == b.num_layers && a.num_heads == b.num_heads && a.num_buckets == b.num_buckets &&
           a.max_distance == b.max_distance && a.eps == b.eps && a.pad_token_id == b.pad_token_id &&
           a.eos_token_id == b.eos_token_id;
}

bool sameConfig(const TransformerConfig& a, const TransformerConfig& b) {
    return a.patch_size == b.patch_size && a.num_heads == b.num_heads && a.head_dim == b.head_dim &&
           a.in_channels == b.in_channels && a.out_channels == b.out_channels && a.text_dim == b.text_dim &&
           a.freq_dim == b.freq_dim && a.ffn_dim == b.ffn_dim && a.num_layers == b.num_layers &&
           a.cross_attn_norm == b.cross_attn_norm && a.eps == b.eps && a.rope_max_seq_len == b.rope_max_seq_len;
}

// One component of the model folder and how to load it.
struct Component {
    std::string dir;      // text_encoder, transformer
    std::string weights;  // its safetensors file
    std::vector<std::string> sizeKeys;  // config keys that size tensors
    std::function<bool(const std::string& folder)> load;  // true when equal to the reference
};

}  // namespace

class TestMutation : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::shared_ptr<Umt5Encoder> refEncoder_;
    std::shared_ptr<WanTransformer> refTransformer_;
    std::vector<Component> components_;
    size_t total_ = 0;

    std::string root() const { return tmp_.path().toStdString(); }

    void finish(CaseRunner& runner, const char* what) {
        runner.report(what);
        total_ += runner.cases();
        QVERIFY2(runner.ok(), qPrintable(runner.firstFailure()));
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        refEncoder_ = loadTextEncoder(referenceModel() + "/text_encoder");
        refTransformer_ = loadTransformer(referenceModel() + "/transformer");
        components_.push_back({"text_encoder", "model.safetensors",
                               {"vocab_size", "d_model", "d_kv", "d_ff", "num_layers", "num_heads", "relative_attention_num_buckets"},
                               [this](const std::string& folder) {
                                   const auto m = loadTextEncoder(folder + "/text_encoder");
                                   return sameConfig(m->config(), refEncoder_->config()) && sameParameters(*m, *refEncoder_);
                               }});
        components_.push_back({"transformer", "diffusion_pytorch_model.safetensors",
                               {"attention_head_dim", "num_attention_heads", "in_channels", "out_channels", "text_dim",
                                "freq_dim", "ffn_dim", "num_layers"},
                               [this](const std::string& folder) {
                                   const auto m = loadTransformer(folder + "/transformer");
                                   return sameConfig(m->config(), refTransformer_->config()) &&
                                          sameParameters(*m, *refTransformer_);
                               }});
#if !defined(KINORA_TEST_ASAN)
        // An absurd allocation fails here instead of quietly reserving terabytes: the address space is
        // capped at what the process uses now plus 8 GiB (the tiny model needs a few MiB).
        std::ifstream status("/proc/self/status");
        std::string line;
        long long vmKb = 0;
        while (std::getline(status, line)) {
            if (line.rfind("VmSize:", 0) == 0) vmKb = std::stoll(line.substr(7));
        }
        const rlimit lim{static_cast<rlim_t>(vmKb * 1024 + (8ll << 30)), RLIM_INFINITY};
        QCOMPARE(setrlimit(RLIMIT_AS, &lim), 0);
#endif
    }

    void cleanupTestCase() { qInfo("mutation cases in total: %zu", total_); }

    void referenceCopyLoadsIdentically() {
        CaseRunner runner;
        const auto folder = copyReference(root(), "plain");
        for (const auto& c : components_) runner.run(c.dir + " unchanged copy", folder, Expect::Identical, [&] { return c.load(folder); });
        finish(runner, "unchanged copies");
    }

    // ---- safetensors files ----------------------------------------------------------------------------

    void truncatedWeights() {
        CaseRunner runner;
        for (const auto& c : components_) {
            const auto folder = copyReference(root(), "trunc-" + c.dir);
            const auto file = folder + "/" + c.dir + "/" + c.weights;
            const auto size = static_cast<uint64_t>(fs::file_size(file));
            // Every length up to 64 bytes (the length prefix and the start of the JSON), then a prime stride
            // through the header and the data; truncated from the longest down, so each case is one
            // ftruncate of the same copy.
            std::vector<uint64_t> lengths;
            for (uint64_t n = 0; n < 64; ++n) lengths.push_back(n);
            for (uint64_t n = 64; n < size; n += 61) lengths.push_back(n);
            lengths.push_back(size - 1);
            std::sort(lengths.rbegin(), lengths.rend());
            lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
            for (const auto n : lengths) {
                QCOMPARE(::truncate(file.c_str(), static_cast<off_t>(n)), 0);
                runner.run(c.dir + " truncated to " + std::to_string(n) + " bytes", file, Expect::Error, [&] { return c.load(folder); });
            }
            // Bytes after the last tensor: the Python library rejects such a file too.
            const std::string original = readFile(referenceModel() + "/" + c.dir + "/" + c.weights);
            for (const std::string& tail : {std::string(1, '\0'), std::string(8, '\0'), std::string(4096, 'x')}) {
                writeFile(file, original + tail);
                runner.run(c.dir + " with " + std::to_string(tail.size()) + " trailing bytes", file, Expect::Error,
                           [&] { return c.load(folder); });
            }
        }
        finish(runner, "truncated weights");
    }

    void corruptLengthPrefix() {
        CaseRunner runner;
        for (const auto& c : components_) {
            const auto folder = copyReference(root(), "len-" + c.dir);
            const auto file = folder + "/" + c.dir + "/" + c.weights;
            const std::string original = readFile(file);
            const auto parts = splitSafetensors(original);
            auto setLength = [&](uint64_t n) {
                std::string b(8, '\0');
                for (int i = 0; i < 8; ++i) b[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
                patchFile(file, 0, b);
            };
            for (int i = 0; i < 8; ++i) {
                const auto orig = static_cast<unsigned char>(original[static_cast<size_t>(i)]);
                for (const unsigned v : {0x00u, 0xffu, orig ^ 0x01u, orig ^ 0x02u, orig ^ 0x10u, orig ^ 0x80u, 0x7fu}) {
                    if (v == orig) continue;
                    patchFile(file, static_cast<uint64_t>(i), std::string(1, static_cast<char>(v)));
                    runner.run(c.dir + " length byte " + std::to_string(i) + " = " + std::to_string(v), file, Expect::Error,
                               [&] { return c.load(folder); });
                    patchFile(file, static_cast<uint64_t>(i), std::string(1, static_cast<char>(orig)));
                }
            }
            const uint64_t n = parts.header_len, size = original.size();
            // Each length but the true one: shorter ones cut the JSON (or only its padding, which would
            // silently shift every tensor by the difference), longer ones eat into the data.
            std::vector<uint64_t> lengths{0, 1, 2, size - 8, size - 7, size, kMaxSafetensorsHeader, kMaxSafetensorsHeader + 1,
                                          1ull << 32, 1ull << 63, ~0ull};
            for (uint64_t k = 1; k <= 16; ++k) lengths.insert(lengths.end(), {n - k, n + k});
            for (const auto len : lengths) {
                if (len == n) continue;
                setLength(len);
                runner.run(c.dir + " header length " + std::to_string(len), file, Expect::Error, [&] { return c.load(folder); });
            }
            setLength(n);
        }
        finish(runner, "corrupt length prefix");
    }

    void flippedHeaderBytes() {
        // Every byte of every header, overwritten in place with (a) a seeded random byte and (b) for digits
        // another digit (numbers stay numbers: shapes and offsets change). A load that still succeeds
        // must give exactly the reference's weights (e.g. a changed padding space or metadata letter).
        CaseRunner runner;
        std::mt19937 rng(20240601);
        for (const auto& c : components_) {
            const auto folder = copyReference(root(), "flip-" + c.dir);
            const auto file = folder + "/" + c.dir + "/" + c.weights;
            const std::string original = readFile(file);
            const auto n = splitSafetensors(original).header_len;
            for (uint64_t pos = 8; pos < 8 + n; ++pos) {
                const char orig = original[pos];
                std::vector<char> values;
                char r = orig;
                while (r == orig) r = static_cast<char>(rng() & 0xff);
                values.push_back(r);
                if (orig >= '0' && orig <= '9') values.push_back(static_cast<char>('0' + (orig - '0' + 1 + rng() % 9) % 10));
                for (const char v : values) {
                    patchFile(file, pos, std::string(1, v));
                    runner.run(c.dir + " header byte " + std::to_string(pos) + " = " + std::to_string(static_cast<unsigned char>(v)),
                               file, Expect::ErrorOrIdentical, [&] { return c.load(folder); });
                }
                patchFile(file, pos, std::string(1, orig));
            }
        }
        finish(runner, "flipped header bytes");
    }

    void rewrittenHeaderFields() {
        // Parsed, changed as JSON, and written back with a correct length prefix.
        CaseRunner runner;
        for (const auto& c : components_) {
            const auto folder = copyReference(root(), "rewrite-" + c.dir);
            const auto file = folder + "/" + c.dir + "/" + c.weights;
            const std::string original = readFile(file);
            const auto parts = splitSafetensors(original);
            const auto dataSize = static_cast<int64_t>(parts.data.size());
            auto check = [&](const std::string& what, const ordered_json& header, Expect expect) {
                writeFile(file, joinSafetensors(header.dump(), parts.data));
                runner.run(c.dir + " " + what, file, expect, [&] { return c.load(folder); });
            };
            const char* dtypes[] = {"F32", "F16", "BF16", "F64", "I64", "I32", "I8", "U8", "BOOL", "F8_E4M3", "f32", ""};
            for (const auto& [name, entry] : parts.header.items()) {
                if (name == "__metadata__") continue;
                auto with = [&](const char* field, const ordered_json& value) {
                    auto h = parts.header;
                    h[name][field] = value;
                    return h;
                };
                const auto shape = entry["shape"].get<std::vector<int64_t>>();
                const auto b = entry["data_offsets"][0].get<int64_t>(), e = entry["data_offsets"][1].get<int64_t>();
                const std::string t = "tensor " + name + " ";
                // shapes
                auto s1 = shape; s1.push_back(1);
                auto s2 = shape; s2.insert(s2.begin(), 1);
                auto s3 = shape; if (!s3.empty()) s3.pop_back();
                auto s4 = shape; std::reverse(s4.begin(), s4.end());
                auto s5 = shape; if (!s5.empty()) s5[0] += 1;
                auto s6 = shape; if (!s6.empty()) s6[0] -= 1;
                for (const auto& [what, s] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
                         {"shape +[1]", s1}, {"shape [1]+", s2}, {"shape minus last dim", s3}, {"shape reversed", s4},
                         {"shape first dim +1", s5}, {"shape first dim -1", s6}, {"shape [0]", {0}}, {"shape [-1]", {-1}},
                         {"shape 2^40", {int64_t(1) << 40}}, {"shape 2^62 x 4", {int64_t(1) << 62, 4}}}) {
                    if (s == shape) continue;
                    check(t + what, with("shape", s), Expect::Error);
                }
                for (const auto& [what, v] : std::vector<std::pair<std::string, ordered_json>>{
                         {"shape string", "[4]"}, {"shape number", 4}, {"shape null", nullptr}, {"shape of strings", {"4"}},
                         {"shape of floats", ordered_json::array({1.5})}}) {
                    check(t + what, with("shape", v), Expect::Error);
                }
                // dtypes
                for (const char* d : dtypes) {
                    if (entry["dtype"] == d) continue;
                    check(t + "dtype " + d, with("dtype", d), Expect::Error);
                }
                check(t + "dtype number", with("dtype", 4), Expect::Error);
                // offsets
                for (const auto& [what, v] : std::vector<std::pair<std::string, ordered_json>>{
                         {"offsets +1", {b + 1, e + 1}},        {"offsets -1", {b - 1, e - 1}},
                         {"offsets end +4", {b, e + 4}},        {"offsets begin +4", {b + 4, e}},
                         {"offsets swapped", {e, b}},           {"offsets past data", {dataSize - (e - b) + 4, dataSize + 4}},
                         {"offsets 2^63", {uint64_t(1) << 63, (uint64_t(1) << 63) + uint64_t(e - b)}},
                         {"offsets near 2^64", {~uint64_t(0) - 1, ~uint64_t(0)}},
                         {"offsets at 0", {0, e - b}},          {"offsets at the end", {dataSize - (e - b), dataSize}},
                         {"one offset", {b}},                   {"three offsets", {b, e, e}},
                         {"negative offset", {-4, e}},          {"float offsets", {double(b), double(e)}},
                         {"offsets string", "0"},               {"offsets null", nullptr}}) {
                    // Moving a tensor onto its own place is no change; onto another tensor's is an overlap.
                    if (v.is_array() && v.size() == 2 && v[0] == b && v[1] == e) continue;
                    check(t + what, with("data_offsets", v), Expect::Error);
                }
                // the entry
                {
                    auto h = parts.header;
                    h.erase(name);
                    check(t + "removed", h, Expect::Error);
                    auto h2 = parts.header;
                    h2[name + ".renamed"] = entry;
                    h2.erase(name);
                    check(t + "renamed", h2, Expect::Error);
                    auto h3 = parts.header;
                    h3["extra." + name] = entry;  // a second tensor on the same bytes
                    check(t + "duplicated", h3, Expect::Error);
                    auto h4 = parts.header;
                    h4[name] = ordered_json::array();
                    check(t + "as array", h4, Expect::Error);
                    auto h5 = parts.header;
                    h5[name].erase("dtype");
                    check(t + "without dtype", h5, Expect::Error);
                }
            }
            // Whole-header changes that keep the meaning: the result must be identical.
            check("header pretty-printed", parts.header, Expect::Identical);
            writeFile(file, joinSafetensors(parts.header.dump(2), parts.data));
            runner.run(c.dir + " header indented", file, Expect::Identical, [&] { return c.load(folder); });
            for (int pad = 1; pad < 8; ++pad) {  // misaligns the data section: tensors are copied, not mapped
                writeFile(file, joinSafetensors(parts.header.dump() + std::string(static_cast<size_t>(pad), ' '), parts.data));
                runner.run(c.dir + " header padded by " + std::to_string(pad), file, Expect::Identical, [&] { return c.load(folder); });
            }
            {
                ordered_json reversed = ordered_json::object();
                std::vector<std::string> keys;
                for (const auto& [k, v] : parts.header.items()) keys.push_back(k);
                for (auto it = keys.rbegin(); it != keys.rend(); ++it) reversed[*it] = parts.header[*it];
                check("header keys reversed", reversed, Expect::Identical);
                auto meta = parts.header;
                meta["__metadata__"]["kinora.test"] = "extra metadata, \u00e9\u4e2d";
                check("extra metadata", meta, Expect::Identical);
                auto badMeta = parts.header;
                badMeta["__metadata__"] = {{"format", 1}};
                check("metadata value not a string", badMeta, Expect::Error);
                check("header an array", ordered_json::array(), Expect::Error);
                check("header empty object", ordered_json::object(), Expect::Error);
            }
            writeFile(file, original);
        }
        finish(runner, "rewritten header fields");
    }

    // ---- config.json ------------------------------------------------------------------------------------

    void corruptConfigs() {
        CaseRunner runner;
        std::mt19937 rng(7);
        for (const auto& c : components_) {
            const auto folder = copyReference(root(), "cfg-" + c.dir);
            const auto file = folder + "/" + c.dir + "/config.json";
            const std::string original = readFile(file);
            auto check = [&](const std::string& what, const std::string& text, Expect expect) {
                writeFile(file, text);
                runner.run(c.dir + " config " + what, file, expect, [&] { return c.load(folder); });
            };
            for (size_t n = 0; n < original.size(); ++n) {
                // Cutting only trailing whitespace (the final newline) keeps the meaning.
                const bool onlySpace = original.find_first_not_of(" \t\r\n", n) == std::string::npos;
                check("truncated to " + std::to_string(n), original.substr(0, n), onlySpace ? Expect::Identical : Expect::Error);
            }
            for (int i = 0; i < 300; ++i) {
                std::string text = original;
                const size_t pos = rng() % text.size();
                char v = text[pos];
                while (v == text[pos]) v = static_cast<char>(rng() & 0xff);
                text[pos] = v;
                // Some flips change a value to another valid one (1e-06 -> 1e-07): success is fine then.
                check("byte " + std::to_string(pos) + " = " + std::to_string(static_cast<unsigned char>(v)), text, Expect::Either);
            }
            const auto json = ordered_json::parse(original);
            for (const auto& [key, value] : json.items()) {
                for (const auto& [what, raw] : badJsonValues()) {
                    check(key + " = " + what, replaceValue(original, key, raw), Expect::Either);
                }
                auto without = json;
                without.erase(key);
                check("without " + key, without.dump(2), Expect::Either);
            }
            // Sizes the loader must refuse before allocating for them: each at its largest accepted value
            // (with the checkpoint unchanged, so the shapes cannot match), then all of them at once.
            auto all = json;
            for (const auto& key : c.sizeKeys) {
                for (const auto& [what, raw] : std::vector<std::pair<std::string, std::string>>{
                         {"largest", "1000000"}, {"65536", "65536"}, {"1024", "1024"}, {"2^40", "1099511627776"}}) {
                    check(key + " = " + what, replaceValue(original, key, raw), Expect::Error);
                }
                all[key] = key == "vocab_size" ? 10'000'000 : key == "d_ff" || key == "ffn_dim" ? (1 << 20) : key == "num_layers" ? 1024 : 4096;
            }
            check("every size at its maximum", all.dump(), Expect::Error);
            // Meaning-preserving rewrites.
            check("minified", json.dump(), Expect::Identical);
            check("indented 4", json.dump(4) + "\n\n", Expect::Identical);
            check("with a UTF-8 BOM", "\xEF\xBB\xBF" + original, Expect::Identical);
            {
                ordered_json reversed = ordered_json::object();
                std::vector<std::string> keys;
                for (const auto& [k, v] : json.items()) keys.push_back(k);
                for (auto it = keys.rbegin(); it != keys.rend(); ++it) reversed[*it] = json[*it];
                check("keys reversed", reversed.dump(2), Expect::Identical);
                auto extra = json;
                extra["kinora_unknown_key"] = {{"nested", {1, 2, 3}}};
                check("unknown key", extra.dump(2), Expect::Identical);
                auto asFloat = json;
                asFloat["num_layers"] = 2.0;  // Python writes integral floats sometimes
                check("num_layers as 2.0", asFloat.dump(2), Expect::Identical);
            }
            // Not a config object at all.
            for (const auto& [what, text] : std::vector<std::pair<std::string, std::string>>{
                     {"empty", ""}, {"array", "[1,2]"}, {"string", "\"config\""}, {"number", "42"}, {"null", "null"},
                     {"two objects", original + original}, {"deep nesting", std::string(100000, '[') + std::string(100000, ']')},
                     {"deep object", "{\"a\":" + std::string(50000, '[') + std::string(50000, ']') + "}"},
                     {"NUL inside", original.substr(0, 10) + std::string(1, '\0') + original.substr(10)},
                     {"invalid UTF-8 in a string", "{\"model_type\": \"\xff\xfe\"}"},
                     {"comment", "// comment\n" + original}}) {
                check(what, text, Expect::Error);
            }
            writeFile(file, original);
        }
        finish(runner, "corrupt config.json");
    }

    void configsOfOtherArchitectures() {
        CaseRunner runner;
        const auto folder = copyReference(root(), "arch");
        const auto te = folder + "/text_encoder/config.json", tr = folder + "/transformer/config.json";
        const std::string teText = readFile(te), trText = readFile(tr);
        auto check = [&](const Component& c, const std::string& file, const std::string& what, const std::string& text) {
            writeFile(file, text);
            runner.run(c.dir + " " + what, file, Expect::Error, [&] { return c.load(folder); });
        };
        const auto& enc = components_[0];
        const auto& trf = components_[1];
        for (const char* t : {"t5", "mt5", "bert", "llama", "UMT5", ""}) {
            check(enc, te, std::string("model_type ") + t, replaceValue(teText, "model_type", "\"" + std::string(t) + "\""));
        }
        check(enc, te, "feed_forward_proj relu", replaceValue(teText, "feed_forward_proj", "\"relu\""));
        check(enc, te, "transformer config", trText);
        check(enc, te, "vae config", readFile(folder + "/vae/config.json"));
        check(enc, te, "scheduler config", readFile(folder + "/scheduler/scheduler_config.json"));
        check(enc, te, "model_index.json", readFile(folder + "/model_index.json"));
        writeFile(te, teText);
        for (const char* cls : {"UNet2DConditionModel", "WanVACETransformer3DModel", "CogVideoXTransformer3DModel",
                                "AutoencoderKLWan", "wantransformer3dmodel", ""}) {
            check(trf, tr, std::string("_class_name ") + cls, replaceValue(trText, "_class_name", "\"" + std::string(cls) + "\""));
        }
        check(trf, tr, "image-to-video (image_dim)", replaceValue(trText, "image_dim", "1280"));
        check(trf, tr, "added_kv_proj_dim", replaceValue(trText, "added_kv_proj_dim", "24"));
        check(trf, tr, "pos_embed_seq_len", replaceValue(trText, "pos_embed_seq_len", "514"));
        check(trf, tr, "qk_norm rms_norm", replaceValue(trText, "qk_norm", "\"rms_norm\""));
        check(trf, tr, "text encoder config", teText);
        check(trf, tr, "vae config", readFile(folder + "/vae/config.json"));
        writeFile(tr, trText);
        // The other component's weights under this component's name.
        fs::copy_file(referenceModel() + "/transformer/diffusion_pytorch_model.safetensors", folder + "/text_encoder/model.safetensors",
                      fs::copy_options::overwrite_existing);
        runner.run("text_encoder with the transformer's weights", folder + "/text_encoder/model.safetensors", Expect::Error,
                   [&] { return enc.load(folder); });
        finish(runner, "other architectures");
    }

    // ---- files ----------------------------------------------------------------------------------------

    void missingAndOddFiles() {
        CaseRunner runner;
        for (const auto& c : components_) {
            for (const std::string& name : {std::string("config.json"), c.weights}) {
                const std::string label = c.dir + "/" + name;
                auto fresh = [&](const std::string&) {
                    const auto folder = copyReference(root(), "files");
                    return std::make_pair(folder, folder + "/" + c.dir + "/" + name);
                };
                auto check = [&](const std::string& what, const std::string& folder, const std::string& named) {
                    runner.run(label + " " + what, named, Expect::Error, [&] { return c.load(folder); });
                };
                {
                    auto [folder, file] = fresh("missing");
                    fs::remove(file);
                    // A missing weights file is reported on the folder ("no weights found (expected ...)").
                    check("missing", folder, name == "config.json" ? file : folder + "/" + c.dir);
                }
                {
                    auto [folder, file] = fresh("folder");
                    fs::remove(file);
                    fs::create_directory(file);
                    check("is a folder", folder, file);
                }
                {
                    auto [folder, file] = fresh("fifo");
                    fs::remove(file);
                    QCOMPARE(mkfifo(file.c_str(), 0600), 0);  // would block a plain open() forever
                    check("is a FIFO", folder, file);
                }
                {
                    auto [folder, file] = fresh("dev");
                    fs::remove(file);
                    fs::create_symlink("/dev/zero", file);  // endless; never a regular file
                    check("is /dev/zero", folder, file);
                }
                {
                    auto [folder, file] = fresh("dangling");
                    fs::remove(file);
                    fs::create_symlink(file + ".nowhere", file);
                    check("is a dangling link", folder, name == "config.json" ? file : folder + "/" + c.dir);
                }
                {
                    auto [folder, file] = fresh("loop");
                    fs::remove(file);
                    fs::create_symlink(file, file);
                    check("is a link to itself", folder, file);
                }
                {
                    auto [folder, file] = fresh("empty");
                    writeFile(file, "");
                    check("is empty", folder, file);
                }
            }
            const auto folder = copyReference(root(), "files");
            fs::remove_all(folder + "/" + c.dir);
            runner.run(c.dir + " folder missing", folder + "/" + c.dir, Expect::Error, [&] { return c.load(folder); });
            // A sharded index in place of the single file, pointing at a shard that is not there.
            const auto folder2 = copyReference(root(), "files");
            const auto stem = c.weights.substr(0, c.weights.size() - std::string(".safetensors").size());
            fs::remove(folder2 + "/" + c.dir + "/" + c.weights);
            const auto index = folder2 + "/" + c.dir + "/" + stem + ".safetensors.index.json";
            writeFile(index, R"({"weight_map": {"x": "gone.safetensors"}})");
            runner.run(c.dir + " index to a missing shard", folder2 + "/" + c.dir + "/gone.safetensors", Expect::Error,
                       [&] { return c.load(folder2); });
            writeFile(index, R"({"weight_map": {"x": "../../text_encoder/model.safetensors"}})");
            runner.run(c.dir + " index escaping its folder", index, Expect::Error, [&] { return c.load(folder2); });
        }
        finish(runner, "missing and odd files");
    }

    void unreadableFolders() {
        // Root reads everything regardless of permissions (CI runs as root), so the loads run in a forked
        // child that has become `nobody` (65534). The copies are handed to nobody (chown) so that the
        // child can take one permission away per case and put it back.
        const bool asRoot = geteuid() == 0;
        struct Case {
            std::string what, chmodPath, named, folder;
            fs::perms mode;
            const Component* c;
        };
        std::vector<Case> cases;
        const auto base = root() + "/perm";
        fs::create_directories(base);
        int k = 0;
        const auto r = fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;
        for (const auto& c : components_) {
            const auto folder = base + "/" + std::to_string(k++);
            fs::copy(referenceModel(), folder, fs::copy_options::recursive);
            const auto dir = folder + "/" + c.dir;
            cases.push_back({c.dir + " folder mode 000", dir, dir + "/config.json", folder, fs::perms::none, &c});
            cases.push_back({c.dir + " folder readable, not searchable", dir, dir + "/config.json", folder, r, &c});
            cases.push_back({c.dir + " config.json mode 000", dir + "/config.json", dir + "/config.json", folder, fs::perms::none, &c});
            cases.push_back({c.dir + " weights mode 000", dir + "/" + c.weights, dir + "/" + c.weights, folder, fs::perms::none, &c});
            cases.push_back({c.dir + " model folder mode 000", folder, folder + "/" + c.dir, folder, fs::perms::none, &c});
        }
        // Reachable by nobody: QTemporaryDir makes its folder 0700.
        fs::permissions(root(), fs::perms(0755));
        fs::permissions(base, fs::perms(0755));
        if (asRoot) QCOMPARE(::chown(base.c_str(), 65534, 65534), 0);
        for (const auto& e : fs::recursive_directory_iterator(base)) {
            fs::permissions(e.path(), e.is_directory() ? fs::perms(0755) : fs::perms(0644));
            if (asRoot) QCOMPARE(::chown(e.path().c_str(), 65534, 65534), 0);
        }
        auto runAll = [&](CaseRunner& runner) {
            for (const auto& cs : cases) {
                const auto old = fs::status(cs.chmodPath).permissions();
                fs::permissions(cs.chmodPath, cs.mode);
                runner.run(cs.what, cs.named, Expect::Error, [&] { return cs.c->load(cs.folder); });
                fs::permissions(cs.chmodPath, old);
            }
            runner.report("unreadable folders");
        };
        if (!asRoot) {
            CaseRunner runner;
            runAll(runner);
            finish(runner, "unreadable folders");
            return;
        }
        const std::string tally = runCasesAsNobody(runAll);
        QVERIFY2(tally.size() > 3 && tally.compare(tally.size() - 3, 3, " ok") == 0, tally.c_str());
        total_ += std::stoul(tally);
    }
};

QTEST_GUILESS_MAIN(TestMutation)
#include "test_mutation.moc"
