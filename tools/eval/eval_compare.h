// `kinora eval compare`: two world evaluations of the same prompts (a shipped model and a candidate),
// side by side, prompt by prompt, and the project's rule for replacing the shipped model. The reports
// are the JSON of `kinora eval --json --cases`; every figure is recounted from their cases, so nothing
// is lost to the percentages' rounding.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <map>
#include <string>
#include <vector>

namespace kinora::eval {

// The measures compared, in this order.
enum CompareMeasure { kColour, kShape, kMotion, kBackground, kCoherent, kAccelerating, kMeasureCount };
const char* compareMeasureName(int measure);  // "colour", ..., "falling accelerating"

// How many prompts of a group got a measure right. For falling accelerating, out of the falling prompts.
struct CompareCounts {
    int n = 0, falling = 0;
    std::array<int, kMeasureCount> right{};
    int outOf(int measure) const { return measure == kAccelerating ? falling : n; }
};

struct EvalPairComparison {
    std::string before_name, after_name;  // what the reports were called (their files)
    nlohmann::json seed;                  // the prompts' seed, as the reports give it
    // "all", "seen", "held-out", "english", "chinese", then "motion: <name>" for each asked motion.
    std::vector<std::string> groups;
    std::map<std::string, std::array<CompareCounts, 2>> counts;  // [0] before, [1] after
    // Prompts right in one report only, for each measure: [0] before only, [1] after only.
    std::array<std::array<int, 2>, kMeasureCount> only{};
    nlohmann::json toJson() const;
};

// Compares `before` with `after`, two reports of the same prompts. Throws std::invalid_argument, saying
// which report and what to do, when one has no cases (run without --cases), when their prompts differ
// (another --seed, --prompts or --motion), or when a case lacks a field.
EvalPairComparison compareEvaluations(const nlohmann::json& before, const nlohmann::json& after, const std::string& beforeName,
                                      const std::string& afterName);

// The rule a candidate must pass to replace the shipped model, over every pair (one per seed): no
// measure of all prompts lower in any pair (colour, shape, motion, background, falling accelerating),
// and colour, shape and motion each higher in every pair. Coherence is shown but not part of the rule
// (colour is credited only to a coherent object, so colour already carries it).
struct CompareVerdict {
    bool better = false;
    std::vector<std::string> reasons;  // "seed 2: colour 94.5% -> 93.0% (lower)"; empty when better
};
CompareVerdict shippingVerdict(const std::vector<EvalPairComparison>& pairs);

// The comparison as text: one table per pair, then the verdict.
std::string formatComparison(const std::vector<EvalPairComparison>& pairs, const CompareVerdict& verdict);

}  // namespace kinora::eval
