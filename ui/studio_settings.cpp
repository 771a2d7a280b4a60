#include "ui/studio_settings.h"

#include <QSettings>

namespace kinora::ui {
namespace {

// Keys grouped the way a person reading the .conf file would look for them.
constexpr auto kDataDir = "data/dir";
constexpr auto kModelFolders = "models/folders";
constexpr auto kDefaultModel = "models/default";
constexpr auto kThreads = "engine/threads";
constexpr auto kDevice = "engine/device";
constexpr auto kLanguage = "ui/language";
constexpr auto kTheme = "ui/theme";
constexpr auto kVisibleMark = "export/visibleMark";

// Above this a thread count is a typo, not a machine: the engine would start that many threads.
constexpr int kMaxThreads = 1024;

}  // namespace

QStringList knownLanguages() { return {QString(), QStringLiteral("en"), QStringLiteral("zh_CN")}; }
QStringList knownDevices() { return {QStringLiteral("cpu"), QStringLiteral("cuda")}; }

bool StudioSettings::operator==(const StudioSettings& o) const {
    return dataDir == o.dataDir && modelFolders == o.modelFolders && threads == o.threads && device == o.device &&
           defaultModel == o.defaultModel && language == o.language && theme == o.theme &&
           visibleMark == o.visibleMark;
}

StudioSettings StudioSettings::load(QSettings& store) {
    StudioSettings s;
    s.dataDir = store.value(kDataDir, s.dataDir).toString().trimmed();
    for (const auto& f : store.value(kModelFolders).toStringList()) {
        const QString t = f.trimmed();
        if (!t.isEmpty() && !s.modelFolders.contains(t)) s.modelFolders << t;
    }
    bool ok = false;
    const int threads = store.value(kThreads, 0).toInt(&ok);
    s.threads = ok && threads >= 0 && threads <= kMaxThreads ? threads : 0;
    const QString device = store.value(kDevice, s.device).toString();
    if (knownDevices().contains(device)) s.device = device;
    const QString model = store.value(kDefaultModel, s.defaultModel).toString().trimmed();
    if (!model.isEmpty()) s.defaultModel = model;
    const QString language = store.value(kLanguage, s.language).toString();
    if (knownLanguages().contains(language)) s.language = language;
    const QString theme = store.value(kTheme, s.theme).toString();
    if (theme == QLatin1String("system") || theme == QLatin1String("dark")) s.theme = theme;
    s.visibleMark = store.value(kVisibleMark, s.visibleMark).toBool();
    return s;
}

void StudioSettings::save(QSettings& store) const {
    store.setValue(kDataDir, dataDir);
    store.setValue(kModelFolders, modelFolders);
    store.setValue(kThreads, threads);
    store.setValue(kDevice, device);
    store.setValue(kDefaultModel, defaultModel);
    store.setValue(kLanguage, language);
    store.setValue(kTheme, theme);
    store.setValue(kVisibleMark, visibleMark);
    store.sync();
}

StudioSettings StudioSettings::load() {
    QSettings store(QStringLiteral("Kinora"), QStringLiteral("Kinora Studio"));
    return load(store);
}

void StudioSettings::save() const {
    QSettings store(QStringLiteral("Kinora"), QStringLiteral("Kinora Studio"));
    save(store);
}

bool needsRestart(const StudioSettings& before, const StudioSettings& after) {
    return before.dataDir != after.dataDir || before.modelFolders != after.modelFolders ||
           before.threads != after.threads || before.device != after.device || before.language != after.language;
}

}  // namespace kinora::ui
