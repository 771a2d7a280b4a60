// The Simplified Chinese translation is complete and reaches the widgets: every message of the .ts file
// is translated (none unfinished), the compiled catalogue is built into the program, and the studio
// window shows its menus, docks and prompt panel in Chinese when the language is zh_CN; English plural
// forms read "1 frame" / "2 frames".
#include "studio/job_queue.h"
#include "ui/main_window.h"
#include "ui/prompt_panel.h"
#include "ui/queue_panel.h"
#include "ui/studio_app.h"

#include <QDirIterator>
#include <QDockWidget>
#include <QFile>
#include <QMenuBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>

using namespace kinora;

class TestTranslations : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("KINORA_MODEL_PATH", QByteArray(KINORA_TEST_DATA_DIR "/wan-tiny"));
    }

    void chineseCatalogueIsComplete() {
        QFile ts(QStringLiteral(KINORA_SOURCE_DIR "/translations/kinora_zh_CN.ts"));
        QVERIFY(ts.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&ts);
        int messages = 0, unfinished = 0, empty = 0;
        QString source;
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement()) continue;
            if (xml.name() == QLatin1String("source")) source = xml.readElementText();
            if (xml.name() == QLatin1String("translation")) {
                ++messages;
                const auto type = xml.attributes().value(QLatin1String("type"));
                if (type == QLatin1String("unfinished") || type == QLatin1String("vanished") || type == QLatin1String("obsolete")) {
                    ++unfinished;
                    qWarning("not translated: %s", qPrintable(source));
                }
                const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
                if (text.trimmed().isEmpty()) ++empty;
            }
        }
        QVERIFY(!xml.hasError());
        QVERIFY(messages > 250);
        QCOMPARE(unfinished, 0);
        QCOMPARE(empty, 0);
    }

    void compiledCataloguesAreBuiltIn() {
        QVERIFY(QFile::exists(QStringLiteral(":/i18n/kinora_zh_CN.qm")));
        QVERIFY(QFile::exists(QStringLiteral(":/i18n/kinora_en.qm")));
    }

    void windowSpeaksChinese() {
        auto* app = qobject_cast<QApplication*>(QCoreApplication::instance());
        std::unique_ptr<QTranslator> kinora, qt;
        QCOMPARE(ui::installTranslations(*app, QStringLiteral("zh_CN"), kinora, qt), QStringLiteral("zh_CN"));
        QTemporaryDir dir;
        studio::QueueOptions o;
        o.dataDir = dir.path();
        studio::JobQueue queue(o);
        ui::MainWindow window(queue);
        QCOMPARE(window.windowTitle(), QStringLiteral("Kinora 工作室"));
        QStringList menus;
        for (auto* a : window.menuBar()->actions()) menus << a->text();
        QCOMPARE(menus, (QStringList{QStringLiteral("文件(&F)"), QStringLiteral("编辑(&E)"), QStringLiteral("视图(&V)"),
                                     QStringLiteral("生成(&G)"), QStringLiteral("帮助(&H)")}));
        QCOMPARE(window.promptPanel()->generateButton()->text(), QStringLiteral("生成"));
        QStringList docks;
        for (auto* d : window.findChildren<QDockWidget*>()) docks << d->windowTitle();
        docks.sort();
        QCOMPARE(docks, (QStringList{QStringLiteral("历史记录"), QStringLiteral("提示词"), QStringLiteral("队列")}));
        QCOMPARE(window.queuePanel()->pauseButton()->text(), QStringLiteral("暂停队列"));

        // The prompt panel's inline reasons are in Chinese too (the engine words its own in English).
        auto* p = window.promptPanel();
        p->setPrompt(QStringLiteral("黑色背景上一个红色的圆向左移动"));
        p->widthBox()->setValue(40);  // not a multiple of 16
        QVERIFY(!p->generateButton()->isEnabled());
        const QString width = p->validationError();
        QVERIFY2(width.contains(QStringLiteral("宽度")) && width.contains(QLatin1String("16")), qPrintable(width));
        QVERIFY2(!width.contains(QLatin1String("not allowed")), qPrintable(width));
        p->widthBox()->setValue(48);
        p->framesBox()->setValue(6);  // not 4k+1
        const QString frames = p->validationError();
        QVERIFY2(frames.contains(QStringLiteral("帧")) && !frames.contains(QLatin1String("frames")), qPrintable(frames));
        p->framesBox()->setValue(5);
        QVERIFY2(p->validationError().isEmpty(), qPrintable(p->validationError()));

        // English plurals.
        QVERIFY(ui::installTranslations(*app, QStringLiteral("en"), kinora, qt).startsWith(QLatin1String("en")));
        QCOMPARE(QCoreApplication::translate("kinora::ui::HistoryPanel", "Restored %n job(s).", nullptr, 1), QStringLiteral("Restored 1 job."));
        QCOMPARE(QCoreApplication::translate("kinora::ui::HistoryPanel", "Restored %n job(s).", nullptr, 3), QStringLiteral("Restored 3 jobs."));
        for (auto* t : {kinora.get(), qt.get()}) app->removeTranslator(t);
    }
};

QTEST_MAIN(TestTranslations)
#include "test_translations.moc"
