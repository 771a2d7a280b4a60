// What the studio remembers between sessions (QSettings, organisation "Kinora", application
// "Kinora Studio"): a plain struct so the dialog, the main window and tests pass copies around.
#pragma once

#include <QString>
#include <QStringList>

class QSettings;

namespace kinora::ui {

struct StudioSettings {
    QString dataDir;            // empty: KINORA_DATA_DIR or the platform default (studio/data_paths.h)
    QStringList modelFolders;   // folders that hold models (or are one), searched before the bundled one
    int threads = 0;            // 0: every core
    QString device = QStringLiteral("cpu");  // "cpu" or "cuda"
    QString defaultModel = QStringLiteral("kinora-tiny");
    QString language;           // "" = the system's, "en", "zh_CN"
    QString theme = QStringLiteral("dark");  // "system" or "dark"
    bool visibleMark = true;    // draw the "AI" mark into new clips and exports

    bool operator==(const StudioSettings& o) const;
    bool operator!=(const StudioSettings& o) const { return !(*this == o); }

    // Values the studio does not know (a theme from a newer version, a negative thread count, a
    // hand-edited file) read as the defaults, so a bad file never stops the studio from starting.
    static StudioSettings load(QSettings& store);
    void save(QSettings& store) const;

    // Through QSettings("Kinora", "Kinora Studio").
    static StudioSettings load();
    void save() const;
};

// The languages and devices the studio offers, as stored.
QStringList knownLanguages();  // "", "en", "zh_CN"
QStringList knownDevices();    // "cpu", "cuda"

// True when going from `before` to `after` changes something that is only read at start-up (data
// folder, model folders, threads, device, language).
bool needsRestart(const StudioSettings& before, const StudioSettings& after);

}  // namespace kinora::ui
