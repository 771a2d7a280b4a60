#include "studio/sqlite_db.h"

#include <sqlite3.h>

#include <QFile>

namespace kinora::studio {

bool SqliteError::damaged() const {
    return code_ == SQLITE_CORRUPT || code_ == SQLITE_NOTADB;
}

Connection::Connection(const QString& path, bool create) : path_(path) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (create) flags |= SQLITE_OPEN_CREATE;
    const int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw SqliteError("cannot open the history database " + path.toStdString() + ": " + message, rc & 0xff);
    }
    sqlite3_extended_result_codes(db_, 1);
}

namespace {

// SQLite's own busy handler sleeps longer and longer (up to 100 ms) between tries, so a process that
// writes often keeps winning the lock and a waiting one can time out. Trying every 2 ms gives the
// waiting side a fair chance at each gap between the other's transactions.
int busyHandler(void*, int tries) {
    if (tries * 2 >= kBusyTimeoutMs) return 0;
    sqlite3_sleep(2);
    return 1;
}

}  // namespace

void Connection::setBusyHandler() { sqlite3_busy_handler(db_, busyHandler, nullptr); }

Connection::~Connection() { sqlite3_close_v2(db_); }

void Connection::fail(const std::string& what, int rc) const {
    throw SqliteError(what + " (" + path_.toStdString() + "): " + sqlite3_errmsg(db_), rc & 0xff);
}

void Connection::exec(const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        const std::string text = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        throw SqliteError("history database " + path_.toStdString() + ": " + text, rc & 0xff);
    }
}

Statement Connection::prepare(const char* sql) { return Statement(*this, sql); }

int64_t Connection::lastInsertId() const { return sqlite3_last_insert_rowid(db_); }

int Connection::changes() const { return sqlite3_changes(db_); }

int64_t Connection::queryInt(const char* sql) {
    Statement s(*this, sql);
    if (!s.step()) throw SqliteError(std::string("no result from ") + sql, SQLITE_ERROR);
    return s.int64(0);
}

Statement::Statement(Connection& db, const char* sql) : db_(&db) {
    const int rc = sqlite3_prepare_v2(db.handle(), sql, -1, &stmt_, nullptr);
    if (rc != SQLITE_OK) db.fail(std::string("cannot prepare a query on the history database"), rc);
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
}
Statement& Statement::bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
}
Statement& Statement::bind(int i, const QString& v) {
    const QByteArray utf8 = v.toUtf8();
    sqlite3_bind_text(stmt_, i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement& Statement::bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement& Statement::bindNull(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    // Reset so the statement can be reused and the connection's error text is the step's.
    sqlite3_reset(stmt_);
    db_->fail("history database query failed", rc);
}

void Statement::run() {
    while (step()) {
    }
    sqlite3_reset(stmt_);
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Statement::isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t Statement::int64(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::real(int col) const { return sqlite3_column_double(stmt_, col); }
QString Statement::text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? QString::fromUtf8(p, sqlite3_column_bytes(stmt_, col)) : QString();
}

WriteTransaction::WriteTransaction(Connection& db) : db_(db) {
    const int rc = sqlite3_exec(db_.handle(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) db_.fail("cannot start writing to the history database", rc);
}

WriteTransaction::~WriteTransaction() {
    if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void WriteTransaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace kinora::studio
