// Measurements behind `kinora bench`: model loading and generation, on any Wan-architecture model.
// Torch-free header, so the command line can call it without LibTorch's headers.
#pragma once

#include "engine/pipeline.h"

#include <string>
#include <vector>

namespace kinora::engine {

// Peak resident memory of this process so far (VmHWM), in MiB.
double peakRssMiB();
// Resident memory now (VmRSS), in MiB.
double rssMiB();
// Minor page faults of this process so far (getrusage): a page first written after an allocation.
int64_t minorPageFaults();

struct LoadBench {
    struct Part {
        std::string name;
        double seconds = 0;
        int64_t parameters = 0;
    };
    std::vector<Part> parts;  // tokenizer, text_encoder, transformer, vae
    double total_seconds = 0;
    double weights_mib = 0;       // parameters x compute dtype size
    double rss_before_mib = 0;
    double peak_rss_mib = 0;      // process peak after loading
};

// Loads each component of `model_dir` once (in a fresh process this is the cold-start cost).
LoadBench benchLoad(const std::string& model_dir, const std::string& dtype = "float32");

struct GenerationBench {
    GenerationRequest request;  // resolved
    double load_seconds = 0;
    double text_seconds = 0;        // prompt + negative prompt encoding
    double step_cfg_seconds = 0;    // one denoising step with guidance (batch 2), best of the steps
    double step_plain_seconds = 0;  // one step without guidance (batch 1)
    double decode_seconds = 0;
    double total_seconds = 0;       // text + steps x step_cfg + decode: the clip as a user gets it
    double transformer_gflop = 0;   // work of one transformer call on one sample (counted from the architecture)
    double achieved_gflops = 0;     // 2 x transformer_gflop / step_cfg_seconds
    double peak_rss_mib = 0;
    int64_t page_faults = 0;        // minor page faults of the end-to-end run (see applyAllocatorPolicy)
    int64_t transformer_parameters = 0;
    int tokens = 0;                 // video tokens per sample
};

// Runs the pipeline on `request` (defaults filled from the model) and times each stage; the clip's
// total is measured end to end by a full run after a warm-up run.
GenerationBench benchGeneration(const std::string& model_dir, const GenerationRequest& request,
                                const PipelineOptions& options = {});

}  // namespace kinora::engine
