// The SQLite library the history database runs on, and whether it has what the history needs.
#pragma once

#include <string>

namespace kinora::studio {

struct SqliteInfo {
    std::string version;         // sqlite3_libversion()
    bool fts5 = false;           // full-text search over prompts
    bool fts5_trigram = false;   // the trigram tokenizer, which makes Chinese prompts searchable
    std::string error;           // why a check failed, when one did
};

// Checks by doing: creates FTS5 tables in an in-memory database and queries them.
SqliteInfo sqliteInfo();

}  // namespace kinora::studio
