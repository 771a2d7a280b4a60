// Studio settings through QSettings (a temporary file, never the user's), the Settings dialog's
// fields, model folders checked by the engine's loader (a broken copy of the reference model is
// refused with the loader's own error), and the data folder checked before the dialog closes.
#include "engine/model_folder.h"
#include "ui/settings_dialog.h"
#include "ui/studio_settings.h"
#include "../studio/studio_test_util.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QLineEdit>
#include <QListWidget>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace kinora;
using namespace kinora::test;
using ui::SettingsDialog;
using ui::StudioSettings;

namespace {

bool copyTree(const QString& from, const QString& to) {
    if (!QDir().mkpath(to)) return false;
    for (const auto& e : QDir(from).entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot)) {
        const QString target = to + "/" + e.fileName();
        if (e.isDir() ? !copyTree(e.filePath(), target) : !QFile::copy(e.filePath(), target)) return false;
    }
    return true;
}

StudioSettings sample(const QString& base) {
    StudioSettings s;
    s.dataDir = base + "/data";
    s.modelFolders = {base + "/models-a", base + "/models-b"};
    s.threads = 3;
    s.device = "cuda";
    s.defaultModel = "tiny-wan2.1-t2v";
    s.language = "zh_CN";
    s.theme = "system";
    s.visibleMark = false;
    return s;
}

}  // namespace

class TestSettingsDialog : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        // Belt and braces: whatever QSettings a test opens lands in the temporary folder.
        QStandardPaths::setTestModeEnabled(true);
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir_.path() + "/config");
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir_.path() + "/config");
    }

    void defaultsAreTheDocumentedOnes() {
        const StudioSettings s;
        QCOMPARE(s.threads, 0);
        QCOMPARE(s.device, QStringLiteral("cpu"));
        QCOMPARE(s.defaultModel, QStringLiteral("kinora-tiny"));
        QCOMPARE(s.language, QString());
        QCOMPARE(s.theme, QStringLiteral("dark"));
        QVERIFY(s.visibleMark);
    }

    void roundTripThroughAFile() {
        const QString file = dir_.path() + "/round.ini";
        const StudioSettings s = sample(dir_.path());
        {
            QSettings store(file, QSettings::IniFormat);
            s.save(store);
        }
        QSettings store(file, QSettings::IniFormat);
        QCOMPARE(StudioSettings::load(store), s);
        // An empty store gives the defaults.
        QSettings empty(dir_.path() + "/empty.ini", QSettings::IniFormat);
        QCOMPARE(StudioSettings::load(empty), StudioSettings());
    }

    void roundTripThroughTheApplicationsSettings() {
        const StudioSettings s = sample(dir_.path());
        s.save();
        QCOMPARE(StudioSettings::load(), s);
        // It went to the redirected folder under Kinora's names.
        QSettings store(QStringLiteral("Kinora"), QStringLiteral("Kinora Studio"));
        QVERIFY2(store.fileName().startsWith(dir_.path()), qPrintable(store.fileName()));
        QCOMPARE(store.value("ui/theme").toString(), QStringLiteral("system"));
        StudioSettings().save();
        QCOMPARE(StudioSettings::load(), StudioSettings());
    }

    void valuesFromAHandEditedFileReadAsDefaults() {
        QSettings store(dir_.path() + "/bad.ini", QSettings::IniFormat);
        store.setValue("ui/theme", "purple");
        store.setValue("ui/language", "xx_YY");
        store.setValue("engine/threads", -4);
        store.setValue("engine/device", "tpu");
        store.setValue("models/default", "   ");
        store.setValue("models/folders", QStringList{" /a ", "", "/a", "/b"});
        const StudioSettings s = StudioSettings::load(store);
        QCOMPARE(s.theme, QStringLiteral("dark"));
        QCOMPARE(s.language, QString());
        QCOMPARE(s.threads, 0);
        QCOMPARE(s.device, QStringLiteral("cpu"));
        QCOMPARE(s.defaultModel, QStringLiteral("kinora-tiny"));
        QCOMPARE(s.modelFolders, (QStringList{"/a", "/b"}));
        store.setValue("engine/threads", "many");
        QCOMPARE(StudioSettings::load(store).threads, 0);
    }

    void restartIsNeededOnlyForStartUpSettings() {
        const StudioSettings a;
        StudioSettings b = a;
        b.theme = "system";
        b.visibleMark = false;
        b.defaultModel = "other";
        QVERIFY(!ui::needsRestart(a, b));
        b.language = "en";
        QVERIFY(ui::needsRestart(a, b));
        b = a;
        b.dataDir = "/elsewhere";
        QVERIFY(ui::needsRestart(a, b));
    }

    void theDialogEditsEverySetting() {
        const StudioSettings s = sample(dir_.path());
        SettingsDialog d(s, dir_.path() + "/data");
        QCOMPARE(d.settings(), s);  // fields show what was given
        d.dataDirEdit()->clear();
        QTest::keyClicks(d.dataDirEdit(), dir_.path() + "/data2");
        d.threadsBox()->setValue(0);
        QCOMPARE(d.threadsBox()->text(), d.threadsBox()->specialValueText());  // "All cores (N)"
        d.deviceBox()->setCurrentIndex(d.deviceBox()->findData("cpu"));
        d.languageBox()->setCurrentIndex(d.languageBox()->findData("en"));
        d.themeBox()->setCurrentIndex(d.themeBox()->findData("dark"));
        QTest::mouseClick(d.visibleMarkBox(), Qt::LeftButton);
        d.defaultModelBox()->setCurrentText("kinora-tiny");
        const StudioSettings got = d.settings();
        QCOMPARE(got.dataDir, dir_.path() + "/data2");
        QCOMPARE(got.threads, 0);
        QCOMPARE(got.device, QStringLiteral("cpu"));
        QCOMPARE(got.language, QStringLiteral("en"));
        QCOMPARE(got.theme, QStringLiteral("dark"));
        QVERIFY(got.visibleMark);
        QCOMPARE(got.defaultModel, QStringLiteral("kinora-tiny"));
        QCOMPARE(got.modelFolders, s.modelFolders);
        // The dialog names what waits for the next start.
        int notes = 0;
        for (auto* l : d.findChildren<QLabel*>()) notes += l->text().contains("next start");
        QVERIFY(notes >= 4);
        // OK creates and checks the new data folder.
        d.accept();
        QCOMPARE(d.result(), int(QDialog::Accepted));
        QVERIFY(QFileInfo(dir_.path() + "/data2").isDir());
    }

    void modelFoldersAreCheckedByTheLoader() {
        SettingsDialog d(StudioSettings(), dir_.path() + "/data");
        // The reference model itself, and a folder holding a copy of it.
        QVERIFY2(d.addModelFolder(referenceModelDir()), qPrintable(d.message()));
        QCOMPARE(d.modelFolderList()->count(), 1);
        QVERIFY(d.defaultModelBox()->findText("tiny-wan2.1-t2v") >= 0);
        QVERIFY(!d.addModelFolder(referenceModelDir()));  // once only
        QVERIFY(d.message().contains("already"));
        const QString holder = dir_.path() + "/holder";
        QVERIFY(copyTree(referenceModelDir(), holder + "/copy-model"));
        QVERIFY2(d.addModelFolder(holder), qPrintable(d.message()));
        QCOMPARE(d.modelFolderList()->count(), 2);
        QVERIFY(d.defaultModelBox()->findText("copy-model") >= 0);

        // A broken copy: the transformer's config is damaged. Refused with the loader's error.
        const QString broken = dir_.path() + "/broken-model";
        QVERIFY(copyTree(referenceModelDir(), broken));
        QVERIFY(writeAll(broken + "/transformer/config.json", "{ \"num_layers\": "));
        const std::string loaderError = engine::inspectModel(broken.toStdString()).error;
        QVERIFY(!loaderError.empty());
        QVERIFY(!d.addModelFolder(broken));
        QCOMPARE(d.modelFolderList()->count(), 2);
        QVERIFY2(d.message().contains(QString::fromStdString(loaderError)), qPrintable(d.message()));
        QVERIFY(d.message().contains("cannot be used"));

        // A folder with no model, and something that is not a folder.
        QVERIFY(QDir().mkpath(dir_.path() + "/no-models/sub"));
        QVERIFY(!d.addModelFolder(dir_.path() + "/no-models"));
        QVERIFY(d.message().contains("holds no model"));
        QVERIFY(!d.addModelFolder(dir_.path() + "/nowhere"));
        QVERIFY(d.message().contains("is not a folder"));
        QCOMPARE(d.modelFolderList()->count(), 2);

        // Remove takes the selected folder out.
        d.modelFolderList()->setCurrentRow(0);
        for (auto* b : d.findChildren<QPushButton*>()) {
            if (b->text() == "Remove") QTest::mouseClick(b, Qt::LeftButton);
        }
        QCOMPARE(d.settings().modelFolders, QStringList{QDir::cleanPath(holder)});
    }

    void anUnusableDataFolderKeepsTheDialogOpen() {
        QVERIFY(writeAll(dir_.path() + "/plain-file", "x"));
        SettingsDialog d(StudioSettings(), dir_.path() + "/data");
        d.show();
        d.dataDirEdit()->setText(dir_.path() + "/plain-file/data");
        d.accept();
        QVERIFY(d.isVisible());
        QVERIFY(d.result() != QDialog::Accepted);
        QVERIFY2(d.message().startsWith("The data folder cannot be used:"), qPrintable(d.message()));
        QVERIFY(d.message().contains(dir_.path() + "/plain-file"));
        // Empty means the default folder: nothing to check now.
        d.dataDirEdit()->clear();
        QVERIFY(d.checkDataDir());
    }
};

QTEST_MAIN(TestSettingsDialog)
#include "test_settings_dialog.moc"
