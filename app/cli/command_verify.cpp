// `kinora verify FILE [--json]`: shows the provenance record of an exported file and whether the file
// is unchanged since export (SHA-256 against the .kinora.json sidecar, embedded record against the
// sidecar's). Exit 0 when verified, 1 when changed or when a record is missing.
#include "cli/cli.h"

#include "media/provenance.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace kinora::cli {
namespace {

using nlohmann::json;

std::string valueText(const json& v) {
    if (v.is_null()) return "(unknown)";
    if (v.is_string()) return v.get<std::string>().empty() ? "(none)" : v.get<std::string>();
    return v.dump();
}

void printText(const media::VerifyReport& rep) {
    std::printf("%-18s %s\n", "file", rep.path.c_str());
    std::printf("%-18s %s\n", "sidecar", rep.sidecar_path.c_str());
    if (const auto* r = rep.record()) {
        const json j = r->toJson();
        for (const char* key : {"ai_generated", "generator", "generator_version", "model", "weights_sha256", "author",
                                "prompt", "negative_prompt", "seed", "steps", "guidance", "sampler", "shift", "width",
                                "height", "frames", "fps", "created"}) {
            std::printf("%-18s %s\n", key, valueText(j.at(key)).c_str());
        }
    }
    if (!rep.actual_sha256.empty()) std::printf("%-18s %s\n", "sha256", rep.actual_sha256.c_str());
    if (rep.verified()) {
        std::printf("unchanged since export\n");
    } else {
        for (const auto& p : rep.problems) std::printf("problem: %s\n", p.c_str());
    }
}

json reportJson(const media::VerifyReport& rep) {
    json j;
    j["file"] = rep.path;
    j["sidecar"] = rep.sidecar_path;
    j["record"] = rep.record() ? rep.record()->toJson() : json(nullptr);
    j["embedded_record"] = rep.embedded.has_value();
    j["sha256"] = rep.actual_sha256;
    j["expected_sha256"] = rep.expected_sha256;
    j["unchanged"] = rep.unchanged;
    j["records_agree"] = rep.records_agree;
    j["verified"] = rep.verified();
    j["problems"] = rep.problems;
    return j;
}

}  // namespace

void addVerifyCommand(CLI::App& app, const CommonOptions&, int& exitStatus) {
    struct Args {
        std::string file;
        bool json = false;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("verify", "Check that an exported file is unchanged and show its provenance record");
    cmd->add_option("file", args->file, "An exported file, or a folder of exported PNG frames")->required();
    cmd->add_flag("--json", args->json, "Print the report as JSON");
    cmd->callback([args, &exitStatus] {
        const media::VerifyReport rep = media::verify(args->file);
        if (args->json) {
            std::cout << reportJson(rep).dump(2) << std::endl;
        } else {
            printText(rep);
        }
        std::fflush(stdout);
        if (!rep.verified()) {
            // The details are above; stderr gets the contract's single line.
            throw UserError(args->file + " is not verified: " + rep.problems.front());
        }
        exitStatus = kExitOk;
    });
}

}  // namespace kinora::cli
