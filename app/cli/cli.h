// Shared pieces of the `kinora` command line: options every command takes, the error that means
// "the user asked for something impossible" (exit 1), and the registration of each subcommand.
#pragma once

#include <CLI/CLI.hpp>

#include <stdexcept>
#include <string>

namespace kinora::cli {

// Exit statuses (DESIGN.md): 0 success, 1 user error (one line on stderr), 2 usage error.
enum ExitStatus { kExitOk = 0, kExitUserError = 1, kExitUsage = 2 };

// Thrown for a problem the user can fix (bad file, unwritable folder, ...). main() prints
// "kinora: error: <what>" and exits 1.
class UserError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct CommonOptions {
    std::string data_dir;  // --data-dir; empty: KINORA_DATA_DIR or the default
    int threads = 0;       // --threads; 0: every core
};

// Each command adds its subcommand and options to `app`; the callback runs after parsing and
// returns the exit status.
void addVersionOption(CLI::App& app);
void addDoctorCommand(CLI::App& app, const CommonOptions& common, int& exitStatus);
void addModelsCommand(CLI::App& app, const CommonOptions& common, int& exitStatus);
void addDebugCommand(CLI::App& app);
void addGenerateCommand(CLI::App& app, const CommonOptions& common, int& exitStatus);
void addExportCommand(CLI::App& app, const CommonOptions& common, int& exitStatus);
void addVerifyCommand(CLI::App& app, const CommonOptions& common, int& exitStatus);
void addHistoryCommand(CLI::App& app, const CommonOptions& common, int& exitStatus);
// `bench` times a generation by itself; `bench load`, `bench vae`, `bench export` and `bench history`
// are sub-commands.
void addBenchCommand(CLI::App& app, const CommonOptions& common, int& exitStatus);
void addEvalCommand(CLI::App& app, const CommonOptions& common, int& exitStatus);
void addBenchExport(CLI::App* bench, const CommonOptions& common, int& exitStatus);
void addBenchHistory(CLI::App* bench, const CommonOptions& common, int& exitStatus);

// The version text printed by `kinora --version`.
std::string versionText();

}  // namespace kinora::cli
