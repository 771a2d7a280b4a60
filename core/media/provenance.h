// AI-generation provenance: the record every file Kinora writes carries (in the container where the
// format has a place for it, and always in the `<file>.kinora.json` sidecar beside it), and the check
// that a file is still the one that was exported.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kinora::media {

// Identifies the JSON as Kinora's record (and its layout version) among other comment tags.
inline constexpr const char* kProvenanceSchema = "kinora.provenance/1";

struct ProvenanceRecord {
    bool ai_generated = true;
    std::string generator = "Kinora";
    std::string generator_version;  // passed in by the caller (the app knows its version)
    std::string model;              // model name; empty when unknown
    std::string weights_sha256;     // hash of the model weights; empty when unknown
    std::string author;             // may be empty
    std::string prompt;
    std::string negative_prompt;
    std::optional<int64_t> seed;  // unknown generation settings are absent (JSON null)
    std::optional<int> steps;
    std::optional<double> guidance;
    std::string sampler;
    std::optional<double> shift;
    int width = 0;   // of the file as written (after scaling and padding)
    int height = 0;
    int frames = 0;
    int fps_num = 0;
    int fps_den = 1;
    std::string created;  // ISO 8601 UTC, e.g. 2026-11-25T09:30:00Z: when the file was written

    nlohmann::json toJson() const;
    // Throws MediaError when a required field is missing or has the wrong type.
    static ProvenanceRecord fromJson(const nlohmann::json& j);
    // Compact and pure ASCII (non-ASCII prompt text as \u escapes), so it fits PNG tEXt chunks
    // (Latin-1) and container tags unchanged.
    std::string toJsonText() const;
    // The record in `text`, or nothing when `text` is not a Kinora record (other tools' comments).
    static std::optional<ProvenanceRecord> parse(const std::string& text);

    bool operator==(const ProvenanceRecord& o) const;
    bool operator!=(const ProvenanceRecord& o) const { return !(*this == o); }
};

// Names of the fields whose values differ between two records (empty when they agree).
std::vector<std::string> recordDifferences(const ProvenanceRecord& a, const ProvenanceRecord& b);

std::string isoUtcNow();

// `<file>.kinora.json` for a file; `<folder>/frames.kinora.json` for a PNG frame folder.
std::string sidecarPathFor(const std::string& outputPath);
inline constexpr const char* kFramesSidecarName = "frames.kinora.json";

// The record embedded in a file (MP4/WebM/GIF comment, PNG tEXt of the first frame for a folder),
// read with FFmpeg; nothing when the file has none. Throws MediaError when the file cannot be read.
std::optional<ProvenanceRecord> readEmbeddedRecord(const std::string& path);

struct VerifyReport {
    std::string path;
    std::string sidecar_path;
    std::optional<ProvenanceRecord> embedded;  // from the file itself
    std::optional<ProvenanceRecord> sidecar;   // from the sidecar
    std::string expected_sha256;               // from the sidecar
    std::string actual_sha256;                 // of the file now
    bool unchanged = false;                    // the hash matches the sidecar's
    bool records_agree = false;                // embedded and sidecar records are the same
    std::vector<std::string> problems;         // one sentence each; empty when verified
    bool verified() const { return problems.empty(); }
    // The record to show: the sidecar's, else the embedded one.
    const ProvenanceRecord* record() const;
};

// Reads the record back from the file and its sidecar, recomputes the SHA-256, and says whether the
// file is unchanged since export and whether the two records agree. Throws MediaError only when the
// path does not exist; everything else is reported in `problems`.
VerifyReport verify(const std::string& path);

}  // namespace kinora::media
