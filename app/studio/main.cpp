// `kinora-studio`: the desktop application.
//   kinora-studio [--data-dir DIR] [--lang en|zh_CN]
//   kinora-studio --screenshot FILE [--prompt TEXT --wait-done] [--size WxH]
// On a machine without a display it says so and points to the command line; --screenshot works
// without one (it renders offscreen).
#include "engine/runtime.h"
#include "ui/studio_app.h"

#include <QApplication>
#include <QElapsedTimer>

#include <cstdio>
#include <cstring>

using namespace kinora;

namespace {

bool hasArg(int argc, char** argv, const char* name) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], name) == 0) return true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    engine::applyOpenMpWaitPolicy(argv);
    engine::applyAllocatorPolicy();
    QElapsedTimer startup;
    startup.start();
    // --screenshot, --help and --version open no window, so they run on Qt's offscreen platform there.
    const bool windowless = hasArg(argc, argv, "--screenshot") || hasArg(argc, argv, "--help") || hasArg(argc, argv, "-h") ||
                            hasArg(argc, argv, "--version") || hasArg(argc, argv, "-v");
    const bool displayless = qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
                             qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
    if (displayless) {
        if (!windowless) {
            std::fprintf(stderr,
                         "kinora-studio: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window "
                         "cannot open.\n"
                         "  Run it in a desktop session, or use the command line, which does everything the studio does:\n"
                         "    kinora generate --prompt \"a red circle moving left on a black background\" --out clip.mp4\n"
                         "    kinora history list\n"
                         "  (kinora-studio --screenshot FILE renders the window to a PNG without a display.)\n");
            return 3;
        }
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }

    QApplication app(argc, argv);
    ui::StudioApp studio;
    return studio.run(app, startup);
}
