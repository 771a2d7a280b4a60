// `kinora bench`: measured performance. `kinora bench --model M` times a generation; sub-commands time
// model loading (`load`), the VAE decoder alone (`vae`) and, from the media layer, exports (`export`).
#include "cli/cli.h"

#include "engine/bench.h"
#include "engine/runtime.h"
#include "engine/speed_check.h"
#include "engine/vae_bench.h"
#include "studio/data_paths.h"
#include "studio/model_catalog.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace kinora::cli {
namespace {

std::string modelPath(const std::string& model, const CommonOptions& common) {
    const auto data = studio::resolveDataDir(QString::fromStdString(common.data_dir));
    return studio::resolveModel(QString::fromStdString(model), data.path).path;
}

}  // namespace

void addBenchCommand(CLI::App& app, const CommonOptions& common, int& exitStatus) {
    auto* bench = app.add_subcommand("bench", "Measure performance (generation by default; load, vae, export, history)");
    struct GenOpts {
        std::string model, dtype = "float32";
        int width = 0, height = 0, frames = 0, steps = 0;
        bool json = false;
    };
    auto g = std::make_shared<GenOpts>();
    bench->add_option("--model", g->model, "Model name or folder (default: kinora-tiny)");
    bench->add_option("--width", g->width, "Width (default: the model's)");
    bench->add_option("--height", g->height, "Height");
    bench->add_option("--frames", g->frames, "Frames (4k+1)");
    bench->add_option("--steps", g->steps, "Steps")->check(CLI::Range(1, 1000));
    bench->add_option("--dtype", g->dtype, "float32 or bfloat16")->check(CLI::IsMember({"float32", "bfloat16"}));
    bench->add_flag("--json", g->json, "Print JSON");
    bench->callback([bench, g, &common, &exitStatus] {
        if (!bench->get_subcommands().empty()) return;  // a sub-command ran
        const int threads = engine::configureThreads(common.threads);
        engine::GenerationRequest req;
        req.prompt = "a red circle moving left on a black background";
        req.width = g->width;
        req.height = g->height;
        req.frames = g->frames;
        req.steps = g->steps;
        engine::PipelineOptions opts;
        opts.dtype = g->dtype;
        opts.threads = common.threads;
        const auto b = engine::benchGeneration(modelPath(g->model, common), req, opts);
        const auto mm = engine::measureMatmul();
        const auto& r = b.request;
        nlohmann::json j = {
            {"model", g->model.empty() ? "kinora-tiny" : g->model},
            {"threads", threads},
            {"width", r.width}, {"height", r.height}, {"frames", r.frames}, {"steps", r.steps}, {"guidance", r.guidance},
            {"tokens", b.tokens},
            {"transformer_parameters", b.transformer_parameters},
            {"load_s", b.load_seconds},
            {"text_s", b.text_seconds},
            {"step_cfg_s", b.step_cfg_seconds},
            {"step_plain_s", b.step_plain_seconds},
            {"decode_s", b.decode_seconds},
            {"total_s", b.total_seconds},
            {"transformer_gflop_per_call", b.transformer_gflop},
            {"achieved_gflops", b.achieved_gflops},
            {"matmul_gflops", mm.gflops},
            {"fraction_of_matmul", b.achieved_gflops / mm.gflops},
            {"peak_rss_mib", b.peak_rss_mib},
            {"page_faults", b.page_faults},
            {"allocator", engine::allocatorPolicy()},
        };
        if (g->json) {
            std::cout << j.dump(2) << std::endl;
        } else {
            std::printf("generation %dx%d, %d frames, %d steps, guidance %.1f, %d threads, %lld transformer params, %d tokens\n",
                        r.width, r.height, r.frames, r.steps, r.guidance, threads,
                        static_cast<long long>(b.transformer_parameters), b.tokens);
            std::printf("  load            %8.3f s\n  text encoding   %8.3f s\n", b.load_seconds, b.text_seconds);
            std::printf("  step (guided)   %8.3f s   %.2f GFLOP/call, %.1f GFLOP/s = %.0f%% of matmul (%.0f GFLOP/s)\n",
                        b.step_cfg_seconds, b.transformer_gflop, b.achieved_gflops, 100 * b.achieved_gflops / mm.gflops, mm.gflops);
            std::printf("  step (no guid.) %8.3f s\n  VAE decode      %8.3f s\n  total           %8.3f s (load excluded)\n",
                        b.step_plain_seconds, b.decode_seconds, b.total_seconds);
            std::printf("  peak RSS        %8.0f MiB\n", b.peak_rss_mib);
            std::printf("  page faults     %8lld in the clip (allocator: %s)\n", static_cast<long long>(b.page_faults),
                        engine::allocatorPolicy().c_str());
        }
        exitStatus = kExitOk;
    });

    auto* load = bench->add_subcommand("load", "Time loading a model and report peak memory");
    struct LoadOpts {
        std::string model, dtype = "float32";
        bool json = false;
    };
    auto l = std::make_shared<LoadOpts>();
    load->add_option("--model", l->model, "Model name or folder");
    load->add_option("--dtype", l->dtype, "float32 or bfloat16")->check(CLI::IsMember({"float32", "bfloat16"}));
    load->add_flag("--json", l->json, "Print JSON");
    load->callback([l, &common, &exitStatus] {
        engine::configureThreads(common.threads);
        const auto path = modelPath(l->model, common);
        const auto b = engine::benchLoad(path, l->dtype);
        nlohmann::json parts = nlohmann::json::array();
        for (const auto& p : b.parts) parts.push_back({{"name", p.name}, {"seconds", p.seconds}, {"parameters", p.parameters}});
        const nlohmann::json j = {{"model", path}, {"dtype", l->dtype}, {"parts", parts}, {"total_s", b.total_seconds},
                                  {"weights_mib", b.weights_mib}, {"rss_before_mib", b.rss_before_mib},
                                  {"peak_rss_mib", b.peak_rss_mib}};
        if (l->json) {
            std::cout << j.dump(2) << std::endl;
        } else {
            std::printf("load %s (%s)\n", path.c_str(), l->dtype.c_str());
            for (const auto& p : b.parts) std::printf("  %-13s %8.3f s  %lld params\n", p.name.c_str(), p.seconds, static_cast<long long>(p.parameters));
            std::printf("  total         %8.3f s\n  weights       %8.1f MiB in %s\n  peak RSS      %8.1f MiB (%.1f before loading)\n",
                        b.total_seconds, b.weights_mib, l->dtype.c_str(), b.peak_rss_mib, b.rss_before_mib);
        }
        exitStatus = kExitOk;
    });

    auto* vae = bench->add_subcommand("vae", "Time the VAE decoder with random weights at a given width (base_dim)");
    struct VaeOpts {
        int base_dim = 32, frames = 17, width = 128, height = 128, repeats = 3;
        std::string conv = "auto";
        bool json = false;
    };
    auto v = std::make_shared<VaeOpts>();
    vae->add_option("--base-dim", v->base_dim, "VAE width (Wan2.1: 96)")->check(CLI::Range(4, 256));
    vae->add_option("--frames", v->frames, "Frames (4k+1)");
    vae->add_option("--width", v->width, "Width");
    vae->add_option("--height", v->height, "Height");
    vae->add_option("--repeats", v->repeats, "Timed runs")->check(CLI::Range(1, 100));
    vae->add_option("--conv", v->conv, "auto, conv3d or conv2d-frames")->check(CLI::IsMember({"auto", "conv3d", "conv2d-frames"}));
    vae->add_flag("--json", v->json, "Print JSON");
    vae->callback([v, &common, &exitStatus] {
        const int threads = engine::configureThreads(common.threads);
        const auto conv = v->conv == "conv3d" ? engine::VaeBenchConv::Conv3d
                          : v->conv == "conv2d-frames" ? engine::VaeBenchConv::FrameConv2d : engine::VaeBenchConv::Auto;
        const auto r = engine::benchVaeDecode(v->base_dim, v->frames, v->height, v->width, v->repeats, conv);
        const nlohmann::json j = {{"base_dim", r.base_dim}, {"frames", r.frames}, {"width", r.width}, {"height", r.height},
                                  {"threads", threads}, {"conv", r.conv}, {"seconds", r.seconds},
                                  {"mean_seconds", r.mean_seconds}, {"gflop", r.gflop}, {"gflops", r.gflops}};
        if (v->json) std::cout << j.dump(2) << std::endl;
        else std::printf("VAE decode base_dim %d, %d frames %dx%d, conv %s: %.3f s (mean %.3f), %.1f GFLOP, %.1f GFLOP/s\n",
                         r.base_dim, r.frames, r.width, r.height, r.conv.c_str(), r.seconds, r.mean_seconds, r.gflop, r.gflops);
        exitStatus = kExitOk;
    });

    addBenchExport(bench, common, exitStatus);
    addBenchHistory(bench, common, exitStatus);
}

}  // namespace kinora::cli
