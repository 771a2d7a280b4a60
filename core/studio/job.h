// A generation job as the history keeps it: the full request (so it can be re-run exactly), where it
// is in its life, its timings and its files.
#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace kinora::studio {

enum class JobState { Queued, Running, Done, Failed, Cancelled, Interrupted };

const char* stateName(JobState s);  // "queued", ... as stored in the database
// Throws StudioError for a name that is not a state.
JobState stateFromName(const QString& name);

// Every value resolved (model defaults filled in, seed chosen): running it twice gives the same clip.
struct JobRequest {
    QString prompt;
    QString negative_prompt;
    QString model;           // the model's name, for people
    QString model_path;      // the folder it was loaded from, for re-runs
    QString weights_sha256;  // which weights exactly (studio::weightsHash)
    uint64_t seed = 0;
    int steps = 0;
    double guidance = 0;
    QString sampler;
    double shift = 0;
    int width = 0, height = 0, frames = 0, fps = 0;
    bool label = true;  // draw the visible AI mark into the history clip
};

// Seconds spent in each stage of a run (0 when the stage did not happen).
struct StageTimes {
    double load = 0, text = 0, denoise = 0, decode = 0, encode = 0;
};

struct Job {
    int64_t id = 0;
    JobRequest request;
    JobState state = JobState::Queued;
    std::optional<int64_t> queue_pos;  // set while queued: order of execution
    int64_t created_ms = 0;            // milliseconds since the Unix epoch, UTC
    std::optional<int64_t> started_ms;
    std::optional<int64_t> finished_ms;
    StageTimes times;
    // Relative to the data folder: the job's folder and, once done, its files inside it.
    QString output_dir;
    QString clip_path;
    QString thumbs_path;
    QString sidecar_path;
    QString error;  // why it failed or was interrupted
    bool favourite = false;
    QStringList tags;
    std::optional<int64_t> rerun_of;  // the job this one re-runs or varies
};

}  // namespace kinora::studio

Q_DECLARE_METATYPE(kinora::studio::JobState)
