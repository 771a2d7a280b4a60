#include "studio/trash.h"

#include "studio/error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

namespace kinora::studio {

QString homeTrashFolder() {
    const QString trash = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/Trash");
    return QFileInfo(trash).isDir() ? trash : QString();
}

TrashResult trashOrRemove(const QString& path) {
    TrashResult r;
    if (!QFileInfo::exists(path)) return r;
    if (!homeTrashFolder().isEmpty()) {
        QString where;
        // Qt writes the .trashinfo (original path, deletion date) and picks a free name. It fails
        // when the trash is on another file system than `path` and no trash exists on that one; the
        // files are then removed, as the user asked for them to go.
        if (QFile::moveToTrash(path, &where)) {
            r.trashed = true;
            r.trashPath = where;
            return r;
        }
    }
    const QFileInfo info(path);
    const bool removed = info.isDir() ? QDir(path).removeRecursively() : QFile::remove(path);
    if (!removed) {
        throw StudioError("cannot remove " + path.toStdString() + "; check the permissions of its folder");
    }
    return r;
}

}  // namespace kinora::studio
