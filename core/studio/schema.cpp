#include "studio/schema.h"

#include <string>

namespace kinora::studio {
namespace {

// Migration N turns version N-1 into version N. Never edit a released step: add a new one.
const char* const kMigrations[] = {
    // 1: jobs with their full request, state, queue order, times, files, favourite; settings.
    R"sql(
CREATE TABLE jobs (
    -- AUTOINCREMENT: an ID is never reused after a delete, so a job folder, a log line or a
    -- `kinora history show N` from last week can never point at a different job.
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prompt TEXT NOT NULL,
    negative_prompt TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL,
    model_path TEXT NOT NULL,
    weights_sha256 TEXT NOT NULL DEFAULT '',
    seed INTEGER NOT NULL,          -- the uint64 seed's bits
    steps INTEGER NOT NULL,
    guidance REAL NOT NULL,
    sampler TEXT NOT NULL,
    shift REAL NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    frames INTEGER NOT NULL,
    fps INTEGER NOT NULL,
    label INTEGER NOT NULL DEFAULT 1,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
    queue_pos INTEGER,
    created_ms INTEGER NOT NULL,
    started_ms INTEGER,
    finished_ms INTEGER,
    load_s REAL NOT NULL DEFAULT 0,
    text_s REAL NOT NULL DEFAULT 0,
    denoise_s REAL NOT NULL DEFAULT 0,
    decode_s REAL NOT NULL DEFAULT 0,
    encode_s REAL NOT NULL DEFAULT 0,
    output_dir TEXT NOT NULL DEFAULT '',
    clip_path TEXT NOT NULL DEFAULT '',
    thumbs_path TEXT NOT NULL DEFAULT '',
    sidecar_path TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    favourite INTEGER NOT NULL DEFAULT 0,
    rerun_of INTEGER REFERENCES jobs(id) ON DELETE SET NULL
);
-- The queue and the recovery scan look at a handful of rows; partial indexes keep them small.
CREATE INDEX jobs_queue ON jobs(queue_pos) WHERE state = 'queued';
CREATE INDEX jobs_running ON jobs(id) WHERE state = 'running';
-- Deleting a job looks up the jobs that point at it (ON DELETE SET NULL).
CREATE INDEX jobs_rerun_of ON jobs(rerun_of) WHERE rerun_of IS NOT NULL;
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
)sql",
    // 2: tags, and full-text search over prompt, negative prompt and tags. The trigram tokenizer
    // indexes every 3-character window, so text without spaces between words (Chinese) is searchable
    // and any substring of at least 3 characters matches (a prefix included). External content: the
    // text is stored once, in jobs; the triggers keep the index in step.
    R"sql(
ALTER TABLE jobs ADD COLUMN tags TEXT NOT NULL DEFAULT '';
CREATE VIRTUAL TABLE jobs_fts USING fts5(
    prompt, negative_prompt, tags, content='jobs', content_rowid='id', tokenize='trigram');
CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
    INSERT INTO jobs_fts(rowid, prompt, negative_prompt, tags)
    VALUES (new.id, new.prompt, new.negative_prompt, new.tags);
END;
CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
    INSERT INTO jobs_fts(jobs_fts, rowid, prompt, negative_prompt, tags)
    VALUES ('delete', old.id, old.prompt, old.negative_prompt, old.tags);
END;
CREATE TRIGGER jobs_fts_update AFTER UPDATE OF prompt, negative_prompt, tags ON jobs BEGIN
    INSERT INTO jobs_fts(jobs_fts, rowid, prompt, negative_prompt, tags)
    VALUES ('delete', old.id, old.prompt, old.negative_prompt, old.tags);
    INSERT INTO jobs_fts(rowid, prompt, negative_prompt, tags)
    VALUES (new.id, new.prompt, new.negative_prompt, new.tags);
END;
-- Ranking: a match in the prompt counts most, then tags, then the negative prompt.
INSERT INTO jobs_fts(jobs_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0, 4.0)');
INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild');
)sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion, "one migration per version");

}  // namespace

int schemaVersion(Connection& db) { return int(db.queryInt("PRAGMA user_version")); }

void migrate(Connection& db, int target) {
    // The version is read under the write lock: two processes starting together must not both
    // apply the same step.
    WriteTransaction tx(db);
    const int from = schemaVersion(db);
    if (from > kSchemaVersion) {
        throw StudioError("the history database " + db.path().toStdString() + " was made by a newer Kinora (schema " +
                          std::to_string(from) + ", this one knows up to " + std::to_string(kSchemaVersion) +
                          "); update Kinora or pass another --data-dir");
    }
    if (from >= target) return;
    for (int v = from + 1; v <= target; ++v) db.exec(kMigrations[v - 1]);
    db.exec(("PRAGMA user_version = " + std::to_string(target)).c_str());
    tx.commit();
}

}  // namespace kinora::studio
