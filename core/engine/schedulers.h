// The flow-matching samplers of Wan2.1: UniPC (multistep predictor-corrector, bh1/bh2) and Euler, with
// the numerics of Diffusers' UniPCMultistepScheduler (use_flow_sigmas) and
// FlowMatchEulerDiscreteScheduler, which is what the reference outputs in tests/data/wan-tiny come from.
// Schedules are computed in float64 where the reference uses NumPy and cast to float32 at the same
// point; the step arithmetic runs as the same float32 ATen operations on 0-d tensors.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kinora::engine {

// The flow shift of a noise level: shift*sigma / (1 + (shift-1)*sigma). Shift > 1 spends more steps at
// high noise. Sampling and training use the same function so their noise levels agree.
double shiftSigma(double sigma, double shift);

// A scheduler_config.json, reduced to what Kinora implements. Values Kinora does not implement are
// rejected (EngineError naming the file and key) rather than sampled with something else.
struct SchedulerConfig {
    static constexpr const char* kUniPCClass = "UniPCMultistepScheduler";
    static constexpr const char* kEulerClass = "FlowMatchEulerDiscreteScheduler";

    std::string source = "scheduler config";  // the file it came from, for error messages
    std::string class_name = kUniPCClass;
    int64_t num_train_timesteps = 1000;
    double shift = 1.0;  // UniPC: flow_shift, Euler: shift
    bool use_dynamic_shifting = false;

    // UniPC only; the defaults are Wan2.1's (also used for a UniPC sampler made from an Euler config).
    int64_t solver_order = 2;
    std::string solver_type = "bh2";  // bh1 or bh2
    std::string prediction_type = "flow_prediction";
    bool predict_x0 = true;
    bool use_flow_sigmas = true;
    bool lower_order_final = true;
    std::string final_sigmas_type = "zero";  // zero or sigma_min
    std::vector<int64_t> disable_corrector;  // step indices whose following step skips the corrector

    // Reads and validates `path`.
    static SchedulerConfig fromFile(const std::string& path);
    // Throws EngineError naming `source` and the key when a value is out of range or not implemented.
    void validate() const;
    bool isUniPC() const { return class_name == kUniPCClass; }
};

// One sampler. Usage per generation: setTimesteps(N), then step(model_output, i, sample) for i = 0..N-1,
// where the model was evaluated at timesteps()[i]; step returns the sample for step i+1.
class Scheduler {
public:
    virtual ~Scheduler() = default;
    virtual std::string name() const = 0;  // "unipc" or "euler"

    // Computes the schedule for `steps` steps (1..10000; EngineError otherwise) and clears the state.
    void setTimesteps(int steps);
    // Clears what previous step() calls left (UniPC's history), keeping the schedule.
    virtual void reset() {}

    int steps() const { return steps_; }
    // float32 [steps]: the model's timestep input of each step.
    const at::Tensor& timesteps() const { return timesteps_; }
    // float32 [steps + 1]: the noise level before each step and after the last one.
    const at::Tensor& sigmas() const { return sigmas_; }

    // One step from sigmas()[step_index] to sigmas()[step_index + 1]. `model_output` is the flow
    // (velocity) prediction for `sample`; both have the same shape, at least 2 dimensions [B, C, ...].
    // Calling it out of order or before setTimesteps is a programming error (std::logic_error).
    at::Tensor step(const at::Tensor& model_output, int64_t step_index, const at::Tensor& sample);

protected:
    // Fills timesteps_ and sigmas_ for `steps` steps.
    virtual void computeSchedule(int steps) = 0;
    virtual at::Tensor doStep(const at::Tensor& model_output, int64_t step_index, const at::Tensor& sample) = 0;

    at::Tensor timesteps_;
    at::Tensor sigmas_;
    int steps_ = 0;
};

class UniPCScheduler : public Scheduler {
public:
    explicit UniPCScheduler(SchedulerConfig cfg);  // validates
    std::string name() const override { return "unipc"; }
    void reset() override;
    const SchedulerConfig& config() const { return cfg_; }

protected:
    void computeSchedule(int steps) override;
    at::Tensor doStep(const at::Tensor& model_output, int64_t step_index, const at::Tensor& sample) override;

private:
    // UniP: from `x` at sigmas[step_index] to sigmas[step_index + 1], using the newest `order` data
    // predictions. UniC: redoes the last predictor's step from `last_sample` to sigmas[step_index] with
    // the data prediction made there, giving the corrected sample that replaces the predicted one.
    at::Tensor predictor(const at::Tensor& x, int64_t step_index, int64_t order) const;
    at::Tensor corrector(const at::Tensor& this_model_output, const at::Tensor& last_sample, int64_t step_index,
                         int64_t order) const;

    SchedulerConfig cfg_;
    // History of one generation: the last solver_order data predictions (newest last), the sample the
    // last predictor started from, how many steps ran (capped at solver_order), the order of the last
    // predictor (the next corrector uses it) and the index the last step had.
    std::vector<at::Tensor> model_outputs_;
    at::Tensor last_sample_;
    int64_t lower_order_nums_ = 0;
    int64_t this_order_ = 0;
    int64_t step_index_ = -1;
};

class EulerScheduler : public Scheduler {
public:
    EulerScheduler(int64_t num_train_timesteps, double shift);  // EngineError when out of range
    std::string name() const override { return "euler"; }
    double shift() const { return shift_; }

protected:
    void computeSchedule(int steps) override;
    at::Tensor doStep(const at::Tensor& model_output, int64_t step_index, const at::Tensor& sample) override;

private:
    int64_t num_train_timesteps_;
    double shift_;
    double sigma_max_ = 1.0;  // the training schedule's ends, as Diffusers derives them in float32
    double sigma_min_ = 0.0;
};

// The sampler for a model: `sampler` "" takes the config's class, "unipc" or "euler" override it (an
// Euler sampler from a UniPC config keeps num_train_timesteps and the shift; a UniPC sampler from an
// Euler config uses Wan2.1's solver settings). `shift` overrides the config's shift.
std::unique_ptr<Scheduler> makeScheduler(const SchedulerConfig& cfg, const std::string& sampler = "",
                                         std::optional<double> shift = std::nullopt);

}  // namespace kinora::engine
