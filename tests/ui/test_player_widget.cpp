// The player on its own: the clip's prompt beside the transport controls is elided to the room it has
// (ending in "…", the whole prompt in the tooltip) instead of being cut mid-letter under the zoom box.
#include "ui/player_widget.h"

#include <QLabel>
#include <QtTest>

using namespace kinora::ui;

class TestPlayerWidget : public QObject {
    Q_OBJECT
private slots:
    void longPromptIsElidedNotClipped() {
        PlayerWidget player;
        QVector<QImage> frames;
        for (int i = 0; i < 3; ++i) {
            QImage f(128, 128, QImage::Format_RGB32);
            f.fill(QColor(i * 40, 0, 0));
            frames.push_back(f);
        }
        const QString prompt = QStringLiteral("a red circle moving left on a black background, then a yellow square bouncing on green grass");
        player.resize(520, 400);
        player.show();
        QVERIFY(QTest::qWaitForWindowExposed(&player));
        player.setPreview(frames, 8, prompt);
        auto* label = player.findChild<QLabel*>(QStringLiteral("playerCaption"));
        QVERIFY(label);
        QCOMPARE(player.caption(), prompt);
        QCOMPARE(label->toolTip(), prompt);
        QVERIFY2(label->text().endsWith(QChar(0x2026)), qPrintable(label->text()));
        QVERIFY(label->text().size() < prompt.size());
        QVERIFY(label->fontMetrics().horizontalAdvance(label->text()) <= label->contentsRect().width());

        // With room for it, the whole prompt shows; and a narrower window elides it again.
        player.resize(2400, 400);
        QTRY_COMPARE(label->text(), prompt);
        player.resize(480, 400);
        QTRY_VERIFY(label->text().endsWith(QChar(0x2026)));

        // Clearing the player clears the caption too.
        player.clear(QStringLiteral("nothing"));
        QVERIFY(label->text().isEmpty());
        QVERIFY(player.caption().isEmpty());
    }
};

QTEST_MAIN(TestPlayerWidget)
#include "test_player_widget.moc"
