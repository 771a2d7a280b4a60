#include "train/train_state.h"

#include "engine/error.h"
#include "engine/safetensors.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/serialize.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include <time.h>

namespace kinora::train {

namespace fs = std::filesystem;

ComputeClock::ComputeClock(double before)
    : before_(before), started_(cpuSeconds()), threads_(std::max(1, at::get_num_threads())) {}

double ComputeClock::seconds() const { return before_ + (cpuSeconds() - started_) / threads_; }

double ComputeClock::cpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

std::vector<at::Tensor> parametersOf(const ModuleSet& modules) {
    std::vector<at::Tensor> out;
    for (const auto& [name, m] : modules) {
        for (const auto& p : m->parameters()) out.push_back(p);
    }
    return out;
}

Ema::Ema(const ModuleSet& modules, double decay) : decay_(decay) {
    at::NoGradGuard ng;
    for (const auto& p : parametersOf(modules)) shadow_.push_back(p.detach().clone());
}

void Ema::update(const ModuleSet& modules) {
    at::NoGradGuard ng;
    const auto params = parametersOf(modules);
    for (size_t i = 0; i < params.size(); ++i) {
        // A frozen parameter's average is itself; averaging the constant would still move it by rounding
        // (decay * x + (1 - decay) * x is not always x in floating point), which a frozen encoder must not.
        if (!params[i].requires_grad()) continue;
        shadow_[i].mul_(decay_).add_(params[i].detach(), 1.0 - decay_);
    }
}

void Ema::swap(const ModuleSet& modules) {
    at::NoGradGuard ng;
    const auto params = parametersOf(modules);
    for (size_t i = 0; i < params.size(); ++i) {
        auto tmp = params[i].detach().clone();
        params[i].detach().copy_(shadow_[i]);
        shadow_[i].copy_(tmp);
    }
}

std::vector<std::pair<std::string, at::Tensor>> Ema::named(const ModuleSet& modules) const {
    std::vector<std::pair<std::string, at::Tensor>> out;
    size_t i = 0;
    for (const auto& [prefix, m] : modules) {
        for (const auto& p : m->named_parameters()) out.emplace_back(prefix + "." + p.key(), shadow_[i++]);
    }
    return out;
}

void Ema::load(const ModuleSet& modules, const std::map<std::string, at::Tensor>& named) {
    at::NoGradGuard ng;
    size_t i = 0;
    for (const auto& [prefix, m] : modules) {
        for (const auto& p : m->named_parameters()) {
            const auto it = named.find(prefix + "." + p.key());
            if (it == named.end()) throw engine::EngineError("EMA checkpoint lacks " + prefix + "." + p.key());
            shadow_[i++].copy_(it->second);
        }
    }
}

double emaDecayFor(int64_t steps) {
    return std::clamp(1.0 - 10.0 / static_cast<double>(std::max<int64_t>(steps, 1)), 0.0, 0.999);
}

double learningRate(int64_t step, int64_t total, int64_t warmup, double peak, double final_fraction) {
    if (step < warmup) return peak * static_cast<double>(step + 1) / static_cast<double>(warmup);
    const double progress = std::min(1.0, static_cast<double>(step - warmup) / std::max<int64_t>(1, total - warmup));
    return peak * (final_fraction + (1 - final_fraction) * 0.5 * (1 + std::cos(M_PI * progress)));
}

double cyclicLearningRate(int64_t step, const std::vector<int64_t>& restarts, int64_t total, int64_t warmup, double peak) {
    return cyclicLearningRate(step, restarts, total, warmup, std::vector<double>{peak});
}

double cyclePeak(int64_t step, const std::vector<int64_t>& restarts, const std::vector<double>& peaks) {
    if (peaks.size() != 1 && peaks.size() != restarts.size() + 1) {
        throw std::invalid_argument("cyclicLearningRate: " + std::to_string(peaks.size()) + " peaks for " +
                                    std::to_string(restarts.size() + 1) + " cycles");
    }
    if (peaks.size() == 1) return peaks[0];
    size_t cycle = 0;
    for (const int64_t r : restarts) cycle += r <= step ? 1 : 0;
    return peaks[cycle];
}

double cyclicLearningRate(int64_t step, const std::vector<int64_t>& restarts, int64_t total, int64_t warmup,
                          const std::vector<double>& peaks) {
    const double peak = cyclePeak(step, restarts, peaks);
    int64_t begin = 0, end = total;
    for (const int64_t r : restarts) {
        if (r <= step) {
            begin = r;
        } else {
            end = r;
            break;
        }
    }
    return learningRate(step - begin, end - begin, warmup, peak);
}

namespace {

uint64_t mix(uint64_t x) {  // splitmix64 finaliser
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

}  // namespace

double rewarmFactor(int64_t step, int64_t start, int64_t warmup) {
    if (start <= 0 || warmup <= 0) return 1.0;
    return std::min(1.0, static_cast<double>(step - start + 1) / static_cast<double>(warmup));
}

std::vector<int64_t> batchIndices(uint64_t seed, int64_t step, int64_t batch, int64_t pool) {
    std::vector<int64_t> out;
    for (int64_t i = 0; i < batch; ++i) {
        out.push_back(static_cast<int64_t>(mix(mix(seed) ^ mix(static_cast<uint64_t>(step) * 1000003ull + static_cast<uint64_t>(i))) %
                                           static_cast<uint64_t>(pool)));
    }
    return out;
}

at::Generator stepGenerator(uint64_t seed, int64_t step, uint64_t stream) {
    return at::detail::createCPUGenerator(mix(seed ^ mix(static_cast<uint64_t>(step) ^ (stream << 48))));
}

CsvLog::CsvLog(const std::string& path, const std::vector<std::string>& columns, bool append) {
    const bool exists = fs::exists(path);
    f_ = std::fopen(path.c_str(), append ? "a" : "w");
    if (!f_) throw engine::EngineError(path + ": cannot write the training log");
    if (!append || !exists) {
        for (size_t i = 0; i < columns.size(); ++i) std::fprintf(f_, "%s%s", i ? "," : "", columns[i].c_str());
        std::fprintf(f_, "\n");
    }
}

CsvLog::~CsvLog() {
    if (f_) std::fclose(f_);
}

void CsvLog::row(const std::vector<double>& values) {
    for (size_t i = 0; i < values.size(); ++i) std::fprintf(f_, "%s%.8g", i ? "," : "", values[i]);
    std::fprintf(f_, "\n");
    std::fflush(f_);
}

void CsvLog::truncateAfter(const std::string& path, int64_t step) {
    std::ifstream in(path);
    if (!in) return;
    std::string line, out;
    bool header = true;
    while (std::getline(in, line)) {
        if (header || line.empty() || std::stoll(line.substr(0, line.find(','))) <= step) out += line + "\n";
        header = false;
    }
    in.close();
    std::ofstream(path) << out;
}

void saveCheckpoint(const std::string& dir, const Checkpoint& state, const ModuleSet& modules, const Ema& ema,
                    torch::optim::Optimizer& optimizer) {
    const fs::path target(dir), tmp(dir + ".tmp"), prev(dir + ".prev");
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    std::vector<std::pair<std::string, at::Tensor>> weights;
    for (const auto& [prefix, m] : modules) {
        for (const auto& p : m->named_parameters()) weights.emplace_back(prefix + "." + p.key(), p.value().detach());
    }
    engine::writeSafetensors((tmp / "weights.safetensors").string(), weights);
    engine::writeSafetensors((tmp / "ema.safetensors").string(), ema.named(modules));
    torch::save(optimizer, (tmp / "optim.pt").string());
    nlohmann::json j = {{"step", state.step}, {"seconds", state.seconds}, {"info", state.info}};
    std::ofstream((tmp / "state.json").string()) << j.dump(2) << "\n";
    fs::remove_all(prev);
    if (fs::exists(target)) fs::rename(target, prev);
    fs::rename(tmp, target);
    fs::remove_all(prev);
}

bool loadCheckpoint(const std::string& dir, Checkpoint& state, const ModuleSet& modules, Ema& ema,
                    torch::optim::Optimizer& optimizer) {
    fs::path d(dir);
    if (!fs::exists(d / "state.json")) {
        if (fs::exists(fs::path(dir + ".prev") / "state.json")) d = dir + ".prev";  // crash during the swap
        else return false;
    }
    std::ifstream in((d / "state.json").string());
    const auto j = nlohmann::json::parse(in);
    state.step = j.at("step").get<int64_t>();
    state.seconds = j.value("seconds", 0.0);  // absent in checkpoints written before it was counted
    state.info = j.at("info").get<std::map<std::string, std::string>>();
    const auto weights = engine::SafetensorsFile::open((d / "weights.safetensors").string());
    at::NoGradGuard ng;
    for (const auto& [prefix, m] : modules) {
        for (auto& p : m->named_parameters()) p.value().detach().copy_(weights->tensor(prefix + "." + p.key()));
    }
    const auto emaFile = engine::SafetensorsFile::open((d / "ema.safetensors").string());
    std::map<std::string, at::Tensor> named;
    for (const auto& t : emaFile->tensors()) named[t.name] = emaFile->tensor(t).clone();
    ema.load(modules, named);
    torch::load(optimizer, (d / "optim.pt").string());
    return true;
}

void reinitEmbeddingRows(const ModuleSet& modules, Ema& ema, torch::optim::Optimizer& optimizer, const std::string& name,
                         const std::vector<EmbeddingRowInit>& rows) {
    at::NoGradGuard ng;
    size_t index = 0;
    at::Tensor param;
    for (const auto& [prefix, m] : modules) {
        for (const auto& p : m->named_parameters()) {
            if (prefix + "." + p.key() == name) param = p.value();
            if (!param.defined()) ++index;
        }
    }
    if (!param.defined() || param.dim() != 2) throw engine::EngineError(name + ": no such embedding table in the trained modules");
    std::vector<int64_t> changed;
    for (const auto& r : rows) {
        for (const int64_t i : r.from) {
            if (i < 0 || i >= param.size(0)) throw engine::EngineError(name + ": row " + std::to_string(i) + " is out of its range");
        }
        if (r.row < 0 || r.row >= param.size(0)) throw engine::EngineError(name + ": row " + std::to_string(r.row) + " is out of its range");
        if (!r.from.empty()) changed.push_back(r.row);
    }
    for (at::Tensor table : {param.detach(), ema.shadow(index)}) {
        const auto before = table.clone();
        for (const auto& r : rows) {
            if (!r.from.empty()) table[r.row].copy_(before.index_select(0, at::tensor(r.from, at::kLong)).mean(0));
        }
    }
    const auto it = optimizer.state().find(c10::guts::to_string(param.unsafeGetTensorImpl()));
    if (it != optimizer.state().end() && !changed.empty()) {
        auto& adam = static_cast<torch::optim::AdamWParamState&>(*it->second);
        const auto idx = at::tensor(changed, at::kLong);
        adam.exp_avg().index_fill_(0, idx, 0.0);
        adam.exp_avg_sq().index_fill_(0, idx, 0.0);
    }
}

double clipGradients(const std::vector<at::Tensor>& params, double max_norm) {
    double total = 0;
    for (const auto& p : params) {
        if (p.grad().defined()) total += p.grad().pow(2).sum().item<double>();
    }
    const double norm = std::sqrt(total);
    if (norm > max_norm) {
        const double scale = max_norm / (norm + 1e-6);
        for (const auto& p : params) {
            if (p.grad().defined()) p.mutable_grad().mul_(scale);
        }
    }
    return norm;
}

}  // namespace kinora::train
