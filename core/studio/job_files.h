// A job's folder in the data folder, clips/YYYY/MM/<id>/, and writing a finished clip into it:
// clip.mp4 (+ its provenance sidecar) and thumbs.png, the strip of frame thumbnails. Everything is
// written into a hidden staging folder beside it (clips/YYYY/MM/.<id>.partial) that is renamed into
// place whole, so the job folder is either complete or absent; recovery removes staging leftovers.
#pragma once

#include "engine/pipeline.h"
#include "media/provenance.h"

#include <QString>

#include <cstdint>

namespace kinora::studio {

// Paths relative to the data folder.
struct JobFiles {
    QString dir;
    QString clip;
    QString thumbs;
    QString sidecar;
};

// "clips/2026/11/42" for job 42 started at `startedMs` (UTC month, so it never depends on where the
// machine is).
QString jobFolderFor(int64_t id, int64_t startedMs);
QString stagingFolderFor(const QString& jobFolder);

inline constexpr int kThumbHeight = 64;
inline constexpr int kThumbCount = 8;

// Encodes `clip` as MP4 with `record` (and the visible mark when `label`), writes the thumbnail strip,
// and renames the staging folder to `jobFolder` (relative to `dataDir`). `beforeRename` runs between
// the two (tests pause there to be killed). Throws media::MediaError or StudioError; nothing is left
// behind on failure.
JobFiles writeJobFiles(const QString& dataDir, const QString& jobFolder, const engine::GeneratedClip& clip,
                       const media::ProvenanceRecord& record, bool label);

// Removes the job folder and any staging folder of it. Returns false when something could not be
// removed.
bool removeJobFolder(const QString& dataDir, const QString& jobFolder);

// Test hook: KINORA_TEST_PAUSE=<point>:<milliseconds> sleeps at that point of writing a job
// ("staged": clip written in the staging folder; "renamed": folder in place, database not yet
// updated) so that crash tests can kill the process exactly there.
void testPause(const char* point);

}  // namespace kinora::studio
