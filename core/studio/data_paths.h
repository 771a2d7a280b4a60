// Where Kinora keeps the user's data (history database, clips) and where it looks for models.
#pragma once

#include <QString>
#include <QStringList>
#include <QVector>

namespace kinora::studio {

// The data folder and why it was chosen: an explicit folder (the --data-dir option) wins over the
// KINORA_DATA_DIR environment variable, which wins over the platform's app-data folder.
struct DataLocation {
    QString path;    // absolute, cleaned
    QString source;  // "--data-dir", "KINORA_DATA_DIR" or "default"
};

DataLocation resolveDataDir(const QString& explicitDir = {});

// Creates the data folder when missing and checks it is a writable folder. Returns an empty string
// on success, else a one-line reason that names the folder and what to do.
QString prepareDataDir(const QString& path);

// One folder that may hold models, in search order.
struct ModelFolder {
    QString path;
    QString source;  // "KINORA_MODEL_PATH", "settings", "user", "bundled"
    bool exists = false;
};

// KINORA_MODEL_PATH entries (':'-separated), then the folders set with setSettingsModelFolders, then
// <data>/models, then the bundled models: installed next to the executable (../share/kinora/models)
// or, in a development build, resources/models.
QVector<ModelFolder> modelSearchPath(const QString& dataDir);

// The bundled models: resources/models of the source tree for a program in the build tree, else
// <program folder>/../share/kinora/models (the installed layout).
QString bundledModelFolder();

// The model folders the person added in the studio's settings (source "settings"). Set once at start,
// before the worker thread runs; not synchronised.
void setSettingsModelFolders(const QStringList& folders);

}  // namespace kinora::studio
