// `kinora models [--json]`: installed models, their components and sizes; broken ones with their error.
#include "cli/cli.h"

#include "studio/data_paths.h"
#include "studio/model_catalog.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace kinora::cli {
namespace {

std::string humanBytes(double b) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (b >= 1000 && u < 4) {
        b /= 1000;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
    return buf;
}

std::string humanCount(double n) {
    char buf[32];
    if (n >= 1e9) std::snprintf(buf, sizeof buf, "%.2fB", n / 1e9);
    else if (n >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", n / 1e6);
    else if (n >= 1e3) std::snprintf(buf, sizeof buf, "%.1fK", n / 1e3);
    else std::snprintf(buf, sizeof buf, "%.0f", n);
    return buf;
}

}  // namespace

void addModelsCommand(CLI::App& app, const CommonOptions& common, int& exitStatus) {
    auto* cmd = app.add_subcommand("models", "List installed models with their components and sizes");
    auto asJson = std::make_shared<bool>(false);
    cmd->add_flag("--json", *asJson, "Print the list as JSON");
    cmd->callback([&common, &exitStatus, asJson] {
        const auto data = studio::resolveDataDir(QString::fromStdString(common.data_dir));
        const auto models = studio::listModels(data.path);
        nlohmann::json list = nlohmann::json::array();
        for (const auto& entry : models) {
            const auto& m = entry.summary;
            nlohmann::json comps = nlohmann::json::array();
            for (const auto& c : m.components) {
                comps.push_back({{"name", c.name}, {"class", c.class_name}, {"parameters", c.parameters},
                                 {"dtypes", c.dtypes}, {"bytes", c.bytes}, {"path", c.path}});
            }
            nlohmann::json j = {{"name", m.name}, {"path", m.path}, {"source", entry.source.toStdString()},
                                {"ok", m.ok()}, {"components", comps}};
            if (m.ok()) {
                j["parameters"] = m.parameters();
                j["bytes"] = m.bytes();
                j["defaults"] = {{"width", m.defaults.width}, {"height", m.defaults.height},
                                 {"frames", m.defaults.frames}, {"fps", m.defaults.fps},
                                 {"steps", m.defaults.steps}, {"guidance", m.defaults.guidance}};
            } else {
                j["error"] = m.error;
            }
            list.push_back(j);
        }
        if (*asJson) {
            std::cout << nlohmann::json{{"models", list}}.dump(2) << std::endl;
            return;
        }
        if (models.isEmpty()) {
            std::printf("No models found. Kinora looks in:\n");
            for (const auto& f : studio::modelSearchPath(data.path)) {
                std::printf("  %s (%s%s)\n", qPrintable(f.path), qPrintable(f.source), f.exists ? "" : ", missing");
            }
            exitStatus = kExitOk;
            return;
        }
        for (const auto& entry : models) {
            const auto& m = entry.summary;
            if (!m.ok()) {
                std::printf("%s  BROKEN  %s\n  error: %s\n\n", m.name.c_str(), m.path.c_str(), m.error.c_str());
                continue;
            }
            std::printf("%s  %s parameters, %s on disk  (%s)\n  %s\n  default %dx%d, %d frames at %d fps, %d steps\n",
                        m.name.c_str(), humanCount(static_cast<double>(m.parameters())).c_str(),
                        humanBytes(static_cast<double>(m.bytes())).c_str(), qPrintable(entry.source), m.path.c_str(),
                        m.defaults.width, m.defaults.height, m.defaults.frames, m.defaults.fps, m.defaults.steps);
            for (const auto& c : m.components) {
                std::printf("    %-13s %-24s %10s params  %-10s %10s\n", c.name.c_str(), c.class_name.c_str(),
                            c.parameters ? humanCount(static_cast<double>(c.parameters)).c_str() : "-",
                            c.dtypes.empty() ? "-" : c.dtypes.c_str(), humanBytes(static_cast<double>(c.bytes)).c_str());
            }
            std::printf("\n");
        }
    });
}

}  // namespace kinora::cli
