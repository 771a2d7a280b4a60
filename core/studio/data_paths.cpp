#include "studio/data_paths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryFile>

namespace kinora::studio {
namespace {

QString absoluteClean(const QString& path) {
    return QDir::cleanPath(QDir(path).absolutePath());
}

}  // namespace

DataLocation resolveDataDir(const QString& explicitDir) {
    if (!explicitDir.isEmpty()) return {absoluteClean(explicitDir), QStringLiteral("--data-dir")};
    const QString env = qEnvironmentVariable("KINORA_DATA_DIR");
    if (!env.isEmpty()) return {absoluteClean(env), QStringLiteral("KINORA_DATA_DIR")};
    // GenericDataLocation + "kinora" rather than AppDataLocation: the latter depends on the
    // organisation and application names, which differ between the CLI and the studio.
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return {absoluteClean(base + QStringLiteral("/kinora")), QStringLiteral("default")};
}

QString prepareDataDir(const QString& path) {
    const QFileInfo info(path);
    if (info.exists() && !info.isDir()) {
        return QStringLiteral("data folder %1 is a file, not a folder; pass another --data-dir").arg(path);
    }
    if (!info.exists() && !QDir().mkpath(path)) {
        return QStringLiteral("cannot create data folder %1; check the permissions of its parent or pass another --data-dir")
            .arg(path);
    }
    // Writability is tested by writing: permission bits do not tell the whole story (read-only
    // mounts, ACLs, running as root).
    QTemporaryFile probe(path + QStringLiteral("/.kinora-write-test-XXXXXX"));
    if (!probe.open()) {
        return QStringLiteral("data folder %1 is not writable (%2); fix its permissions or pass another --data-dir")
            .arg(path, probe.errorString());
    }
    return {};
}

namespace {

QStringList& settingsFolders() {
    static QStringList folders;
    return folders;
}

}  // namespace

void setSettingsModelFolders(const QStringList& folders) { settingsFolders() = folders; }

QString bundledModelFolder() {
    // A program running from the build tree (development, tests) uses the source tree's models; any
    // other (installed) program uses the folder installed beside it, even when that is missing, so an
    // installed Kinora never reaches into the folder it was built in.
    const QString appDir = QCoreApplication::instance() ? absoluteClean(QCoreApplication::applicationDirPath()) : QString();
    if (appDir.isEmpty() || appDir == absoluteClean(QStringLiteral(KINORA_BUILD_BIN_DIR))) {
        return QStringLiteral(KINORA_SOURCE_DIR "/resources/models");
    }
    return absoluteClean(appDir + QStringLiteral("/../share/kinora/models"));
}

QVector<ModelFolder> modelSearchPath(const QString& dataDir) {
    QVector<ModelFolder> folders;
    auto add = [&folders](const QString& path, const QString& source) {
        const QString clean = absoluteClean(path);
        for (const auto& f : folders) {
            if (f.path == clean) return;
        }
        folders.push_back({clean, source, QFileInfo(clean).isDir()});
    };
    const QString env = qEnvironmentVariable("KINORA_MODEL_PATH");
    for (const QString& entry : env.split(QLatin1Char(':'), Qt::SkipEmptyParts)) {
        add(entry, QStringLiteral("KINORA_MODEL_PATH"));
    }
    for (const QString& entry : settingsFolders()) add(entry, QStringLiteral("settings"));
    if (!dataDir.isEmpty()) add(dataDir + QStringLiteral("/models"), QStringLiteral("user"));
    add(bundledModelFolder(), QStringLiteral("bundled"));
    return folders;
}

}  // namespace kinora::studio
