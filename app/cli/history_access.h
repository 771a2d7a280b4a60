// The command line's way into the history: opening it with one-line errors, and running a job that is
// recorded in it (`kinora generate`, `kinora history rerun`).
#pragma once

#include "cli/cli.h"
#include "studio/history_db.h"
#include "studio/job_runner.h"

#include <memory>
#include <optional>

namespace kinora::cli {

// Resolves and prepares the data folder and opens the history. A damaged database becomes a
// UserError saying where the file was moved; jobs recovered as interrupted are noted on stderr.
std::unique_ptr<studio::HistoryDb> openHistory(const CommonOptions& common);

// A job ID typed by the user: digits only; otherwise UsageError-free UserError naming the text.
int64_t parseJobId(const std::string& text);

struct RecordedRunOptions {
    std::string device = "cpu", dtype = "float32";
    bool quiet = false;
};

// Records a new running job with `request` in `db` (a re-run of `rerunOf` when set), loads the model,
// runs it with progress on stderr and Ctrl+C as cancel. Returns the outcome (done) or throws UserError
// (failed, cancelled); either way the history says what happened.
studio::RunOutcome runRecorded(studio::HistoryDb& db, const studio::JobRequest& request,
                               std::optional<int64_t> rerunOf, const RecordedRunOptions& options,
                               const CommonOptions& common, int64_t& jobId);

}  // namespace kinora::cli
