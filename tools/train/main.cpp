// kinora-train: builds and trains Kinora's bundled model. Subcommands:
//   init   --spec SPEC.json --tokenizer DIR --out DIR [--seed N] [--dtype f32|f16]
//          a model folder with randomly initialised weights (also used for benchmark models)
#include "train/model_spec.h"

#include "engine/error.h"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>

using namespace kinora;

namespace {

int runInit(const std::string& specPath, const std::string& tokenizer, const std::string& out, uint64_t seed,
            const std::string& dtype) {
    std::ifstream in(specPath);
    if (!in) throw engine::EngineError(specPath + ": cannot be read");
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) throw engine::EngineError(specPath + ": not valid JSON");
    const auto spec = train::ModelSpec::fromJson(j);
    engine::Umt5Encoder text(spec.text);
    engine::WanTransformer transformer(spec.transformer);
    engine::WanVAE vae(spec.vae);
    train::initTextEncoder(text, seed);
    train::initTransformer(transformer, seed + 1);
    train::initVae(vae, seed + 2);
    train::writeModelFolder(out, spec, text, transformer, vae, tokenizer,
                            dtype == "f16" ? engine::StDType::F16 : engine::StDType::F32);
    std::cout << "wrote " << out << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"kinora-train: build and train Kinora's bundled model"};
    app.require_subcommand(1);
    auto* init = app.add_subcommand("init", "Write a model folder with random weights");
    std::string spec, tokenizer, out, dtype = "f32";
    uint64_t seed = 1;
    init->add_option("--spec", spec, "Model spec JSON (train::ModelSpec::toJson layout)")->required();
    init->add_option("--tokenizer", tokenizer, "Tokenizer folder (spiece.model, configs)")->required();
    init->add_option("--out", out, "Model folder to write")->required();
    init->add_option("--seed", seed, "Initialisation seed");
    init->add_option("--dtype", dtype, "Weights dtype")->check(CLI::IsMember({"f32", "f16"}));
    try {
        app.parse(argc, argv);
        if (init->parsed()) return runInit(spec, tokenizer, out, seed, dtype);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    } catch (const std::exception& e) {
        std::cerr << "kinora-train: error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
