// Running one job that is already `running` in the history (its JobLock held by the caller): generate
// on a loaded pipeline, write its folder, mark it done, all or nothing. The one place a job is run,
// shared by the studio's worker thread and `kinora generate` / `kinora history rerun`.
#pragma once

#include "engine/pipeline.h"
#include "studio/history_db.h"

namespace kinora::studio {

struct RunOutcome {
    JobState state = JobState::Failed;  // Done, Failed or Cancelled
    QString error;
    JobFiles files;
    StageTimes times;
    engine::GeneratedClip clip;  // the frames, when done (the command line also writes --out from them)
};

// `callbacks.on_stage` also hears "encoding" before the clip is written. Never throws for a failed
// run: the outcome says what happened and the history row says the same. Throws only when the
// database itself fails.
RunOutcome runJob(HistoryDb& db, const Job& job, engine::Pipeline& pipeline, double loadSeconds,
                  const engine::GenerationCallbacks& callbacks);

}  // namespace kinora::studio
