// The history database's schema and its migrations. The version lives in PRAGMA user_version:
// 0 is an empty file, 1 the first release (jobs, settings), 2 adds tags and full-text search.
// Migrations only ever go forward, all pending ones inside one write transaction, so a failure (or a
// crash) leaves the database exactly at its old version.
#pragma once

#include "studio/sqlite_db.h"

namespace kinora::studio {

inline constexpr int kSchemaVersion = 2;

// Brings the database to `target` (tests use earlier targets to build old databases). Throws
// StudioError when the file comes from a newer Kinora (its version is above kSchemaVersion) and
// SqliteError when a step fails, in which case nothing was changed.
void migrate(Connection& db, int target = kSchemaVersion);

int schemaVersion(Connection& db);

}  // namespace kinora::studio
