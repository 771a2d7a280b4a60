// `kinora debug tokenize|run-component`: one pipeline stage at a time, for comparisons with the
// reference implementation.
#include "cli/cli.h"

#include "engine/debug_tools.h"

#include <iostream>

namespace kinora::cli {

void addDebugCommand(CLI::App& app) {
    auto* debug = app.add_subcommand("debug", "Run single pipeline stages (for comparisons with other implementations)");
    debug->require_subcommand(1);

    auto* tok = debug->add_subcommand("tokenize", "Clean and tokenize texts as the pipeline does; print JSON ids and mask");
    struct TokOpts {
        std::string model;
        int64_t max_length = 0;
        std::vector<std::string> texts;
    };
    auto t = std::make_shared<TokOpts>();
    tok->add_option("--model", t->model, "Model folder")->required()->check(CLI::ExistingDirectory);
    tok->add_option("--max-length", t->max_length, "Sequence length (default: the model's)")->check(CLI::Range(1, 4096));
    tok->add_option("texts", t->texts, "Texts to tokenize")->required();
    tok->callback([t] { std::cout << engine::debugTokenize(t->model, t->max_length, t->texts).dump() << std::endl; });

    auto* run = debug->add_subcommand("run-component", "Run one model component on tensors from a safetensors file");
    struct RunOpts {
        std::string model, component, inputs, out;
    };
    auto r = std::make_shared<RunOpts>();
    run->add_option("--model", r->model, "Model folder")->required()->check(CLI::ExistingDirectory);
    run->add_option("--component", r->component, "text_encoder, transformer, vae_encode or vae_decode")
        ->required()
        ->check(CLI::IsMember(engine::debugComponents()));
    run->add_option("--inputs", r->inputs, "Input tensors (.safetensors)")->required()->check(CLI::ExistingFile);
    run->add_option("--out", r->out, "Output tensors (.safetensors)")->required();
    run->callback([r] { engine::debugRunComponent(r->model, r->component, r->inputs, r->out); });
}

}  // namespace kinora::cli
