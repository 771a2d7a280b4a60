#include "studio/sqlite_info.h"

#include <sqlite3.h>

#include <memory>

namespace kinora::studio {
namespace {

struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
};

// Runs `sql`; returns "" on success or SQLite's message.
std::string exec(sqlite3* db, const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) return {};
    std::string text = message ? message : "unknown SQLite error";
    sqlite3_free(message);
    return text;
}

// Number of rows `sql` returns, or -1 on error.
int countRows(sqlite3* db, const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) return -1;
    int rows = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) ++rows;
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? rows : -1;
}

}  // namespace

SqliteInfo sqliteInfo() {
    SqliteInfo info;
    info.version = sqlite3_libversion();
    sqlite3* raw = nullptr;
    if (sqlite3_open(":memory:", &raw) != SQLITE_OK) {
        info.error = "cannot open an in-memory database";
        sqlite3_close(raw);
        return info;
    }
    std::unique_ptr<sqlite3, DbCloser> db(raw);
    std::string err = exec(db.get(),
                           "CREATE VIRTUAL TABLE t USING fts5(prompt);"
                           "INSERT INTO t VALUES ('a red circle moving left');");
    info.fts5 = err.empty() && countRows(db.get(), "SELECT * FROM t WHERE t MATCH 'circ*'") == 1;
    if (!err.empty()) {
        info.error = "FTS5: " + err;
        return info;
    }
    err = exec(db.get(),
               "CREATE VIRTUAL TABLE c USING fts5(prompt, tokenize='trigram');"
               "INSERT INTO c VALUES ('黑色背景上一个红色的圆向左移动');");
    info.fts5_trigram = err.empty() && countRows(db.get(), "SELECT * FROM c WHERE c MATCH '红色的'") == 1;
    if (!err.empty()) info.error = "FTS5 trigram tokenizer: " + err;
    return info;
}

}  // namespace kinora::studio
