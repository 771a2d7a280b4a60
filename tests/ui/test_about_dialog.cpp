// The About dialog: library versions from studio::versions(), the model card of an installed model
// (its README.md, YAML front matter left out), a model without a card, and the licences.
#include "studio/versions.h"
#include "ui/about_dialog.h"
#include "../studio/studio_test_util.h"

#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>

using namespace kinora;
using namespace kinora::test;
using ui::AboutDialog;

namespace {

bool copyTree(const QString& from, const QString& to) {
    if (!QDir().mkpath(to)) return false;
    for (const auto& e : QDir(from).entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot)) {
        const QString target = to + "/" + e.fileName();
        if (e.isDir() ? !copyTree(e.filePath(), target) : !QFile::copy(e.filePath(), target)) return false;
    }
    return true;
}

}  // namespace

class TestAboutDialog : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const QString models = dir_.path() + "/models";
        QVERIFY(copyTree(referenceModelDir(), models + "/carded-model"));
        QVERIFY(copyTree(referenceModelDir(), models + "/plain-model"));
        QVERIFY(writeAll(models + "/carded-model/README.md",
                         "---\nlicense: apache-2.0\ntags: [text-to-video]\n---\n# Carded model\n\nDraws **shapes** "
                         "that move.\n"));
        qputenv("KINORA_MODEL_PATH", models.toUtf8());
        QVERIFY(QDir().mkpath(dir_.path() + "/data"));
    }

    void showsVersionsModelCardsAndLicences() {
        AboutDialog d(dir_.path() + "/data");
        QCOMPARE(d.tabs()->count(), 3);
        const QString versions = d.versionsView()->toPlainText();
        QVERIFY(versions.contains(studio::kinoraVersionString()));
        for (const auto& [name, version] : studio::versions().libraries) {
            QVERIFY2(versions.contains(name), qPrintable(name));
            if (!version.isEmpty()) QVERIFY2(versions.contains(version), qPrintable(version));
        }
        QVERIFY(versions.contains(QString::fromLatin1(qVersion())));

        const QString models = d.modelsView()->toPlainText();
        QVERIFY2(models.contains("carded-model") && models.contains("plain-model"), qPrintable(models));
        QVERIFY(models.contains("Carded model"));
        QVERIFY(models.contains("Draws shapes that move."));  // markdown rendered: no asterisks
        QVERIFY(!models.contains("license: apache-2.0"));       // front matter is for machines
        QVERIFY(models.contains("This model has no model card"));

        const QString licences = d.licencesView()->toPlainText();
        QVERIFY(licences.contains("Apache License"));
        QVERIFY(licences.contains("Version 2.0, January 2004"));
        for (const char* component : {"LibTorch", "Qt 6", "FFmpeg", "OpenCV", "SQLite", "LGPL-3.0"}) {
            QVERIFY2(licences.contains(QLatin1String(component)), component);
        }
    }

    void aBrokenModelShowsItsError() {
        const QString broken = dir_.path() + "/models/broken-model";
        QVERIFY(copyTree(referenceModelDir(), broken));
        QVERIFY(QFile::remove(broken + "/vae/config.json"));
        const QString md = AboutDialog::modelCardsMarkdown(dir_.path() + "/data");
        QVERIFY2(md.contains("broken-model") && md.contains("cannot be used"), qPrintable(md));
        QVERIFY(md.contains("config.json"));
        QVERIFY(QDir(broken).removeRecursively());
    }
};

QTEST_MAIN(TestAboutDialog)
#include "test_about_dialog.moc"
