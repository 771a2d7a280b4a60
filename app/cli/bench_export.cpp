// `kinora bench export [--json]`: encode time of each export format for a small clip (17 frames,
// 128x128) and a full-size one (81 frames, 832x480) of synthetic moving content, written to a
// temporary folder that is removed afterwards.
#include "cli/cli.h"

#include "media/encoder.h"
#include "media/export_ops.h"
#include "media/test_pattern.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

namespace kinora::cli {
namespace {

using nlohmann::json;

json runExportBench(const CommonOptions& common) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kinora-bench-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw UserError("cannot create a temporary folder in " + std::filesystem::temp_directory_path().string());
    struct Cleanup {
        std::string dir;
        ~Cleanup() {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
    } cleanup{tmpl};

    struct Case {
        int frames, width, height;
    };
    const Case cases[] = {{17, 128, 128}, {81, 832, 480}};
    const std::pair<media::Format, const char*> formats[] = {
        {media::Format::Mp4, "clip.mp4"}, {media::Format::WebM, "clip.webm"},
        {media::Format::Gif, "clip.gif"}, {media::Format::PngFrames, "frames"}};
    media::EncodeOptions enc;
    enc.threads = common.threads;
    json results = json::array();
    for (const Case& c : cases) {
        // The mark is drawn as in a real export; its cost is reported on its own.
        media::Clip clip = media::movingTestPattern(c.width, c.height, c.frames);
        const auto l0 = std::chrono::steady_clock::now();
        clip = media::applyExportOps(clip, media::ExportOps{}, "benchmark clip");
        const double labelSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - l0).count();
        for (const auto& [format, name] : formats) {
            const std::string path = tmpl + "/" + name;
            const auto t0 = std::chrono::steady_clock::now();
            const auto res = media::writeClip(clip, path, format, media::ProvenanceRecord{}, enc);
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            results.push_back({{"format", media::formatName(format)},
                               {"frames", c.frames},
                               {"width", c.width},
                               {"height", c.height},
                               {"seconds", seconds},
                               {"frames_per_second", c.frames / seconds},
                               {"bytes", res.bytes},
                               {"label_seconds", labelSeconds}});
        }
    }
    return {{"benchmark", "export"}, {"content", "synthetic moving gradients and disc, 8 fps, AI mark drawn"},
            {"results", results}};
}

}  // namespace

void addBenchExport(CLI::App* bench, const CommonOptions& common, int& exitStatus) {
    auto jsonFlag = std::make_shared<bool>(false);
    auto* exp = bench->add_subcommand("export", "Encode time of each export format at 128x128 and 832x480");
    exp->add_flag("--json", *jsonFlag, "Print the results as JSON");
    exp->callback([jsonFlag, &common, &exitStatus] {
        const json report = runExportBench(common);
        if (*jsonFlag) {
            std::cout << report.dump(2) << std::endl;
        } else {
            std::printf("%-12s %6s %9s %9s %9s %10s\n", "format", "frames", "size", "seconds", "frames/s", "bytes");
            for (const auto& r : report["results"]) {
                const std::string size = std::to_string(r["width"].get<int>()) + "x" + std::to_string(r["height"].get<int>());
                std::printf("%-12s %6d %9s %9.3f %9.1f %10llu\n", r["format"].get<std::string>().c_str(),
                            r["frames"].get<int>(), size.c_str(), r["seconds"].get<double>(),
                            r["frames_per_second"].get<double>(), (unsigned long long)r["bytes"].get<uint64_t>());
            }
        }
        exitStatus = kExitOk;
    });
}

}  // namespace kinora::cli
