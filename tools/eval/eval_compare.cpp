#include "eval/eval_compare.h"

#include "worldgen/world.h"

#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace kinora::eval {

namespace {

// One case of a report, the fields the comparison reads.
struct Case {
    std::string prompt, motion;
    bool chinese = false, held_out = false, falling = false;
    std::array<bool, kMeasureCount> right{};
};

// The asked motion of a case without "asked", read from its "expected" ("red circle moving left,
// black"): colour and shape names are one word each, the motion is what lies between them and the comma.
std::string motionInExpected(const std::string& expected) {
    const auto colourEnd = expected.find(' ');
    const auto shapeEnd = colourEnd == std::string::npos ? colourEnd : expected.find(' ', colourEnd + 1);
    const auto comma = expected.find(',');
    if (shapeEnd == std::string::npos || comma == std::string::npos || comma < shapeEnd) return {};
    std::string name = expected.substr(shapeEnd + 1, comma - shapeEnd - 1);
    return world::motionFromName(name) ? name : std::string();
}

std::vector<Case> readCases(const nlohmann::json& report, const std::string& name) {
    if (!report.is_object() || !report.contains("cases")) {
        throw std::invalid_argument(name + " has no per-prompt cases: make it with `kinora eval --json --cases`");
    }
    const auto& cs = report.at("cases");
    if (!cs.is_array() || cs.empty()) throw std::invalid_argument(name + ": its \"cases\" is not a list of prompts");
    std::vector<Case> out;
    for (size_t i = 0; i < cs.size(); ++i) {
        const auto& c = cs[i];
        const char* field = "prompt";
        try {
            Case k;
            k.prompt = c.at(field).get<std::string>();
            if (c.contains("asked")) {
                field = "motion\" of its \"asked";
                k.motion = c.at("asked").at("motion").get<std::string>();
                if (!world::motionFromName(k.motion)) throw std::invalid_argument("");
            } else {  // reports written before cases named what was asked (docs/evals/kinora-tiny-v7-*)
                field = "expected";
                k.motion = motionInExpected(c.at(field).get<std::string>());
                if (k.motion.empty()) throw std::invalid_argument("");
            }
            k.falling = k.motion == world::motionName(world::Motion::Falling);
            const char* flags[] = {"color", "shape", "motion", "background", "coherent", "accelerating"};
            for (int m = 0; m < kMeasureCount; ++m) {
                field = flags[m];
                k.right[static_cast<size_t>(m)] = c.at(field).get<bool>();
            }
            field = "chinese";
            k.chinese = c.at(field).get<bool>();
            field = "held_out";
            k.held_out = c.at(field).get<bool>();
            out.push_back(std::move(k));
        } catch (const std::exception&) {
            throw std::invalid_argument(name + ": case " + std::to_string(i + 1) + " has no valid \"" + field +
                                        "\"; is it the JSON of `kinora eval --json --cases`?");
        }
    }
    return out;
}

void add(CompareCounts& g, const Case& k) {
    ++g.n;
    if (k.falling) ++g.falling;
    for (int m = 0; m < kMeasureCount; ++m) g.right[static_cast<size_t>(m)] += k.right[static_cast<size_t>(m)];
}

std::string percent(int k, int n) {
    if (n == 0) return "-";
    char s[16];
    std::snprintf(s, sizeof s, "%.1f%%", 100.0 * k / n);
    return s;
}

// "92.5%" for a share of prompts, "26 of 31" for falling clips (few enough that the count says more).
std::string figure(const CompareCounts& c, int m) {
    if (m == kAccelerating) return c.falling ? std::to_string(c.right[kAccelerating]) + " of " + std::to_string(c.falling) : "-";
    return percent(c.right[static_cast<size_t>(m)], c.n);
}

std::string pairLabel(const EvalPairComparison& p) {
    return p.seed.is_null() ? p.after_name : "seed " + p.seed.dump();
}

}  // namespace

const char* compareMeasureName(int m) {
    static const char* names[] = {"colour", "shape", "motion", "background", "coherent", "falling accelerating"};
    return m >= 0 && m < kMeasureCount ? names[m] : "?";
}

EvalPairComparison compareEvaluations(const nlohmann::json& before, const nlohmann::json& after, const std::string& beforeName,
                                      const std::string& afterName) {
    const auto a = readCases(before, beforeName), b = readCases(after, afterName);
    if (a.size() != b.size()) {
        throw std::invalid_argument(beforeName + " has " + std::to_string(a.size()) + " prompts and " + afterName + " " +
                                    std::to_string(b.size()) + ": compare evaluations made with the same --prompts, --seed and --motion");
    }
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].prompt != b[i].prompt) {
            throw std::invalid_argument("prompt " + std::to_string(i + 1) + " differs (\"" + a[i].prompt + "\" in " + beforeName +
                                        ", \"" + b[i].prompt + "\" in " + afterName +
                                        "): compare evaluations made with the same --prompts, --seed and --motion");
        }
    }
    EvalPairComparison p;
    p.before_name = beforeName;
    p.after_name = afterName;
    if (before.contains("seed")) p.seed = before.at("seed");
    p.groups = {"all", "seen", "held-out", "english", "chinese"};
    std::map<std::string, bool> motions;
    for (const auto& k : a) motions[k.motion] = true;
    for (const auto& [m, unused] : motions) p.groups.push_back("motion: " + m);
    for (const auto& g : p.groups) p.counts[g];
    for (size_t i = 0; i < a.size(); ++i) {
        const Case* both[2] = {&a[i], &b[i]};
        for (int s = 0; s < 2; ++s) {
            const Case& k = *both[s];
            auto& c = p.counts;
            add(c["all"][s], k);
            add(c[k.held_out ? "held-out" : "seen"][s], k);
            add(c[k.chinese ? "chinese" : "english"][s], k);
            add(c["motion: " + k.motion][s], k);
        }
        for (int m = 0; m < kMeasureCount; ++m) {
            const bool x = a[i].right[static_cast<size_t>(m)], y = b[i].right[static_cast<size_t>(m)];
            if (x && !y) ++p.only[static_cast<size_t>(m)][0];
            if (y && !x) ++p.only[static_cast<size_t>(m)][1];
        }
    }
    return p;
}

nlohmann::json EvalPairComparison::toJson() const {
    nlohmann::json j = {{"before", before_name}, {"after", after_name}, {"seed", seed}};
    for (const auto& g : groups) {
        const auto& c = counts.at(g);
        nlohmann::json row = {{"prompts", c[0].n}, {"falling_prompts", c[0].falling}};
        for (int m = 0; m < kMeasureCount; ++m) {
            row[compareMeasureName(m)] = {{"before", c[0].right[static_cast<size_t>(m)]}, {"after", c[1].right[static_cast<size_t>(m)]}};
        }
        j["groups"][g] = row;
    }
    for (int m = 0; m < kMeasureCount; ++m) {
        j["right_in_one_only"][compareMeasureName(m)] = {{"before", only[static_cast<size_t>(m)][0]},
                                                         {"after", only[static_cast<size_t>(m)][1]}};
    }
    return j;
}

CompareVerdict shippingVerdict(const std::vector<EvalPairComparison>& pairs) {
    CompareVerdict v;
    for (const auto& p : pairs) {
        const auto& c = p.counts.at("all");
        for (int m : {kColour, kShape, kMotion, kBackground, kAccelerating}) {
            const int x = c[0].right[static_cast<size_t>(m)], y = c[1].right[static_cast<size_t>(m)];
            const bool mustGain = m == kColour || m == kShape || m == kMotion;
            if (y < x || (mustGain && y == x)) {
                v.reasons.push_back(pairLabel(p) + ": " + compareMeasureName(m) + " " + figure(c[0], m) + " -> " + figure(c[1], m) +
                                    (y < x ? " (lower)" : " (not higher)"));
            }
        }
    }
    v.better = !pairs.empty() && v.reasons.empty();
    return v;
}

std::string formatComparison(const std::vector<EvalPairComparison>& pairs, const CompareVerdict& verdict) {
    std::ostringstream out;
    char line[256];
    for (const auto& p : pairs) {
        out << pairLabel(p) << ": " << p.before_name << " -> " << p.after_name << " (" << p.counts.at("all")[0].n << " prompts)\n";
        std::snprintf(line, sizeof line, "%-22s %7s  %-17s %-17s %-17s %-17s %-17s %s\n", "group", "prompts", "colour", "shape",
                      "motion", "background", "coherent", "falling acc.");
        out << line;
        for (const auto& g : p.groups) {
            const auto& c = p.counts.at(g);
            std::snprintf(line, sizeof line, "%-22s %7d ", g.c_str(), c[0].n);
            out << line;
            for (int m = 0; m < kMeasureCount; ++m) {
                // A group without falling prompts has no physics figure on either side: one "-".
                const std::string cell = m == kAccelerating && c[0].falling == 0 ? "-" : figure(c[0], m) + " -> " + figure(c[1], m);
                std::snprintf(line, sizeof line, m + 1 < kMeasureCount ? " %-17s" : " %s", cell.c_str());
                out << line;
            }
            out << "\n";
        }
        out << "prompts right in one only (before / after):";
        for (int m = 0; m < kMeasureCount; ++m) {
            out << (m ? ", " : " ") << compareMeasureName(m) << " " << p.only[static_cast<size_t>(m)][0] << " / "
                << p.only[static_cast<size_t>(m)][1];
        }
        out << "\n\n";
    }
    if (verdict.better) {
        out << "better by the shipping rule: no measure of all prompts lower, colour, shape and motion higher, in every pair\n";
    } else {
        out << "not better by the shipping rule (no measure of all prompts lower, colour, shape and motion higher, in every pair):\n";
        for (const auto& r : verdict.reasons) out << "  " << r << "\n";
    }
    return out.str();
}

}  // namespace kinora::eval
