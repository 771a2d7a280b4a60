// Deleting a job's files the way a desktop does: into the user's trash (freedesktop.org trash
// specification: $XDG_DATA_HOME/Trash/files + info/<name>.trashinfo, through Qt's QFile::moveToTrash)
// when the user has a trash folder, otherwise for good.
#pragma once

#include <QString>

namespace kinora::studio {

struct TrashResult {
    bool trashed = false;  // moved to the trash (false: removed for good)
    QString trashPath;     // where it went, when trashed
};

// The home trash folder when it exists ($XDG_DATA_HOME/Trash, default ~/.local/share/Trash), else "".
QString homeTrashFolder();

// Moves `path` (file or folder) to the trash when there is one, else removes it. Throws StudioError
// when it can do neither.
TrashResult trashOrRemove(const QString& path);

}  // namespace kinora::studio
