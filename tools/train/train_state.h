// What the training stages share: optimiser, EMA of the weights, deterministic batch indices, the CSV
// log, and checkpoints that make every stage resumable after an interruption with the same result as
// an uninterrupted run.
#pragma once

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/optim/adamw.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kinora::train {

// The named trainable modules of a stage, e.g. {"text_encoder": ..., "transformer": ...}.
using ModuleSet = std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>>;

std::vector<at::Tensor> parametersOf(const ModuleSet& modules);

// Exponential moving average of parameters (sampling uses the EMA weights: smoother than the raw ones).
class Ema {
public:
    Ema(const ModuleSet& modules, double decay);
    void update(const ModuleSet& modules);
    // Copies the EMA weights into / out of the modules (swap keeps both).
    void swap(const ModuleSet& modules);
    std::vector<std::pair<std::string, at::Tensor>> named(const ModuleSet& modules) const;
    void load(const ModuleSet& modules, const std::map<std::string, at::Tensor>& named);
    double decay() const { return decay_; }
    // The average of the index-th parameter of parametersOf (a handle: writing to it writes the average).
    at::Tensor shadow(size_t index) const { return shadow_.at(index); }

private:
    double decay_;
    std::vector<at::Tensor> shadow_;
};

// The EMA decay for a stage of `steps` optimiser steps that starts from trained weights: 0.999 (a
// horizon of ~1000 steps), lowered for short stages so that the average forgets its starting point
// (1 - 10 / steps: the start keeps a weight of ~e^-10). With 0.999, a 600-step decoder stage would have
// shipped an average still 55% the decoder it started from (0.999^600).
double emaDecayFor(int64_t steps);

// Learning rate with linear warm-up then cosine decay to `final_fraction` of the peak.
double learningRate(int64_t step, int64_t total, int64_t warmup, double peak, double final_fraction = 0.1);

// learningRate over cycles: the schedule starts again (warm-up, then cosine decay) at each step in
// `restarts` (increasing, each in (0, total)), and the last cycle ends at `total`. This is how a run that
// reached its planned end trains on: the total grows and the old end becomes a restart, so the steps
// before it keep the learning rates they had, and a run from scratch with the same list reproduces it.
double cyclicLearningRate(int64_t step, const std::vector<int64_t>& restarts, int64_t total, int64_t warmup, double peak);
// The same with a peak per cycle (`peaks`: restarts.size() + 1 values, or one for every cycle), so that a
// cycle added past the old end can warm up to a lower rate than the first (a restart to the full peak
// undid part of what the decay had won: kinora-tiny's loss jumped at its step 4000).
double cyclicLearningRate(int64_t step, const std::vector<int64_t>& restarts, int64_t total, int64_t warmup,
                          const std::vector<double>& peaks);
// The peak of the cycle `step` is in (`peaks` as above; std::invalid_argument when their count does not fit the cycles).
double cyclePeak(int64_t step, const std::vector<int64_t>& restarts, const std::vector<double>& peaks);

// After a warm start at `start` (weights carried in, a fresh optimiser): the factor on the learning rate
// that warms it up again over `warmup` steps; 1 when start is 0 (a run from scratch or a checkpoint).
double rewarmFactor(int64_t step, int64_t start, int64_t warmup);

// Batch `step` of a run: `batch` clip indices in [0, pool), deterministic in (seed, step).
std::vector<int64_t> batchIndices(uint64_t seed, int64_t step, int64_t batch, int64_t pool);

// A CPU generator for step `step` of a run (noise, timesteps, caption dropout).
at::Generator stepGenerator(uint64_t seed, int64_t step, uint64_t stream);

class CsvLog {
public:
    CsvLog(const std::string& path, const std::vector<std::string>& columns, bool append);
    ~CsvLog();
    void row(const std::vector<double>& values);
    // Drops rows after `step` (first column) when resuming from an earlier checkpoint.
    static void truncateAfter(const std::string& path, int64_t step);

private:
    FILE* f_ = nullptr;
};

struct Checkpoint {
    int64_t step = 0;
    // Compute time of the stage up to this checkpoint, summed over resumes and warm starts (ComputeClock:
    // the process's CPU time over its compute threads, sampling included); work lost to an interruption
    // after the last checkpoint is not counted, as it is redone. What the model card's training hours
    // come from.
    double seconds = 0;
    std::map<std::string, std::string> info;  // stage options, for a human reading state.json
};

// A stage's compute time (Checkpoint::seconds), counted on from what the checkpoint or warm start had:
// the CPU time this process used since the clock started, divided by the threads it computes with,
// i.e. the time the work takes on that many dedicated cores. Wall-clock time was used before (for the
// bundled model's VAE up to step 7800); it also counted the hours the run sat paused (SIGSTOP while
// benchmarks ran) or waited for cores a build held, which said more about the machine's day than
// about the model.
class ComputeClock {
public:
    explicit ComputeClock(double before);
    double seconds() const;

private:
    static double cpuSeconds();
    double before_;
    double started_;  // cpuSeconds() at construction
    int threads_;
};

// Writes <dir>/{state.json, weights.safetensors, ema.safetensors, optim.pt} into <dir>.tmp then swaps it
// in (the previous checkpoint survives a crash mid-write as <dir>.prev).
void saveCheckpoint(const std::string& dir, const Checkpoint& state, const ModuleSet& modules, const Ema& ema,
                    torch::optim::Optimizer& optimizer);
// True when a checkpoint was found and loaded into modules, ema and optimizer.
bool loadCheckpoint(const std::string& dir, Checkpoint& state, const ModuleSet& modules, Ema& ema,
                    torch::optim::Optimizer& optimizer);

// A row of an embedding table to start again: set to the mean of the rows `from` (as they were before
// any row changed); left as it is when `from` is empty.
struct EmbeddingRowInit {
    int64_t row = 0;
    std::vector<int64_t> from;
};
// Starts rows of the parameter `name` ("text_encoder.shared.weight": the module's name in `modules`, a
// dot, the parameter's) again in the weights and their EMA, and zeroes the optimiser's moments of those
// rows (an AdamW optimiser's), so that what it had learned of the rows' old meaning does not steer them.
// Throws EngineError when `name` is not a parameter of `modules` or a row is out of its range.
void reinitEmbeddingRows(const ModuleSet& modules, Ema& ema, torch::optim::Optimizer& optimizer, const std::string& name,
                         const std::vector<EmbeddingRowInit>& rows);

// Global gradient-norm clipping; returns the norm before clipping.
double clipGradients(const std::vector<at::Tensor>& params, double max_norm);

}  // namespace kinora::train
