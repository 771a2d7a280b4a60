#include "studio/job.h"

#include "studio/error.h"

namespace kinora::studio {

namespace {
constexpr const char* kNames[] = {"queued", "running", "done", "failed", "cancelled", "interrupted"};
}

const char* stateName(JobState s) { return kNames[static_cast<int>(s)]; }

JobState stateFromName(const QString& name) {
    for (int i = 0; i < 6; ++i) {
        if (name == QLatin1String(kNames[i])) return static_cast<JobState>(i);
    }
    throw StudioError("unknown job state '" + name.toStdString() + "' in the history database");
}

}  // namespace kinora::studio
