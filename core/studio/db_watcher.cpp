#include "studio/db_watcher.h"

#include "studio/history_db.h"
#include "studio/sqlite_db.h"

#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QTimer>

namespace kinora::studio {

DbWatcher::DbWatcher(const QString& dataDir, int pollMs, QObject* parent)
    : QObject(parent), dbPath_(HistoryDb::databasePath(dataDir)) {
    db_ = std::make_unique<Connection>(dbPath_, false);
    db_->exec("PRAGMA busy_timeout = 1000");
    version_ = db_->queryInt("PRAGMA data_version");
    watcher_ = new QFileSystemWatcher(this);
    connect(watcher_, &QFileSystemWatcher::fileChanged, this, &DbWatcher::check);
    // The WAL file comes and goes (it is removed when the last connection closes); watching the
    // folder notices it appearing.
    connect(watcher_, &QFileSystemWatcher::directoryChanged, this, &DbWatcher::rewatch);
    rewatch();
    poll_ = new QTimer(this);
    connect(poll_, &QTimer::timeout, this, &DbWatcher::check);
    poll_->start(pollMs);
}

DbWatcher::~DbWatcher() = default;

void DbWatcher::rewatch() {
    const QString dir = QFileInfo(dbPath_).path();
    if (!watcher_->directories().contains(dir)) watcher_->addPath(dir);
    for (const QString& f : {dbPath_, dbPath_ + QStringLiteral("-wal")}) {
        if (QFileInfo::exists(f) && !watcher_->files().contains(f)) watcher_->addPath(f);
    }
    check();
}

void DbWatcher::check() {
    int64_t v = version_;
    try {
        v = db_->queryInt("PRAGMA data_version");
    } catch (const SqliteError&) {
        return;  // busy for longer than the timeout: the next poll looks again
    }
    if (v == version_) return;
    version_ = v;
    emit historyChanged();
}

}  // namespace kinora::studio
