// Preferences: data folder, model folders, threads, device, default model, language, theme and the
// visible AI mark. Folders are checked when they are chosen (a model folder with the engine's own
// loader checks, the data folder by creating and write-testing it), so a broken one never gets saved.
#pragma once

#include "ui/studio_settings.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace kinora::ui {

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    // `current` fills the fields; `dataDir` is the data folder in use (for the list of models).
    explicit SettingsDialog(const StudioSettings& current, const QString& dataDir, QWidget* parent = nullptr);

    // The settings as the fields show them now.
    StudioSettings settings() const;

    // What "Add…" does after its folder dialog: checks `folder` with the engine's loader and adds it.
    // Returns false (and shows the loader's problem in the dialog) when it holds no usable model.
    bool addModelFolder(const QString& folder);
    // Checks the data folder field (creating the folder when missing, as the studio would). Returns
    // false and shows why when it cannot be used.
    bool checkDataDir();

    // The last problem or note shown ("" when none).
    QString message() const;

    QLineEdit* dataDirEdit() const { return dataDir_; }
    QListWidget* modelFolderList() const { return modelFolders_; }
    QSpinBox* threadsBox() const { return threads_; }
    QComboBox* deviceBox() const { return device_; }
    QComboBox* defaultModelBox() const { return defaultModel_; }
    QComboBox* languageBox() const { return language_; }
    QComboBox* themeBox() const { return theme_; }
    QCheckBox* visibleMarkBox() const { return visibleMark_; }

public slots:
    // Saves nothing itself: the caller reads settings() and saves them. Refuses a bad data folder.
    void accept() override;

private:
    void browseDataDir();
    void browseModelFolder();
    void removeModelFolder();
    void showMessage(const QString& text, bool problem);

    QString dataDirInUse_;
    QLineEdit* dataDir_;
    QListWidget* modelFolders_;
    QPushButton* removeFolder_;
    QSpinBox* threads_;
    QComboBox* device_;
    QComboBox* defaultModel_;
    QComboBox* language_;
    QComboBox* theme_;
    QCheckBox* visibleMark_;
    QLabel* message_;
};

}  // namespace kinora::ui
