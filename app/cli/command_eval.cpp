// `kinora eval --model NAME --suite world|world-vae [--prompts N] [--seed S] [--steps N] [--dtype D] [--motion NAME] [--world V] [--json]`:
// accuracy of a model on the prompts of the shapes world (colour, shape, motion, background, the physics of falling),
// for seen and held-out combinations, English and Chinese prompts; world-vae scores the world's own clips
// through the model's VAE instead (the ceiling it leaves the transformer). `kinora eval compare` sets two
// such reports side by side (tools/eval/eval_compare.h).
#include "cli/cli.h"

#include "engine/pipeline.h"
#include "engine/runtime.h"
#include "engine/vae.h"
#include "eval/eval_compare.h"
#include "eval/world_eval.h"
#include "studio/data_paths.h"
#include "studio/model_catalog.h"
#include "worldgen/world.h"

#include <cstdio>
#include <fstream>
#include <iostream>

namespace kinora::cli {

namespace {

nlohmann::json readReport(const std::string& file) {
    std::ifstream in(file);
    if (!in) throw UserError(file + ": cannot be read; give the JSON files `kinora eval --json --cases` wrote");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw UserError(file + " is not JSON (" + e.what() + "); give the files `kinora eval --json --cases` wrote");
    }
}

// `kinora eval compare BEFORE AFTER [BEFORE AFTER ...] [--json]`: each pair is two evaluations of the
// same prompts (one per seed); the rule for replacing the shipped model is taken over all pairs.
void addEvalCompare(CLI::App* eval, int& exitStatus) {
    auto* cmd = eval->add_subcommand("compare",
                                     "Compare evaluations of the same prompts (BEFORE AFTER, one pair per seed), prompt by prompt, "
                                     "and say whether AFTER is better by the rule for replacing the shipped model");
    struct Opts {
        std::vector<std::string> files;
        bool json = false;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("files", o->files, "BEFORE.json AFTER.json, one pair per seed (JSON of `kinora eval --json --cases`)")
        ->required();
    cmd->add_flag("--json", o->json, "Print the comparison as JSON");
    cmd->callback([o, &exitStatus] {
        if (o->files.size() % 2 != 0) {
            throw UserError("eval compare takes pairs of reports (BEFORE AFTER, one pair per seed); " + std::to_string(o->files.size()) +
                            " files given");
        }
        std::vector<eval::EvalPairComparison> pairs;
        for (size_t i = 0; i < o->files.size(); i += 2) {
            try {
                pairs.push_back(eval::compareEvaluations(readReport(o->files[i]), readReport(o->files[i + 1]), o->files[i], o->files[i + 1]));
            } catch (const std::invalid_argument& e) {
                throw UserError(e.what());
            }
        }
        const auto verdict = eval::shippingVerdict(pairs);
        if (o->json) {
            nlohmann::json j = {{"better", verdict.better}, {"reasons", verdict.reasons}, {"pairs", nlohmann::json::array()}};
            for (const auto& p : pairs) j["pairs"].push_back(p.toJson());
            std::cout << j.dump(2) << std::endl;
        } else {
            std::cout << eval::formatComparison(pairs, verdict);
        }
        exitStatus = kExitOk;
    });
}

}  // namespace

void addEvalCommand(CLI::App& app, const CommonOptions& common, int& exitStatus) {
    auto* cmd = app.add_subcommand("eval", "Measure how well a model follows the prompts of its world");
    struct Opts {
        std::string model, suite = "world", dtype = "float32", motion;
        eval::WorldEvalOptions world;
        bool json = false, cases = false, quiet = false;
    };
    auto o = std::make_shared<Opts>();
    cmd->add_option("--model", o->model, "Model name or folder (default: kinora-tiny)");
    cmd->add_option("--suite", o->suite,
                    "world: the model's clips of the world's prompts; world-vae: the world's own clips of the same "
                    "prompts through the model's VAE (encoded and decoded), the most its transformer could score")
        ->check(CLI::IsMember({"world", "world-vae"}));
    cmd->add_option("--prompts", o->world.prompts, "Number of prompts")->check(CLI::Range(1, 100000));
    cmd->add_option("--seed", o->world.seed, "Seed of the prompt draw");
    cmd->add_option("--steps", o->world.steps, "Denoising steps (default: the model's)")->check(CLI::Range(1, 1000));
    cmd->add_option("--dtype", o->dtype, "float32 or bfloat16 (the evaluation of a model in that precision)")
        ->check(CLI::IsMember({"float32", "bfloat16"}));
    cmd->add_option("--world", o->world.world_version,
                    std::string("Version of the world whose clips world-vae renders (") + world::worldVersionsSummary() +
                        "); the prompts are the same in every version")
        ->check(CLI::Range(1, world::kWorldVersions));
    std::vector<std::string> motions;
    for (int m = 0; m < world::kMotionCount; ++m) motions.emplace_back(world::motionName(world::Motion(m)));
    cmd->add_option("--motion", o->motion, "Only prompts of this motion, e.g. \"spinning\" or \"moving left\"")
        ->check(CLI::IsMember(motions));
    cmd->add_option("--contact-sheet", o->world.contact_sheet, "Write a PNG of the first 24 clips with the analysis");
    cmd->add_flag("--json", o->json, "Print the report as JSON");
    cmd->add_flag("--cases", o->cases, "Include every prompt and its analysis in the JSON");
    cmd->add_flag("--quiet", o->quiet, "No progress lines");
    cmd->callback([cmd, o, &common, &exitStatus] {
        if (!cmd->get_subcommands().empty()) return;  // `eval compare` ran
        const auto data = studio::resolveDataDir(QString::fromStdString(common.data_dir));
        const auto model = studio::resolveModel(QString::fromStdString(o->model), data.path);
        engine::checkDeviceSupport("cpu", o->dtype);
        o->world.motion = world::motionFromName(o->motion);  // none when not asked (CLI11 checked the name)
        const auto progress = [&](int done, int total, const eval::WorldEvalCase& c) {
            if (!o->quiet) std::fprintf(stderr, "[%d/%d] %s -> %s\n", done, total, c.prompt.c_str(), c.found.c_str());
        };
        eval::WorldEvalReport report;
        if (o->suite == "world-vae") {
            engine::configureThreads(common.threads);
            const auto vae = engine::loadVae(model.path + "/vae", o->dtype == "bfloat16" ? at::kBFloat16 : at::kFloat);
            report = eval::evaluateWorldThroughVae(*vae, o->world, progress);
        } else {
            engine::PipelineOptions popts;
            popts.threads = common.threads;
            popts.dtype = o->dtype;
            auto pipeline = engine::Pipeline::load(model.path, popts);
            report = eval::evaluateWorld(*pipeline, o->world, progress);
        }
        if (o->json) {
            auto j = report.toJson(o->cases);
            j["model"] = model.name;
            j["seed"] = o->world.seed;
            j["dtype"] = o->dtype;
            j["suite"] = o->suite;
            if (!o->motion.empty()) j["motion"] = o->motion;
            std::cout << j.dump(2) << std::endl;
        } else {
            char sampling[64] = "";
            if (report.steps > 0) std::snprintf(sampling, sizeof sampling, ", %d steps, guidance %.1f", report.steps, report.guidance);
            std::printf("%s%s on %d world prompts%s (seed %llu, %s%s), %.0f s\n", model.name.c_str(),
                        o->suite == "world-vae" ? " (the world's clips through its VAE)" : "", report.all.n,
                        o->motion.empty() ? "" : (" of " + o->motion).c_str(),
                        static_cast<unsigned long long>(o->world.seed), o->dtype.c_str(), sampling, report.seconds);
            std::printf("%-14s %7s %7s %7s %7s %10s %9s %12s\n", "group", "prompts", "colour", "shape", "motion", "background",
                        "coherent", "falling acc.");
            auto row = [](const char* name, const eval::WorldEvalGroup& g) {
                auto p = [](int k, int n) { return n ? 100.0 * k / n : 0.0; };
                // A group without falling prompts has no physics figure: "-", not a misleading 0%.
                char falling[16] = "-";
                if (g.falling > 0) std::snprintf(falling, sizeof falling, "%.1f%%", p(g.accelerating, g.falling));
                std::printf("%-14s %7d %6.1f%% %6.1f%% %6.1f%% %9.1f%% %8.1f%% %12s\n", name, g.n, p(g.color, g.n),
                            p(g.shape, g.n), p(g.motion, g.n), p(g.background, g.n), p(g.coherent, g.n), falling);
            };
            row("all", report.all);
            row("seen", report.seen);
            row("held-out", report.held_out);
            row("english", report.english);
            row("chinese", report.chinese);
            std::printf("by the asked shape and motion:\n");
            for (const auto& [name, g] : report.by_shape) row(name.c_str(), g);
            for (const auto& [name, g] : report.by_motion) row(name.c_str(), g);
        }
        exitStatus = kExitOk;
    });
    addEvalCompare(cmd, exitStatus);
}

}  // namespace kinora::cli
