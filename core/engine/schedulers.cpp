#include "engine/schedulers.h"

#include "engine/config_json.h"
#include "engine/error.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace kinora::engine {

namespace {

constexpr int kMaxSteps = 10000;

[[noreturn]] void failKey(const SchedulerConfig& c, const std::string& key, const std::string& what) {
    throw EngineError(c.source + ": key '" + key + "' " + what);
}

[[noreturn]] void unsupportedClass(const SchedulerConfig& c) {
    throw EngineError(c.source + ": scheduler class '" + c.class_name + "' is not supported (Kinora implements " +
                      SchedulerConfig::kUniPCClass + " and " + SchedulerConfig::kEulerClass + ")");
}

std::string numberText(double v) {
    std::ostringstream s;
    s.precision(17);
    s << v;
    return s.str();
}

// numpy.linspace(start, stop, num) in float64, operation for operation: i*step + start with
// step = (stop - start)/(num - 1), the last value set to `stop`. The schedules must match the
// reference to the last float32 bit (a timestep near 1000 has an ulp of 6e-5, above the tolerance).
std::vector<double> numpyLinspace(double start, double stop, int64_t num) {
    std::vector<double> y(static_cast<size_t>(num));
    if (num == 1) {
        y[0] = start;
        return y;
    }
    const double step = (stop - start) / static_cast<double>(num - 1);
    for (int64_t i = 0; i < num; ++i) {
        const double scaled = static_cast<double>(i) * step;
        y[static_cast<size_t>(i)] = scaled + start;
    }
    y.back() = stop;
    return y;
}

at::Tensor floatTensor(const std::vector<double>& values) {
    auto t = at::empty({static_cast<int64_t>(values.size())}, at::kFloat);
    auto* p = t.data_ptr<float>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<float>(values[i]);
    return t;
}

// lambda = log(alpha) - log(sigma), the half log-SNR UniPC steps in; for flow sigmas alpha = 1 - sigma.
// 0-d float32 tensors, as in the reference, so the rounding is the same.
at::Tensor flowLambda(const at::Tensor& sigma) {
    const at::Tensor alpha = at::rsub(sigma, 1);
    return at::log(alpha) - at::log(sigma);
}

}  // namespace

double shiftSigma(double sigma, double shift) { return shift * sigma / (1 + (shift - 1) * sigma); }

// ---------------------------------------------------------------------------------------------------
// Config

SchedulerConfig SchedulerConfig::fromFile(const std::string& path) {
    const ConfigReader r = ConfigReader::fromFile(path);
    SchedulerConfig c;
    c.source = path;
    c.class_name = r.string("_class_name");
    if (c.class_name != kUniPCClass && c.class_name != kEulerClass) unsupportedClass(c);
    const bool unipc = c.isUniPC();
    c.num_train_timesteps = r.integer("num_train_timesteps", 1);
    // Required although Diffusers defaults it to 1.0: every flow model ships its shift, and a config
    // without one is more likely broken than meant to run unshifted.
    c.shift = r.number(unipc ? "flow_shift" : "shift");
    c.use_dynamic_shifting = r.booleanOr("use_dynamic_shifting", false);

    // Options that change the schedule or the update and that Kinora does not implement.
    for (const char* key : {"use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas"}) {
        if (r.booleanOr(key, false)) r.fail(key, "is true; Kinora implements only the shifted flow schedule");
    }
    if (r.has("shift_terminal")) r.fail("shift_terminal", "is set; stretching the schedule is not implemented");

    if (unipc) {
        c.solver_order = r.integer("solver_order", 1, 3);
        c.solver_type = r.stringOr("solver_type", "bh2");
        // Diffusers maps these older names to bh2 when it loads a config.
        if (c.solver_type == "midpoint" || c.solver_type == "heun" || c.solver_type == "logrho") c.solver_type = "bh2";
        c.prediction_type = r.string("prediction_type");
        c.predict_x0 = r.booleanOr("predict_x0", true);
        c.use_flow_sigmas = r.boolean("use_flow_sigmas");
        c.lower_order_final = r.booleanOr("lower_order_final", true);
        c.final_sigmas_type = r.stringOr("final_sigmas_type", "zero");
        c.disable_corrector = r.has("disable_corrector") ? r.integers("disable_corrector") : std::vector<int64_t>{};
        if (r.booleanOr("thresholding", false)) r.fail("thresholding", "is true; dynamic thresholding is not implemented");
        if (r.has("solver_p")) r.fail("solver_p", "is set; an external predictor is not implemented");
    } else {
        if (r.booleanOr("invert_sigmas", false)) r.fail("invert_sigmas", "is true; inverted sigmas are not implemented");
        if (r.booleanOr("stochastic_sampling", false)) {
            r.fail("stochastic_sampling", "is true; only the deterministic Euler step is implemented");
        }
    }
    c.validate();
    return c;
}

void SchedulerConfig::validate() const {
    const bool unipc = isUniPC();
    if (!unipc && class_name != kEulerClass) unsupportedClass(*this);
    if (num_train_timesteps < 1) failKey(*this, "num_train_timesteps", "must be at least 1");
    const char* shift_key = unipc ? "flow_shift" : "shift";
    if (!std::isfinite(shift) || shift <= 0) failKey(*this, shift_key, "must be a finite number > 0");
    if (use_dynamic_shifting) {
        failKey(*this, "use_dynamic_shifting", "is true; resolution-dependent shifting is not implemented (use a fixed shift)");
    }
    if (!unipc) return;
    if (solver_order < 1 || solver_order > 3) failKey(*this, "solver_order", "must be 1, 2 or 3");
    if (solver_type != "bh1" && solver_type != "bh2") failKey(*this, "solver_type", "must be bh1 or bh2, not '" + solver_type + "'");
    if (prediction_type != "flow_prediction") {
        failKey(*this, "prediction_type", "is '" + prediction_type + "'; Kinora's UniPC implements only flow_prediction");
    }
    if (!predict_x0) failKey(*this, "predict_x0", "is false; flow_prediction needs the data-prediction form (true)");
    if (!use_flow_sigmas) failKey(*this, "use_flow_sigmas", "is false; Kinora's UniPC implements only flow sigmas");
    if (final_sigmas_type != "zero" && final_sigmas_type != "sigma_min") {
        failKey(*this, "final_sigmas_type", "must be zero or sigma_min, not '" + final_sigmas_type + "'");
    }
    // The last step of a multistep update down to sigma 0 has lambda = log(1/0) = inf and turns the
    // history terms into infinities (in Diffusers too); only the first-order last step is finite.
    if (solver_order > 1 && !lower_order_final && final_sigmas_type == "zero") {
        failKey(*this, "lower_order_final", "is false with final_sigmas_type zero, which ends in infinities; set it to true");
    }
    for (int64_t i : disable_corrector) {
        if (i < 0) failKey(*this, "disable_corrector", "holds a negative step index");
    }
}

// ---------------------------------------------------------------------------------------------------
// Scheduler

void Scheduler::setTimesteps(int steps) {
    if (steps < 1 || steps > kMaxSteps) {
        throw EngineError("number of steps " + std::to_string(steps) + " is outside 1.." + std::to_string(kMaxSteps));
    }
    computeSchedule(steps);
    steps_ = steps;
    reset();
}

at::Tensor Scheduler::step(const at::Tensor& model_output, int64_t step_index, const at::Tensor& sample) {
    if (steps_ == 0) throw std::logic_error(name() + " scheduler: step() before setTimesteps()");
    if (step_index < 0 || step_index >= steps_) {
        throw std::out_of_range(name() + " scheduler: step index " + std::to_string(step_index) + " outside 0.." +
                                std::to_string(steps_ - 1));
    }
    if (!model_output.defined() || !sample.defined() || model_output.sizes() != sample.sizes() || sample.dim() < 2 ||
        !at::isFloatingType(sample.scalar_type()) || !at::isFloatingType(model_output.scalar_type())) {
        throw std::invalid_argument(name() + " scheduler: model output and sample must be floating tensors of one "
                                    "shape [B, C, ...]");
    }
    return doStep(model_output, step_index, sample);
}

// ---------------------------------------------------------------------------------------------------
// UniPC

UniPCScheduler::UniPCScheduler(SchedulerConfig cfg) : cfg_(std::move(cfg)) {
    cfg_.validate();
    reset();
}

void UniPCScheduler::reset() {
    model_outputs_.assign(static_cast<size_t>(cfg_.solver_order), at::Tensor());
    last_sample_ = at::Tensor();
    lower_order_nums_ = 0;
    this_order_ = 0;
    step_index_ = -1;
}

void UniPCScheduler::computeSchedule(int steps) {
    const double n_train = static_cast<double>(cfg_.num_train_timesteps);
    std::vector<double> sigmas = numpyLinspace(1.0, 1.0 / n_train, steps + 1);
    sigmas.pop_back();
    for (double& s : sigmas) s = shiftSigma(s, cfg_.shift);
    // A first sigma of 1 has alpha = 0 and log(alpha) = -inf in the first updates.
    constexpr double eps = 1e-6;
    if (std::fabs(sigmas[0] - 1) < eps) sigmas[0] -= eps;

    // Timesteps from the float64 sigmas, truncated to integers as Diffusers' cast to int64 does.
    std::vector<double> timesteps(sigmas.size());
    for (size_t i = 0; i < sigmas.size(); ++i) timesteps[i] = std::trunc(sigmas[i] * n_train);
    sigmas.push_back(cfg_.final_sigmas_type == "zero" ? 0.0 : sigmas.back());
    timesteps_ = floatTensor(timesteps);
    sigmas_ = floatTensor(sigmas);
}

namespace {

// The terms UniP and UniC share (Diffusers' multistep_uni_{p,c}_bh_update with predict_x0): a step from
// sigma_s0 to sigma_t whose history is the data predictions `m_prev[i]` made at `sigma_prev[i]`
// (i = 0 is the newest before m0). Everything scalar is a 0-d float32 tensor, as in the reference.
struct BhTerms {
    at::Tensor alpha_t, sigma_t, sigma_s0, h_phi_1, B_h;
    at::Tensor R, b;  // [order, order], [order]: the linear system of the rho coefficients
    at::Tensor D1s;   // [B, order-1, C, ...] scaled differences of the history; undefined for order 1
};

BhTerms bhTerms(const at::Tensor& sigma_t, const at::Tensor& sigma_s0, const std::vector<at::Tensor>& sigma_prev,
                const std::vector<at::Tensor>& m_prev, const at::Tensor& m0, int64_t order, bool bh2) {
    BhTerms t;
    t.sigma_t = sigma_t;
    t.sigma_s0 = sigma_s0;
    t.alpha_t = at::rsub(sigma_t, 1);
    const at::Tensor lambda_s0 = flowLambda(sigma_s0);
    const at::Tensor h = flowLambda(sigma_t) - lambda_s0;

    std::vector<at::Tensor> rks, D1s;
    for (int64_t i = 1; i < order; ++i) {
        const at::Tensor rk = (flowLambda(sigma_prev[static_cast<size_t>(i - 1)]) - lambda_s0) / h;
        rks.push_back(rk);
        D1s.push_back((m_prev[static_cast<size_t>(i - 1)] - m0) / rk);
    }
    rks.push_back(at::ones({}, at::kFloat));
    const at::Tensor rk_all = at::stack(rks);

    const at::Tensor hh = -h;  // predict_x0
    t.h_phi_1 = at::expm1(hh);
    at::Tensor h_phi_k = t.h_phi_1 / hh - 1;
    int64_t factorial_i = 1;
    t.B_h = bh2 ? at::expm1(hh) : hh;
    std::vector<at::Tensor> R, b;
    for (int64_t i = 1; i <= order; ++i) {
        R.push_back(at::pow(rk_all, i - 1));
        b.push_back(h_phi_k * factorial_i / t.B_h);
        factorial_i *= i + 1;
        h_phi_k = h_phi_k / hh - 1.0 / static_cast<double>(factorial_i);
    }
    t.R = at::stack(R);
    t.b = at::stack(b);
    if (!D1s.empty()) t.D1s = at::stack(D1s, 1);
    return t;
}

}  // namespace

at::Tensor UniPCScheduler::predictor(const at::Tensor& x, int64_t k, int64_t order) const {
    const size_t n = model_outputs_.size();
    const at::Tensor& m0 = model_outputs_[n - 1];
    std::vector<at::Tensor> sigma_prev, m_prev;
    for (int64_t i = 1; i < order; ++i) {
        sigma_prev.push_back(sigmas_[k - i]);
        m_prev.push_back(model_outputs_[n - 1 - static_cast<size_t>(i)]);
    }
    const BhTerms t = bhTerms(sigmas_[k + 1], sigmas_[k], sigma_prev, m_prev, m0, order, cfg_.solver_type == "bh2");

    at::Tensor x_t = t.sigma_t / t.sigma_s0 * x - t.alpha_t * t.h_phi_1 * m0;
    if (t.D1s.defined()) {
        // Order 2 uses rho = 1/2 instead of solving the 1x1 system, as UniPC does.
        const at::Tensor rhos_p = order == 2
            ? at::ones({1}, x.options()) * 0.5
            : at::linalg_solve(t.R.slice(0, 0, -1).slice(1, 0, -1), t.b.slice(0, 0, -1)).to(x.scalar_type());
        const at::Tensor pred_res = at::einsum("k,bkc...->bc...", {rhos_p, t.D1s});
        x_t = x_t - t.alpha_t * t.B_h * pred_res;
    }
    return x_t.to(x.scalar_type());
}

at::Tensor UniPCScheduler::corrector(const at::Tensor& this_model_output, const at::Tensor& last_sample, int64_t k,
                                     int64_t order) const {
    // model_outputs_ still ends with the previous step's prediction here: the history of the step
    // from sigmas[k-1] to sigmas[k] that is being corrected.
    const size_t n = model_outputs_.size();
    const at::Tensor& m0 = model_outputs_[n - 1];
    std::vector<at::Tensor> sigma_prev, m_prev;
    for (int64_t i = 1; i < order; ++i) {
        sigma_prev.push_back(sigmas_[k - (i + 1)]);
        m_prev.push_back(model_outputs_[n - 1 - static_cast<size_t>(i)]);
    }
    const BhTerms t = bhTerms(sigmas_[k], sigmas_[k - 1], sigma_prev, m_prev, m0, order, cfg_.solver_type == "bh2");

    const at::Tensor& x = last_sample;
    // Order 1 uses rho = 1/2 instead of solving the 1x1 system, as UniPC does.
    const at::Tensor rhos_c = order == 1 ? at::ones({1}, x.options()) * 0.5
                                         : at::linalg_solve(t.R, t.b).to(x.scalar_type());
    const at::Tensor x_t_ = t.sigma_t / t.sigma_s0 * x - t.alpha_t * t.h_phi_1 * m0;
    const at::Tensor D1_t = this_model_output - m0;
    at::Tensor res = rhos_c[-1] * D1_t;
    if (t.D1s.defined()) res = at::einsum("k,bkc...->bc...", {rhos_c.slice(0, 0, -1), t.D1s}) + res;
    const at::Tensor x_t = x_t_ - t.alpha_t * t.B_h * res;
    return x_t.to(x.scalar_type());
}

at::Tensor UniPCScheduler::doStep(const at::Tensor& model_output, int64_t k, const at::Tensor& sample) {
    // The multistep history belongs to consecutive steps; the first step may start anywhere (a
    // generation that starts part-way down the schedule).
    if (step_index_ >= 0 && k != step_index_ + 1) {
        throw std::logic_error("unipc scheduler: step " + std::to_string(k) + " after step " +
                               std::to_string(step_index_) + " (call reset() to start again)");
    }
    const bool use_corrector =
        k > 0 && last_sample_.defined() &&
        std::find(cfg_.disable_corrector.begin(), cfg_.disable_corrector.end(), k - 1) == cfg_.disable_corrector.end();

    // Flow prediction -> data prediction: x0 = x - sigma * v.
    const at::Tensor m = sample - sigmas_[k] * model_output;
    const at::Tensor x = use_corrector ? corrector(m, last_sample_, k, this_order_) : sample;

    std::rotate(model_outputs_.begin(), model_outputs_.begin() + 1, model_outputs_.end());
    model_outputs_.back() = m;

    // Lower orders for the first steps (not enough history) and, with lower_order_final, the last ones.
    int64_t order = cfg_.lower_order_final ? std::min<int64_t>(cfg_.solver_order, steps_ - k) : cfg_.solver_order;
    this_order_ = std::min(order, lower_order_nums_ + 1);
    last_sample_ = x;
    step_index_ = k;
    at::Tensor prev = predictor(x, k, this_order_);
    lower_order_nums_ = std::min(lower_order_nums_ + 1, cfg_.solver_order);
    return prev;
}

// ---------------------------------------------------------------------------------------------------
// Euler

EulerScheduler::EulerScheduler(int64_t num_train_timesteps, double shift)
    : num_train_timesteps_(num_train_timesteps), shift_(shift) {
    SchedulerConfig check;
    check.source = "euler scheduler";
    check.class_name = SchedulerConfig::kEulerClass;
    check.num_train_timesteps = num_train_timesteps;
    check.shift = shift;
    check.validate();
    // Diffusers derives the range of the inference schedule from the shifted training schedule in
    // float32 (then shifts the inference sigmas a second time in set_timesteps). Only its two ends matter:
    // training timesteps N and 1.
    const at::Tensor t = at::tensor({static_cast<float>(num_train_timesteps), 1.0f});
    const at::Tensor s = t / num_train_timesteps;
    const at::Tensor shifted = s * shift / ((s * (shift - 1)) + 1);
    sigma_max_ = static_cast<double>(shifted[0].item<float>());
    sigma_min_ = static_cast<double>(shifted[1].item<float>());
}

void EulerScheduler::computeSchedule(int steps) {
    const double n_train = static_cast<double>(num_train_timesteps_);
    std::vector<double> sigmas = numpyLinspace(sigma_max_ * n_train, sigma_min_ * n_train, steps);
    for (double& s : sigmas) s = shiftSigma(s / n_train, shift_);
    const at::Tensor sig = floatTensor(sigmas);
    timesteps_ = sig * num_train_timesteps_;  // float32, from the float32 sigmas
    sigmas_ = at::cat({sig, at::zeros({1}, at::kFloat)});
}

at::Tensor EulerScheduler::doStep(const at::Tensor& model_output, int64_t k, const at::Tensor& sample) {
    const at::Tensor dt = sigmas_[k + 1] - sigmas_[k];
    const at::Tensor prev = sample.to(at::kFloat) + dt * model_output;
    return prev.to(model_output.scalar_type());
}

// ---------------------------------------------------------------------------------------------------
// Factory

std::unique_ptr<Scheduler> makeScheduler(const SchedulerConfig& cfg, const std::string& sampler,
                                         std::optional<double> shift) {
    cfg.validate();
    if (shift && (!std::isfinite(*shift) || *shift <= 0)) {
        throw EngineError("shift " + numberText(*shift) + " must be a finite number > 0");
    }
    const double use_shift = shift.value_or(cfg.shift);
    std::string kind = sampler;
    if (kind.empty()) kind = cfg.isUniPC() ? "unipc" : "euler";
    if (kind == "euler") return std::make_unique<EulerScheduler>(cfg.num_train_timesteps, use_shift);
    if (kind == "unipc") {
        SchedulerConfig u = cfg;
        u.class_name = SchedulerConfig::kUniPCClass;
        u.shift = use_shift;
        return std::make_unique<UniPCScheduler>(std::move(u));
    }
    throw EngineError("unknown sampler '" + sampler + "' (valid: unipc, euler)");
}

}  // namespace kinora::engine
