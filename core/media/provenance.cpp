#include "media/provenance.h"

#include "media/decoder.h"
#include "media/error.h"
#include "media/safe_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>

namespace kinora::media {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

template <typename T>
json optionalJson(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

const json& field(const json& j, const char* key) {
    static const json null;
    auto it = j.find(key);
    return it == j.end() ? null : *it;
}

std::string stringField(const json& j, const char* key, bool required = false) {
    const json& v = field(j, key);
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null() && !required) return {};
    throw MediaError(std::string("provenance record: field \"") + key + "\" must be a string");
}

int intField(const json& j, const char* key) {
    const json& v = field(j, key);
    if (v.is_null()) return 0;
    if (v.is_number_integer()) return v.get<int>();
    throw MediaError(std::string("provenance record: field \"") + key + "\" must be an integer");
}

template <typename T>
std::optional<T> optionalNumber(const json& j, const char* key) {
    const json& v = field(j, key);
    if (v.is_null()) return std::nullopt;
    if (std::is_integral_v<T> ? v.is_number_integer() : v.is_number()) return v.get<T>();
    throw MediaError(std::string("provenance record: field \"") + key + "\" must be a number or null");
}

}  // namespace

json ProvenanceRecord::toJson() const {
    json j;
    j["schema"] = kProvenanceSchema;
    j["ai_generated"] = ai_generated;
    j["generator"] = generator;
    j["generator_version"] = generator_version;
    j["model"] = model;
    j["weights_sha256"] = weights_sha256;
    j["author"] = author;
    j["prompt"] = prompt;
    j["negative_prompt"] = negative_prompt;
    j["seed"] = optionalJson(seed);
    j["steps"] = optionalJson(steps);
    j["guidance"] = optionalJson(guidance);
    j["sampler"] = sampler;
    j["shift"] = optionalJson(shift);
    j["width"] = width;
    j["height"] = height;
    j["frames"] = frames;
    j["fps_num"] = fps_num;
    j["fps_den"] = fps_den;
    j["fps"] = fps_den > 0 ? double(fps_num) / fps_den : 0.0;  // for people reading the JSON
    j["created"] = created;
    return j;
}

ProvenanceRecord ProvenanceRecord::fromJson(const json& j) {
    if (!j.is_object()) throw MediaError("provenance record: not a JSON object");
    ProvenanceRecord r;
    const json& ai = field(j, "ai_generated");
    if (!ai.is_boolean()) throw MediaError("provenance record: field \"ai_generated\" must be true or false");
    r.ai_generated = ai.get<bool>();
    r.generator = stringField(j, "generator", true);
    r.generator_version = stringField(j, "generator_version");
    r.model = stringField(j, "model");
    r.weights_sha256 = stringField(j, "weights_sha256");
    r.author = stringField(j, "author");
    r.prompt = stringField(j, "prompt");
    r.negative_prompt = stringField(j, "negative_prompt");
    r.seed = optionalNumber<int64_t>(j, "seed");
    r.steps = optionalNumber<int>(j, "steps");
    r.guidance = optionalNumber<double>(j, "guidance");
    r.sampler = stringField(j, "sampler");
    r.shift = optionalNumber<double>(j, "shift");
    r.width = intField(j, "width");
    r.height = intField(j, "height");
    r.frames = intField(j, "frames");
    r.fps_num = intField(j, "fps_num");
    r.fps_den = field(j, "fps_den").is_null() ? 1 : intField(j, "fps_den");
    r.created = stringField(j, "created");
    return r;
}

std::string ProvenanceRecord::toJsonText() const {
    return toJson().dump(-1, ' ', /*ensure_ascii=*/true);
}

std::optional<ProvenanceRecord> ProvenanceRecord::parse(const std::string& text) {
    const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || field(j, "schema") != kProvenanceSchema) return std::nullopt;
    try {
        return fromJson(j);
    } catch (const MediaError&) {
        return std::nullopt;
    }
}

bool ProvenanceRecord::operator==(const ProvenanceRecord& o) const { return recordDifferences(*this, o).empty(); }

std::vector<std::string> recordDifferences(const ProvenanceRecord& a, const ProvenanceRecord& b) {
    // Compare through JSON so a field added to the record is compared without touching this code.
    const json ja = a.toJson();
    const json jb = b.toJson();
    std::vector<std::string> diff;
    for (auto it = ja.begin(); it != ja.end(); ++it) {
        if (it.key() == "fps") continue;  // derived from fps_num/fps_den
        if (!jb.contains(it.key()) || jb.at(it.key()) != it.value()) diff.push_back(it.key());
    }
    return diff;
}

std::string isoUtcNow() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string sidecarPathFor(const std::string& outputPath) {
    std::error_code ec;
    if (fs::is_directory(outputPath, ec)) return (fs::path(outputPath) / kFramesSidecarName).string();
    return outputPath + ".kinora.json";
}

std::optional<ProvenanceRecord> readEmbeddedRecord(const std::string& path) {
    std::error_code ec;
    std::string file = path;
    if (fs::is_directory(path, ec)) {
        const auto frames = listPngFrames(path);
        if (frames.empty()) return std::nullopt;
        file = frames.front();
    }
    const auto tags = readTags(file);
    const auto it = tags.find("comment");
    if (it == tags.end()) return std::nullopt;
    return ProvenanceRecord::parse(it->second);
}

const ProvenanceRecord* VerifyReport::record() const {
    if (sidecar) return &*sidecar;
    if (embedded) return &*embedded;
    return nullptr;
}

VerifyReport verify(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw MediaError("cannot verify " + path + ": no such file or folder; check the path");
    VerifyReport rep;
    rep.path = path;
    rep.sidecar_path = sidecarPathFor(path);
    const bool folder = fs::is_directory(path, ec);

    try {
        rep.embedded = readEmbeddedRecord(path);
    } catch (const MediaError& e) {
        rep.problems.push_back(std::string("the file cannot be read: ") + e.what());
    }
    if (!rep.embedded) rep.problems.push_back("the file carries no embedded Kinora record");

    json side;
    if (!fs::exists(rep.sidecar_path, ec)) {
        rep.problems.push_back("the sidecar " + rep.sidecar_path + " is missing, so the file cannot be checked");
    } else {
        try {
            side = json::parse(readFileBytes(rep.sidecar_path, 16u << 20));
            rep.sidecar = ProvenanceRecord::fromJson(side);
            rep.expected_sha256 = stringField(side, "sha256", true);
        } catch (const std::exception& e) {
            rep.sidecar.reset();
            rep.problems.push_back("the sidecar " + rep.sidecar_path + " is not a valid Kinora record (" + e.what() + ")");
        }
    }

    // The hash: of the file itself, or for a frame folder of its frames in order (concatenated),
    // with each frame's own hash in "files" to say which one changed.
    if (rep.sidecar) {
        try {
            if (folder) {
                const auto frames = listPngFrames(path);
                Sha256 all;
                std::vector<std::string> names;
                for (const auto& f : frames) {
                    const std::string bytes = readFileBytes(f, uint64_t(1) << 30);
                    all.update(bytes.data(), bytes.size());
                    names.push_back(fs::path(f).filename().string());
                    const std::string own = sha256OfBytes(bytes);
                    bool listed = false;
                    for (const auto& e : field(side, "files")) {
                        if (e.is_object() && field(e, "name") == names.back()) {
                            listed = true;
                            if (field(e, "sha256") != own) rep.problems.push_back(names.back() + " has changed since export");
                        }
                    }
                    if (!listed) rep.problems.push_back(names.back() + " was not part of the export");
                }
                for (const auto& e : field(side, "files")) {
                    const std::string name = e.is_object() ? stringField(e, "name") : std::string();
                    if (std::find(names.begin(), names.end(), name) == names.end()) {
                        rep.problems.push_back(name + " is missing");
                    }
                }
                rep.actual_sha256 = all.hexDigest();
            } else {
                rep.actual_sha256 = sha256OfFile(path);
            }
        } catch (const MediaError& e) {
            rep.problems.push_back(e.what());
        }
        rep.unchanged = !rep.actual_sha256.empty() && rep.actual_sha256 == rep.expected_sha256;
        if (!rep.unchanged) {
            rep.problems.push_back("the " + std::string(folder ? "frames have" : "file has") +
                                   " changed since export (SHA-256 " + rep.actual_sha256 + ", the sidecar says " +
                                   rep.expected_sha256 + ")");
        }
    }

    if (rep.embedded && rep.sidecar) {
        const auto diff = recordDifferences(*rep.embedded, *rep.sidecar);
        rep.records_agree = diff.empty();
        if (!diff.empty()) {
            std::string names;
            for (const auto& d : diff) names += (names.empty() ? "" : ", ") + d;
            rep.problems.push_back("the embedded record and the sidecar disagree on " + names);
        }
    }
    return rep;
}

}  // namespace kinora::media
