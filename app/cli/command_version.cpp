#include "cli/cli.h"

#include "studio/versions.h"

namespace kinora::cli {

std::string versionText() {
    const auto v = studio::versions();
    std::string text = "kinora " + studio::kinoraVersionString().toStdString() + "\n";
    for (const auto& [name, version] : v.libraries) {
        text += "  " + name.toStdString() + " " + version.toStdString() + "\n";
    }
    text.pop_back();  // CLI11 adds the final newline
    return text;
}

void addVersionOption(CLI::App& app) {
    app.set_version_flag("--version", [] { return versionText(); }, "Print the version of Kinora and its libraries");
}

}  // namespace kinora::cli
