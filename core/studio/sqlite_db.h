// Small RAII wrappers over the SQLite C API for the history: a connection, a prepared statement and a
// write transaction. Every failure throws SqliteError (a StudioError) carrying SQLite's result code,
// so callers can tell a damaged file (SQLITE_CORRUPT, SQLITE_NOTADB) from a busy or missing one.
#pragma once

#include "studio/error.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace kinora::studio {

class SqliteError : public StudioError {
public:
    SqliteError(const std::string& message, int code) : StudioError(message), code_(code) {}
    int code() const { return code_; }  // primary result code (SQLITE_BUSY, SQLITE_CORRUPT, ...)
    bool damaged() const;               // the file is not a healthy database

private:
    int code_;
};

class Statement;

// How long a connection waits for another one (another process) that is writing.
inline constexpr int kBusyTimeoutMs = 5000;

class Connection {
public:
    // Opens (creating when `create`) the database at `path` in read-write mode with extended result
    // codes. Throws SqliteError naming the file.
    Connection(const QString& path, bool create);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    sqlite3* handle() const { return db_; }
    const QString& path() const { return path_; }

    // Waits up to kBusyTimeoutMs for another connection's lock, polling often (see sqlite_db.cpp).
    void setBusyHandler();
    void exec(const char* sql);  // one or more statements without results
    Statement prepare(const char* sql);
    int64_t lastInsertId() const;
    int changes() const;
    // The single integer the query returns (e.g. PRAGMA user_version).
    int64_t queryInt(const char* sql);

    // Throws SqliteError built from the connection's last error, with `what` in front.
    [[noreturn]] void fail(const std::string& what, int rc) const;

private:
    sqlite3* db_ = nullptr;
    QString path_;
};

class Statement {
public:
    Statement(Connection& db, const char* sql);
    Statement(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    // Binds are 1-based, as in SQLite.
    Statement& bind(int i, int64_t v);
    Statement& bind(int i, int v) { return bind(i, int64_t(v)); }
    Statement& bind(int i, double v);
    Statement& bind(int i, const QString& v);
    Statement& bind(int i, const std::string& v);
    Statement& bindNull(int i);
    template <typename T>
    Statement& bind(int i, const std::optional<T>& v) {
        return v ? bind(i, *v) : bindNull(i);
    }

    bool step();  // true: a row is ready; false: done. Throws on error.
    void run();   // step() to completion, for statements without rows
    void reset();

    bool isNull(int col) const;
    int64_t int64(int col) const;
    double real(int col) const;
    QString text(int col) const;

private:
    Connection* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT; rolled back when destroyed without commit(). IMMEDIATE takes the write
// lock up front so that the busy timeout applies: a deferred transaction that later tries to write
// while another process writes fails at once with SQLITE_BUSY instead of waiting. For the same
// reason no statement of the connection may be left open (stepped but not finished or reset) when a
// write transaction starts: its read snapshot could not be upgraded once another connection wrote.
class WriteTransaction {
public:
    explicit WriteTransaction(Connection& db);
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    ~WriteTransaction();
    void commit();

private:
    Connection& db_;
    bool done_ = false;
};

}  // namespace kinora::studio
