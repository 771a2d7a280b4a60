// `kinora doctor [--json]`: what Kinora runs on and whether it is fit to run fast.
#include "cli/cli.h"

#include "engine/runtime.h"
#include "engine/speed_check.h"
#include "media/media_info.h"
#include "studio/data_paths.h"
#include "studio/sqlite_info.h"
#include "studio/versions.h"

#include <QFileInfo>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace kinora::cli {
namespace {

using nlohmann::json;

json speedJson(const engine::SpeedResult& r) {
    return {{"operation", r.operation}, {"shape", r.shape},         {"gflops", r.gflops},
            {"seconds", r.seconds},     {"repetitions", r.repetitions}, {"verified", r.verified}};
}

std::string fmt(double v, int decimals = 1) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

const char* yesNo(bool b) { return b ? "yes" : "no"; }

// Collects every check into one JSON document; the text report is printed from it so the two
// outputs can never disagree.
json runDoctor(const CommonOptions& common) {
    json report;
    json problems = json::array();
    json warnings = json::array();

    const int threads = engine::configureThreads(common.threads);
    const auto rt = engine::runtimeInfo();
    report["kinora"] = {{"version", studio::kinoraVersionString().toStdString()}};
    report["torch"] = {{"version", rt.torch_version},         {"openmp", rt.openmp},
                       {"mkldnn", rt.mkldnn},                 {"mkl", rt.mkl},
                       {"blas_build", rt.blas_build},         {"blas_library", rt.blas_library},
                       {"cpu_capability", rt.cpu_capability}, {"native_bfloat16", rt.native_bfloat16}};
    report["threads"] = {{"intra_op", threads}, {"interop", rt.interop_threads}, {"hardware", rt.hardware_threads},
                         {"openmp_wait", engine::openMpWaitPolicy()}, {"allocator", engine::allocatorPolicy()}};
    report["cuda"] = {{"available", rt.cuda_available}, {"devices", rt.cuda_devices}};

    const auto mm = engine::measureMatmul();
    const auto conv = engine::measureConv3d();
    report["speed"] = {{"matmul", speedJson(mm)}, {"conv3d", speedJson(conv)}};
    if (!mm.verified) problems.push_back("matrix products give wrong results: the BLAS library is broken");
    if (!conv.verified) problems.push_back("3D convolutions give wrong results");
    if (mm.gflops < engine::kSlowMatmulGflops) {
        warnings.push_back("matrix products run at only " + fmt(mm.gflops) +
                           " GFLOP/s (a fast BLAS gives 100+): install OpenBLAS with "
                           "`sudo apt-get install libopenblas0-openmp` and run kinora doctor again");
    }
    if (threads < rt.hardware_threads) {
        warnings.push_back("using " + std::to_string(threads) + " of " + std::to_string(rt.hardware_threads) +
                           " hardware threads (--threads)");
    }

    const auto media = media::mediaInfo();
    json encoders = json::array();
    for (const auto& e : media.encoders) {
        encoders.push_back({{"name", e.name}, {"purpose", e.purpose}, {"available", e.available}});
        if (!e.available) {
            problems.push_back("FFmpeg encoder " + e.name + " (" + e.purpose +
                               ") is missing: install the libavcodec package of Debian (libavcodec59)");
        }
    }
    report["media"] = {{"ffmpeg", media.ffmpeg_version},
                       {"libavcodec", media.libavcodec_version},
                       {"libavformat", media.libavformat_version},
                       {"libavfilter", media.libavfilter_version},
                       {"opencv", media.opencv_version},
                       {"encoders", encoders}};

    const auto sql = studio::sqliteInfo();
    report["sqlite"] = {{"version", sql.version}, {"fts5", sql.fts5}, {"fts5_trigram", sql.fts5_trigram}};
    if (!sql.fts5 || !sql.fts5_trigram) problems.push_back("SQLite lacks full-text search: " + sql.error);

    const auto data = studio::resolveDataDir(QString::fromStdString(common.data_dir));
    const QFileInfo dataInfo(data.path);
    if (dataInfo.exists() && !dataInfo.isDir()) {
        throw UserError("data folder " + data.path.toStdString() + " is a file, not a folder; pass another --data-dir");
    }
    report["data_dir"] = {{"path", data.path.toStdString()}, {"source", data.source.toStdString()},
                          {"exists", dataInfo.isDir()}};
    json models = json::array();
    for (const auto& f : studio::modelSearchPath(data.path)) {
        models.push_back({{"path", f.path.toStdString()}, {"source", f.source.toStdString()}, {"exists", f.exists}});
    }
    report["model_folders"] = models;

    report["problems"] = problems;
    report["warnings"] = warnings;
    return report;
}

void printText(const json& r) {
    auto line = [](const char* label, const std::string& text) {
        std::printf("%-13s %s\n", label, text.c_str());
    };
    const auto& t = r["torch"];
    line("Kinora", r["kinora"]["version"].get<std::string>());
    line("LibTorch", t["version"].get<std::string>() + ", OpenMP " + yesNo(t["openmp"]) + ", oneDNN " +
                         yesNo(t["mkldnn"]) + ", MKL " + yesNo(t["mkl"]) + ", CPU " +
                         t["cpu_capability"].get<std::string>());
    line("bfloat16", t["native_bfloat16"].get<bool>()
                         ? std::string("native (AVX512-BF16/AMX): --dtype bfloat16 is faster than float32 here")
                         : std::string("emulated (no AVX512-BF16): keep --dtype float32, bfloat16 is much slower here"));
    const std::string lib = t["blas_library"].get<std::string>();
    line("BLAS", (lib.empty() ? std::string("(not mapped)") : lib) + " (build: " + t["blas_build"].get<std::string>() + ")");
    const auto& th = r["threads"];
    line("Threads", std::to_string(th["intra_op"].get<int>()) + " of " + std::to_string(th["hardware"].get<int>()) +
                        " hardware threads (inter-op " + std::to_string(th["interop"].get<int>()) + ", OpenMP wait " +
                        th["openmp_wait"].get<std::string>() + ")");
    line("Memory", "tensor allocator (glibc): " + th["allocator"].get<std::string>());
    line("CUDA", r["cuda"]["available"].get<bool>()
                     ? std::to_string(r["cuda"]["devices"].get<int>()) + " device(s)"
                     : std::string("not available"));
    for (const char* op : {"matmul", "conv3d"}) {
        const auto& s = r["speed"][op];
        line(op == std::string("matmul") ? "Matmul" : "Conv3d",
             fmt(s["gflops"].get<double>()) + " GFLOP/s (" + s["shape"].get<std::string>() + ", " +
                 (s["verified"].get<bool>() ? "result verified" : "RESULT WRONG") + ")");
    }
    const auto& m = r["media"];
    line("FFmpeg", m["ffmpeg"].get<std::string>() + " (libavcodec " + m["libavcodec"].get<std::string>() + ")");
    std::string enc;
    for (const auto& e : m["encoders"]) {
        enc += (enc.empty() ? "" : ", ") + e["name"].get<std::string>() + (e["available"].get<bool>() ? " ok" : " MISSING");
    }
    line("Encoders", enc);
    line("OpenCV", m["opencv"].get<std::string>());
    const auto& s = r["sqlite"];
    line("SQLite", s["version"].get<std::string>() + ", FTS5 " + yesNo(s["fts5"]) + ", trigram " +
                       yesNo(s["fts5_trigram"]));
    const auto& d = r["data_dir"];
    line("Data folder", d["path"].get<std::string>() + " (" + d["source"].get<std::string>() + ", " +
                            (d["exists"].get<bool>() ? "exists" : "created on first use") + ")");
    bool first = true;
    for (const auto& f : r["model_folders"]) {
        line(first ? "Model folders" : "", f["path"].get<std::string>() + " (" + f["source"].get<std::string>() +
                                               (f["exists"].get<bool>() ? "" : ", missing") + ")");
        first = false;
    }
    for (const auto& w : r["warnings"]) std::printf("warning: %s\n", w.get<std::string>().c_str());
    for (const auto& p : r["problems"]) std::printf("problem: %s\n", p.get<std::string>().c_str());
    const size_t n = r["problems"].size();
    std::printf("%s\n", n == 0 ? "All checks passed." : (std::to_string(n) + " problem(s) found.").c_str());
}

}  // namespace

void addDoctorCommand(CLI::App& app, const CommonOptions& common, int& exitStatus) {
    auto* cmd = app.add_subcommand("doctor", "Check the device, threads, BLAS speed, encoders and models");
    auto json_flag = std::make_shared<bool>(false);
    cmd->add_flag("--json", *json_flag, "Print the report as JSON");
    cmd->callback([&common, &exitStatus, json_flag] {
        const json report = runDoctor(common);
        if (*json_flag) {
            std::cout << report.dump(2) << std::endl;
        } else {
            printText(report);
        }
        // Problems (wrong results, missing encoders) make the check fail; warnings do not.
        exitStatus = report["problems"].empty() ? kExitOk : kExitUserError;
    });
}

}  // namespace kinora::cli
