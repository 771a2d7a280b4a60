// `kinora`: the command line. Parses arguments with CLI11 and dispatches to one command file each.
#include "cli/cli.h"

#include "engine/runtime.h"

#include <QCoreApplication>

#include <iostream>

int main(int argc, char** argv) {
    using namespace kinora::cli;
    kinora::engine::applyOpenMpWaitPolicy(argv);
    kinora::engine::applyAllocatorPolicy();
    QCoreApplication::setApplicationName(QStringLiteral("kinora"));
    QCoreApplication qapp(argc, argv);

    CLI::App app{"Kinora: text-to-video on your own machine"};
    app.name("kinora");
    app.require_subcommand(0, 1);
    app.fallthrough();  // common options are accepted after the command name too
    CommonOptions common;
    app.add_option("--data-dir", common.data_dir, "Folder for the history and clips (or KINORA_DATA_DIR)");
    app.add_option("--threads", common.threads, "CPU threads for LibTorch (default: every core)")
        ->check(CLI::Range(1, 1024));
    addVersionOption(app);

    int exitStatus = kExitOk;
    addDoctorCommand(app, common, exitStatus);
    addModelsCommand(app, common, exitStatus);
    addDebugCommand(app);
    addGenerateCommand(app, common, exitStatus);
    addExportCommand(app, common, exitStatus);
    addVerifyCommand(app, common, exitStatus);
    addHistoryCommand(app, common, exitStatus);
    addBenchCommand(app, common, exitStatus);
    addEvalCommand(app, common, exitStatus);

    try {
        app.parse(argc, argv);
        if (app.get_subcommands().empty()) {
            std::cout << app.help();
            return kExitUsage;
        }
    } catch (const CLI::Success& e) {  // --help, --version
        app.exit(e);
        return kExitOk;
    } catch (const CLI::ParseError& e) {
        // CLI11 prints the reason and a hint; its own exit codes are replaced by the contract's 2.
        app.exit(e);
        return kExitUsage;
    } catch (const UserError& e) {
        std::cerr << "kinora: error: " << e.what() << "\n";
        return kExitUserError;
    } catch (const std::exception& e) {
        std::cerr << "kinora: error: " << e.what() << "\n";
        return kExitUserError;
    }
    return exitStatus;
}
