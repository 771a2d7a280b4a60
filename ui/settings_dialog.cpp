#include "ui/settings_dialog.h"

#include "engine/model_folder.h"
#include "studio/data_paths.h"
#include "studio/model_catalog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

namespace kinora::ui {
namespace {

QString native(const QString& path) { return QDir::toNativeSeparators(path); }

}  // namespace

SettingsDialog::SettingsDialog(const StudioSettings& current, const QString& dataDir, QWidget* parent)
    : QDialog(parent), dataDirInUse_(dataDir) {
    setWindowTitle(tr("Settings"));
    auto restartNote = [this] {
        auto* l = new QLabel(tr("Takes effect at the next start."), this);
        QFont f = l->font();
        f.setItalic(true);
        l->setFont(f);
        return l;
    };

    dataDir_ = new QLineEdit(current.dataDir, this);
    dataDir_->setPlaceholderText(tr("Default: %1").arg(native(studio::resolveDataDir().path)));
    dataDir_->setToolTip(tr("Where the history and the clips are kept"));
    auto* browseData = new QPushButton(tr("Browse…"), this);
    connect(browseData, &QPushButton::clicked, this, &SettingsDialog::browseDataDir);
    auto* dataRow = new QHBoxLayout;
    dataRow->addWidget(dataDir_, 1);
    dataRow->addWidget(browseData);

    modelFolders_ = new QListWidget(this);
    modelFolders_->setToolTip(tr("Folders that are a model or hold models, searched before the bundled model"));
    for (const auto& f : current.modelFolders) modelFolders_->addItem(f);
    auto* addFolder = new QPushButton(tr("Add…"), this);
    removeFolder_ = new QPushButton(tr("Remove"), this);
    connect(addFolder, &QPushButton::clicked, this, &SettingsDialog::browseModelFolder);
    connect(removeFolder_, &QPushButton::clicked, this, &SettingsDialog::removeModelFolder);
    connect(modelFolders_, &QListWidget::currentRowChanged, this, [this](int row) { removeFolder_->setEnabled(row >= 0); });
    removeFolder_->setEnabled(false);
    auto* folderButtons = new QVBoxLayout;
    folderButtons->addWidget(addFolder);
    folderButtons->addWidget(removeFolder_);
    folderButtons->addStretch();
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(modelFolders_, 1);
    folderRow->addLayout(folderButtons);

    threads_ = new QSpinBox(this);
    threads_->setRange(0, std::max(64, QThread::idealThreadCount() * 4));
    threads_->setSpecialValueText(tr("All cores (%1)").arg(QThread::idealThreadCount()));
    threads_->setValue(current.threads);

    device_ = new QComboBox(this);
    device_->addItem(tr("CPU"), QStringLiteral("cpu"));
    device_->addItem(tr("CUDA GPU (needs a LibTorch built with CUDA)"), QStringLiteral("cuda"));
    device_->setCurrentIndex(std::max(0, device_->findData(current.device)));

    defaultModel_ = new QComboBox(this);
    defaultModel_->setEditable(true);
    defaultModel_->setToolTip(tr("The model new prompts start with"));
    if (!dataDirInUse_.isEmpty()) {
        for (const auto& e : studio::listModels(dataDirInUse_)) {
            const QString name = QString::fromStdString(e.summary.name);
            if (e.summary.ok() && defaultModel_->findText(name) < 0) defaultModel_->addItem(name);
        }
    }
    if (defaultModel_->findText(current.defaultModel) < 0) defaultModel_->addItem(current.defaultModel);
    defaultModel_->setCurrentText(current.defaultModel);

    language_ = new QComboBox(this);
    language_->addItem(tr("System language"), QString());
    // Each language in its own name (an endonym), so that someone who cannot read the current one
    // still finds theirs: deliberately not translated.
    language_->addItem(QStringLiteral("English"), QStringLiteral("en"));
    language_->addItem(QStringLiteral("\u7b80\u4f53\u4e2d\u6587"), QStringLiteral("zh_CN"));
    language_->setCurrentIndex(std::max(0, language_->findData(current.language)));

    theme_ = new QComboBox(this);
    theme_->addItem(tr("Dark (neutral greys for judging colour)"), QStringLiteral("dark"));
    theme_->addItem(tr("System"), QStringLiteral("system"));
    theme_->setCurrentIndex(std::max(0, theme_->findData(current.theme)));

    visibleMark_ = new QCheckBox(tr("Draw the visible “AI” mark into new clips and exports"), this);
    visibleMark_->setChecked(current.visibleMark);
    visibleMark_->setToolTip(tr("The AI-generation record is written into every file whether or not the mark is drawn"));

    message_ = new QLabel(this);
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* form = new QFormLayout;
    form->addRow(tr("Data folder:"), dataRow);
    form->addRow(QString(), restartNote());
    form->addRow(tr("Model folders:"), folderRow);
    form->addRow(QString(), restartNote());
    form->addRow(tr("Threads:"), threads_);
    form->addRow(tr("Device:"), device_);
    form->addRow(QString(), restartNote());
    form->addRow(tr("Default model:"), defaultModel_);
    form->addRow(tr("Language:"), language_);
    form->addRow(QString(), restartNote());
    form->addRow(tr("Theme:"), theme_);
    form->addRow(QString(), visibleMark_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(message_);
    layout->addWidget(buttons);
}

StudioSettings SettingsDialog::settings() const {
    StudioSettings s;
    s.dataDir = dataDir_->text().trimmed();
    for (int i = 0; i < modelFolders_->count(); ++i) s.modelFolders << modelFolders_->item(i)->text();
    s.threads = threads_->value();
    s.device = device_->currentData().toString();
    const QString model = defaultModel_->currentText().trimmed();
    if (!model.isEmpty()) s.defaultModel = model;
    s.language = language_->currentData().toString();
    s.theme = theme_->currentData().toString();
    s.visibleMark = visibleMark_->isChecked();
    return s;
}

QString SettingsDialog::message() const { return message_->text(); }

void SettingsDialog::showMessage(const QString& text, bool problem) {
    message_->setText(text);
    message_->setStyleSheet(problem ? QStringLiteral("color: #e06c5f;") : QString());
}

bool SettingsDialog::addModelFolder(const QString& folderIn) {
    const QString folder = QDir::cleanPath(QFileInfo(folderIn.trimmed()).absoluteFilePath());
    if (folderIn.trimmed().isEmpty() || !QFileInfo(folder).isDir()) {
        showMessage(tr("%1 is not a folder.").arg(native(folderIn)), true);
        return false;
    }
    for (int i = 0; i < modelFolders_->count(); ++i) {
        if (QDir::cleanPath(modelFolders_->item(i)->text()) == folder) {
            showMessage(tr("%1 is already in the list.").arg(native(folder)), true);
            return false;
        }
    }
    // The same rule as the model search path: a folder that is a model, or one whose sub-folders are.
    QStringList candidates;
    if (engine::isModelFolder(folder.toStdString())) {
        candidates << folder;
    } else {
        for (const auto& sub : QDir(folder).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            if (engine::isModelFolder(sub.filePath().toStdString())) candidates << sub.filePath();
        }
    }
    if (candidates.isEmpty()) {
        showMessage(tr("%1 holds no model: a model folder has a model_index.json, and so does each model inside a "
                       "folder of models.")
                        .arg(native(folder)),
                    true);
        return false;
    }
    QStringList usable, broken;
    QString firstError;
    for (const auto& c : candidates) {
        const auto summary = engine::inspectModel(c.toStdString());
        if (summary.ok()) {
            usable << QFileInfo(c).fileName();
        } else {
            if (firstError.isEmpty()) firstError = QString::fromStdString(summary.error);
            broken << tr("%1: %2").arg(QFileInfo(c).fileName(), QString::fromStdString(summary.error));
        }
    }
    if (usable.isEmpty()) {
        showMessage(candidates.size() == 1
                        ? tr("This model cannot be used: %1").arg(firstError)
                        : tr("None of the models in %1 can be used. %2").arg(native(folder), broken.join(QLatin1Char(' '))),
                    true);
        return false;
    }
    modelFolders_->addItem(folder);
    for (const auto& name : usable) {
        if (defaultModel_->findText(name) < 0) defaultModel_->addItem(name);
    }
    if (broken.isEmpty()) {
        showMessage(tr("Added %1 (%2).").arg(native(folder), usable.join(QStringLiteral(", "))), false);
    } else {
        showMessage(tr("Added %1 (%2). Some of its models cannot be used: %3")
                        .arg(native(folder), usable.join(QStringLiteral(", ")), broken.join(QLatin1Char(' '))),
                    true);
    }
    return true;
}

bool SettingsDialog::checkDataDir() {
    const QString dir = dataDir_->text().trimmed();
    if (dir.isEmpty()) return true;  // the default folder, checked at start-up
    const QString problem = studio::prepareDataDir(QDir::cleanPath(QFileInfo(dir).absoluteFilePath()));
    if (!problem.isEmpty()) {
        showMessage(tr("The data folder cannot be used: %1").arg(problem), true);
        return false;
    }
    return true;
}

void SettingsDialog::accept() {
    if (!checkDataDir()) return;
    QDialog::accept();
}

void SettingsDialog::browseDataDir() {
    const QString start = dataDir_->text().isEmpty() ? dataDirInUse_ : dataDir_->text();
    const QString chosen = QFileDialog::getExistingDirectory(this, tr("Data Folder"), start);
    if (chosen.isEmpty()) return;
    dataDir_->setText(native(chosen));
    checkDataDir();
}

void SettingsDialog::browseModelFolder() {
    const QString chosen = QFileDialog::getExistingDirectory(this, tr("Model Folder"), QDir::homePath());
    if (!chosen.isEmpty()) addModelFolder(chosen);
}

void SettingsDialog::removeModelFolder() {
    delete modelFolders_->takeItem(modelFolders_->currentRow());
    showMessage({}, false);
}

}  // namespace kinora::ui
