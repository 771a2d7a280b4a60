// Notices changes to the history made by other processes (`kinora generate` while the studio is open)
// and by the studio's own worker connection, and says so with historyChanged. A file-system watch on
// the database and its WAL gives a prompt nudge; a cheap poll of PRAGMA data_version (a counter that
// moves when any other connection commits) decides, so nothing is missed when the watch is not
// delivered (network file systems, inotify limits) and nothing is reported when nothing changed.
#pragma once

#include <QObject>
#include <QString>

#include <memory>

class QFileSystemWatcher;
class QTimer;

namespace kinora::studio {

class Connection;

class DbWatcher : public QObject {
    Q_OBJECT
public:
    // Opens its own read connection to <dataDir>/kinora.db (which must exist: open the history first).
    explicit DbWatcher(const QString& dataDir, int pollMs = 250, QObject* parent = nullptr);
    ~DbWatcher() override;

signals:
    void historyChanged();

private:
    void check();
    void rewatch();

    QString dbPath_;
    std::unique_ptr<Connection> db_;
    QFileSystemWatcher* watcher_;
    QTimer* poll_;
    int64_t version_ = -1;
};

}  // namespace kinora::studio
