#include "engine/weights.h"

#include "engine/error.h"

#include <set>
#include <sstream>

namespace kinora::engine {
namespace {

std::string shapeText(at::IntArrayRef s) {
    std::ostringstream o;
    o << s;
    return o.str();
}

std::string listText(const std::vector<std::string>& names) {
    std::string text;
    for (size_t i = 0; i < names.size() && i < 10; ++i) text += (i ? ", " : "") + names[i];
    if (names.size() > 10) text += " (and " + std::to_string(names.size() - 10) + " more)";
    return text;
}

}  // namespace

namespace {

using Plan = std::vector<std::pair<at::Tensor, const Checkpoint::Entry*>>;

// Matches every parameter and buffer of `module` with a checkpoint entry; throws the mismatch report.
Plan match(const torch::nn::Module& module, const Checkpoint& checkpoint, const LoadOptions& options) {
    std::vector<std::pair<std::string, at::Tensor>> targets;
    for (const auto& p : module.named_parameters(true)) targets.emplace_back(p.key(), p.value());
    for (const auto& b : module.named_buffers(true)) targets.emplace_back(b.key(), b.value());

    std::vector<std::string> missing, misshaped, unexpected;
    std::set<std::string> used;
    Plan plan;
    for (auto& [name, target] : targets) {
        std::string stored = options.alias ? options.alias(name) : std::string();
        if (stored.empty()) stored = name;
        const auto* entry = checkpoint.find(stored);
        if (!entry) {
            missing.push_back(name);
            continue;
        }
        used.insert(stored);
        if (entry->info->shape != target.sizes().vec()) {
            misshaped.push_back(name + " " + shapeText(entry->info->shape) + " (expected " + shapeText(target.sizes()) + ")");
            continue;
        }
        const auto dt = entry->info->dtype;
        if (dt != StDType::F32 && dt != StDType::F16 && dt != StDType::BF16 && dt != StDType::F64) {
            misshaped.push_back(name + " stored as " + dtypeName(dt) + " (expected a floating-point type)");
            continue;
        }
        plan.emplace_back(target, entry);
    }
    for (const auto& [name, entry] : checkpoint.entries()) {
        if (!used.count(name) && !(options.ignore && options.ignore(name))) unexpected.push_back(name);
    }
    if (!missing.empty() || !misshaped.empty() || !unexpected.empty()) {
        std::string msg = checkpoint.description() + ": the weights do not match " +
                          (options.what.empty() ? std::string("the model") : options.what) + ":";
        if (!missing.empty()) msg += " missing " + std::to_string(missing.size()) + ": " + listText(missing) + ";";
        if (!misshaped.empty()) msg += " wrong shape " + std::to_string(misshaped.size()) + ": " + listText(misshaped) + ";";
        if (!unexpected.empty()) msg += " unexpected " + std::to_string(unexpected.size()) + ": " + listText(unexpected) + ";";
        msg.pop_back();
        throw EngineError(msg);
    }
    return plan;
}

}  // namespace

void checkWeights(const torch::nn::Module& module, const Checkpoint& checkpoint, const LoadOptions& options) {
    match(module, checkpoint, options);
}

LoadReport loadWeights(torch::nn::Module& module, const Checkpoint& checkpoint, const LoadOptions& options) {
    auto plan = match(module, checkpoint, options);

    LoadReport report;
    at::NoGradGuard noGrad;
    for (auto& [target, entry] : plan) {
        at::Tensor stored = entry->file->tensor(*entry->info);
        if (stored.scalar_type() == options.dtype) {
            target.set_data(stored);  // usually a zero-copy view of the (copy-on-write) mapping
            report.zero_copy += entry->file->isMapped(stored.data_ptr()) ? 1 : 0;
        } else {
            target.set_data(stored.to(options.dtype, /*non_blocking=*/false, /*copy=*/true));
            entry->file->release(*entry->info);
        }
        ++report.tensors;
        report.parameters += target.numel();
    }
    return report;
}

}  // namespace kinora::engine
