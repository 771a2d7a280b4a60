// `kinora export FILE|ID --out PATH [--scale K] [--fps N] [--trim A:B] [--no-label]`: re-encodes a clip
// file (or the clip of history job ID) into the format named by PATH's extension (.mp4 .webm .gif) or into PNG frames for an existing
// folder, carrying the source's provenance record over (updated to the new size, rate and length).
#include "cli/cli.h"

#include "cli/history_access.h"

#include "media/encoder.h"
#include "media/export_ops.h"
#include "media/frames.h"
#include "studio/clip_export.h"

#include <cstdio>
#include <filesystem>
#include <memory>

namespace kinora::cli {
namespace {

struct ExportArgs {
    std::string input;
    std::string out;
    int scale = 1;
    int fps = 0;
    bool fps_given = false;
    std::string trim;
    bool no_label = false;
};

// "A:B", "A:" (to the end: trim_end -1, which applyExportOps reads as the clip's length) or ":B";
// the range itself is checked against the clip later. Parsed before decoding, so a malformed --trim
// is a usage error whatever the source holds.
void parseTrim(const std::string& text, media::ExportOps& ops) {
    const auto colon = text.find(':');
    auto number = [&](const std::string& s, int fallback) {
        if (s.empty()) return fallback;
        if (s.find_first_not_of("0123456789") != std::string::npos || s.size() > 9) {
            throw CLI::ValidationError("--trim", "expects A:B with frame numbers, e.g. 0:16, not \"" + text + "\"");
        }
        return std::stoi(s);
    };
    if (colon == std::string::npos) {
        throw CLI::ValidationError("--trim", "expects A:B with frame numbers, e.g. 0:16, not \"" + text + "\"");
    }
    ops.trim_begin = number(text.substr(0, colon), 0);
    ops.trim_end = number(text.substr(colon + 1), -1);
}

std::string sizeText(uint64_t bytes) {
    char buf[32];
    if (bytes >= (1u << 20)) {
        std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1048576.0);
    } else {
        std::snprintf(buf, sizeof buf, "%.1f KB", bytes / 1024.0);
    }
    return buf;
}

bool looksLikeJobId(const std::string& s) {
    return !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos;
}

void runExport(ExportArgs a, const CommonOptions& common) {
    std::error_code ec;
    // A history entry by ID, unless a file of that name is right here.
    bool sourceLabelled = false;
    if (!std::filesystem::exists(a.input, ec) && looksLikeJobId(a.input)) {
        auto db = openHistory(common);
        const auto job = db->get(parseJobId(a.input));
        if (job.state != studio::JobState::Done || job.clip_path.isEmpty()) {
            throw UserError("job " + a.input + " has no clip to export (it is " + studio::stateName(job.state) + ")");
        }
        a.input = studio::absolutePath(*db, job.clip_path).toStdString();
        if (!std::filesystem::exists(a.input, ec)) {
            throw UserError("the clip of job " + std::to_string(job.id) + " is missing (" + a.input + ")");
        }
        sourceLabelled = job.request.label;
    }
    if (!std::filesystem::exists(a.input, ec)) {
        throw UserError("no such file or job ID: " + a.input +
                        "; export takes the path of a clip file or a history job ID (`kinora history list`)");
    }
    if (a.fps_given) media::validateFps(a.fps, 1, "--fps " + std::to_string(a.fps));
    studio::ClipExportRequest req;
    req.input = a.input;
    req.output = a.out;
    req.ops.scale = a.scale;
    req.ops.label = !a.no_label;
    if (a.fps_given) req.fps = a.fps;
    if (!a.trim.empty()) parseTrim(a.trim, req.ops);
    req.source_labelled = sourceLabelled;
    req.threads = common.threads;
    studio::ClipExportResult done;
    try {
        done = studio::exportClip(req);
    } catch (const studio::FrameRateUnknown&) {
        throw UserError(a.input + " does not say its frame rate (PNG frames without a Kinora record); pass --fps N");
    }
    const media::ExportResult& res = done.file;
    std::printf("wrote %s: %s, %d frames of %dx%d at %g fps, %s%s\n", res.path.c_str(), media::formatName(res.format),
                res.frames, res.width, res.height, double(res.fps_num) / res.fps_den, sizeText(res.bytes).c_str(),
                res.padded ? (" (padded from " + std::to_string(res.source_width) + "x" +
                              std::to_string(res.source_height) + ": H.264 needs even sizes)").c_str()
                           : "");
    std::printf("provenance: %s (record %s, SHA-256 %s)\n", res.sidecar_path.c_str(),
                done.record_from_source ? "carried over from the source" : "new, generation settings unknown",
                res.sha256.c_str());
    std::printf("visible AI mark: %s\n", sourceLabelled ? "yes (already in the history clip)"
                                         : done.mark_drawn ? "yes"
                                                           : "no (--no-label; the metadata record is still written)");
}

}  // namespace

void addExportCommand(CLI::App& app, const CommonOptions& common, int& exitStatus) {
    auto args = std::make_shared<ExportArgs>();
    auto* cmd = app.add_subcommand("export", "Re-encode a clip file or history job as MP4, WebM, GIF or PNG frames");
    cmd->add_option("file", args->input,
                    "The clip file to export (MP4, WebM, GIF, MOV, MKV or a folder of PNG frames), or a history job ID")
        ->required();
    cmd->add_option("--out", args->out, "Output: a .mp4, .webm or .gif file (replaced if it exists), or a folder for PNG frames (a new one ending in /)")
        ->required();
    cmd->add_option("--scale", args->scale, "Upscale by a whole factor from 1 to 4 (Lanczos)");
    auto* fps = cmd->add_option("--fps", args->fps, "New frame rate (frames are repeated or dropped, not interpolated)");
    cmd->add_option("--trim", args->trim, "Keep frames A to B-1 (A:B, counted from 0)");
    cmd->add_flag("--no-label", args->no_label, "Leave out the visible AI mark (the metadata record is always written)");
    cmd->callback([args, fps, &common, &exitStatus] {
        args->fps_given = fps->count() > 0;
        runExport(*args, common);
        exitStatus = kExitOk;
    });
}

}  // namespace kinora::cli
