// The Export dialog on real clips: GIF, MP4 and PNG-frame exports decoded back (frames after the
// trim, size after the scale, the record carried over), the mark box for clips that already carry
// the mark, the file name following the format, existing files never replaced silently, and
// impossible targets refused in plain words with nothing left behind.
#include "media/decoder.h"
#include "media/export_ops.h"
#include "media/encoder.h"
#include "media/provenance.h"
#include "ui/export_dialog.h"
#include "../studio/studio_test_util.h"
#include "ui_test_util.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using namespace kinora;
using namespace kinora::test;
using ui::ExportDialog;

namespace {

int formatIndex(const ExportDialog& d, media::Format f) { return d.formatBox()->findData(int(f)); }

}  // namespace

class TestExportDialog : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString source_;  // 8 frames of 32x24 at 8 fps, with a record

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QVERIFY(QDir().mkpath(dir_.path() + "/src/42"));
        source_ = dir_.path() + "/src/42/clip.mp4";
        media::ProvenanceRecord record;
        record.generator_version = "test";
        record.prompt = "a red circle moving left on a black background";
        record.seed = 7;
        media::writeClip(movingClip(8, 32, 24, 8), source_.toStdString(), media::Format::Mp4, record);
        QVERIFY(QFile::exists(source_));
    }

    void gifWithTrimAndScale() {
        ExportDialog d(source_, false, 8, 2, 5);
        d.show();
        QCOMPARE(d.inBox()->value(), 2);
        QCOMPARE(d.outBox()->value(), 5);
        QVERIFY(d.markBox()->isEnabled() && d.markBox()->isChecked());
        // The default name comes from the job folder and follows the format.
        QVERIFY(d.targetPath().endsWith("kinora-42.mp4"));
        d.formatBox()->setCurrentIndex(formatIndex(d, media::Format::Gif));
        QVERIFY(d.targetPath().endsWith("kinora-42.gif"));
        d.scaleBox()->setValue(2);
        const QString out = dir_.path() + "/out.gif";
        d.targetEdit()->clear();
        QTest::keyClicks(d.targetEdit(), out);
        QCOMPARE(d.targetPath(), out);
        QVERIFY(d.exportButton()->isEnabled());
        QSignalSpy done(&d, &ExportDialog::exportFinished), failed(&d, &ExportDialog::exportFailed);
        QTest::mouseClick(d.exportButton(), Qt::LeftButton);
        QVERIFY(d.running() || done.size() == 1);
        QVERIFY(!d.exportButton()->isEnabled() || done.size() == 1);
        QVERIFY(done.wait(30000) || done.size() == 1);
        QCOMPARE(failed.size(), 0);
        QCOMPARE(done[0][0].toString(), out);
        QVERIFY(d.showInFolderButton()->isVisible());
        QVERIFY(d.exportButton()->isEnabled());
        QVERIFY2(d.messageLabel()->text().contains(out), qPrintable(d.messageLabel()->text()));

        const auto back = media::decodeFile(out.toStdString());
        QCOMPARE(int(back.clip.frames.size()), 4);  // frames 2, 3, 4, 5
        QCOMPARE(back.width, 64);
        QCOMPARE(back.height, 48);
        QVERIFY(back.record.has_value());
        QCOMPARE(back.record->prompt, std::string("a red circle moving left on a black background"));
        QCOMPARE(back.record->frames, 4);
        QVERIFY(QFile::exists(QString::fromStdString(media::sidecarPathFor(out.toStdString()))));
        // The mark was drawn: the bottom-right corner differs from an export without it.
        ExportDialog plain(source_, false, 8, 2, 5);
        plain.formatBox()->setCurrentIndex(formatIndex(plain, media::Format::Gif));
        plain.scaleBox()->setValue(2);
        plain.markBox()->setChecked(false);
        plain.setTargetPath(dir_.path() + "/plain.gif");
        QSignalSpy plainDone(&plain, &ExportDialog::exportFinished);
        plain.startExport();
        QVERIFY(plainDone.wait(30000));
        const auto unmarked = media::decodeFile((dir_.path() + "/plain.gif").toStdString());
        const auto rect = media::aiLabelRect(64, 48);
        const auto& a = back.clip.frames[0];
        const auto& b = unmarked.clip.frames[0];
        int differing = 0;
        for (int y = rect.y; y < rect.y + rect.height; ++y) {
            for (int x = rect.x; x < rect.x + rect.width; ++x) {
                const size_t i = (size_t(y) * 64 + x) * 3;
                if (std::abs(int(a.rgb[i]) - int(b.rgb[i])) > 40) ++differing;
            }
        }
        QVERIFY2(differing > rect.width * rect.height / 4, qPrintable(QString::number(differing)));
    }

    void pngFramesIntoANewFolderWithANewRate() {
        ExportDialog d(source_, false, 8, 0, -1);
        QCOMPARE(d.outBox()->value(), 7);
        d.formatBox()->setCurrentIndex(formatIndex(d, media::Format::PngFrames));
        const QString out = dir_.path() + "/frames";
        d.setTargetPath(out + ".gif");
        d.formatBox()->setCurrentIndex(formatIndex(d, media::Format::Gif));
        d.formatBox()->setCurrentIndex(formatIndex(d, media::Format::PngFrames));
        QCOMPARE(d.targetPath(), out);  // a folder name, no extension
        QTest::mouseClick(d.keepFpsBox(), Qt::LeftButton);
        QVERIFY(!d.keepFpsBox()->isChecked() && d.fpsBox()->isEnabled());
        d.fpsBox()->setValue(16);
        QSignalSpy done(&d, &ExportDialog::exportFinished);
        d.startExport();
        QVERIFY(done.wait(30000));
        QVERIFY(QFileInfo(out).isDir());
        const auto back = media::decodeFile(out.toStdString());
        QCOMPARE(int(back.clip.frames.size()), 16);  // the same second at twice the rate
        QCOMPARE(back.clip.fps_num, 16);
        QCOMPARE(back.width, 32);
    }

    void anExistingFileIsNeverReplacedSilently() {
        // The suggested name skips names in use: a second export of the same clip keeps the first.
        const QString suggested = ExportDialog(source_, false, 8, 0, 7).targetPath();
        QVERIFY(suggested.endsWith("kinora-42.mp4"));
        QVERIFY(!QFile::exists(suggested));
        QVERIFY(writeAll(suggested, "the first export"));
        {
            ExportDialog d(source_, false, 8, 0, 7);
            const QString second = d.targetPath();
            QFile::remove(suggested);  // out of the user's folder before any check can fail
            QVERIFY2(second.endsWith("kinora-42-2.mp4"), qPrintable(second));
            QCOMPARE(d.exportButton()->text(), QStringLiteral("Export"));
        }
        // A name the user types that exists is allowed, but the button and the message say it replaces.
        const QString existing = dir_.path() + "/existing.gif";
        QVERIFY(writeAll(existing, "keep me?"));
        ExportDialog d(source_, false, 8, 0, 7);
        d.formatBox()->setCurrentIndex(formatIndex(d, media::Format::Gif));
        d.targetEdit()->clear();
        QTest::keyClicks(d.targetEdit(), existing);
        QCOMPARE(d.exportButton()->text(), QStringLiteral("Replace"));
        QVERIFY2(d.messageLabel()->text().contains("already exists; exporting replaces it"), qPrintable(d.messageLabel()->text()));
        QVERIFY(d.validationError().isEmpty());
        // Switching the format keeps the user's name (now .mp4, which does not exist): a plain export.
        d.formatBox()->setCurrentIndex(formatIndex(d, media::Format::Mp4));
        QCOMPARE(d.targetPath(), dir_.path() + "/existing.mp4");
        QCOMPARE(d.exportButton()->text(), QStringLiteral("Export"));
        QVERIFY(!d.messageLabel()->text().contains("replaces"));
        d.formatBox()->setCurrentIndex(formatIndex(d, media::Format::Gif));
        QCOMPARE(d.targetPath(), existing);
        QSignalSpy done(&d, &ExportDialog::exportFinished);
        QTest::mouseClick(d.exportButton(), Qt::LeftButton);
        QVERIFY(done.wait(30000) || done.size() == 1);
        QCOMPARE(int(media::decodeFile(existing.toStdString()).clip.frames.size()), 8);  // replaced, as the user chose
        QCOMPARE(d.exportButton()->text(), QStringLiteral("Replace"));  // another click would replace it again

        // PNG frames into a folder that already holds frames: said before exporting.
        const QString frames = dir_.path() + "/frames-again";
        QVERIFY(QDir().mkpath(frames));
        ExportDialog f(source_, false, 8, 0, 7);
        f.formatBox()->setCurrentIndex(formatIndex(f, media::Format::PngFrames));
        f.setTargetPath(frames);
        QCOMPARE(f.exportButton()->text(), QStringLiteral("Export"));  // an empty folder
        QVERIFY(writeAll(frames + "/frame_0000.png", "x"));
        f.setTargetPath(frames + "/");
        f.setTargetPath(frames);
        QCOMPARE(f.exportButton()->text(), QStringLiteral("Replace"));
        QVERIFY2(f.messageLabel()->text().contains("already holds PNG frames"), qPrintable(f.messageLabel()->text()));
    }

    void aClipThatCarriesTheMarkCannotLoseIt() {
        ExportDialog d(source_, true, 8, 0, 7);
        QVERIFY(d.markBox()->isChecked());
        QVERIFY(!d.markBox()->isEnabled());
    }

    void trimIsValidated() {
        ExportDialog d(source_, false, 8, 0, 7);
        d.setTargetPath(dir_.path() + "/never.mp4");
        QVERIFY(d.exportButton()->isEnabled());
        d.inBox()->setValue(6);
        d.outBox()->setValue(3);
        QVERIFY(!d.exportButton()->isEnabled());
        QVERIFY2(d.validationError().contains("after its end"), qPrintable(d.validationError()));
        QCOMPARE(d.messageLabel()->text(), d.validationError());
        QSignalSpy failed(&d, &ExportDialog::exportFailed);
        d.startExport();
        QCOMPARE(failed.size(), 1);
        QVERIFY(!QFile::exists(dir_.path() + "/never.mp4"));
        // The spin boxes keep the marks inside the clip.
        d.outBox()->setValue(99);
        QCOMPARE(d.outBox()->value(), 7);
        // Marks from the caller outside the clip are brought inside it.
        ExportDialog odd(source_, false, 8, -5, 40);
        QCOMPARE(odd.inBox()->value(), 0);
        QCOMPARE(odd.outBox()->value(), 7);
    }

    void impossibleTargetsAreRefusedAndLeaveNothing() {
        QTemporaryDir target;
        QVERIFY(writeAll(target.path() + "/a-file", "x"));
        struct Case {
            QString path;
            media::Format format;
            QString expected;
        };
        const QVector<Case> cases = {
            {target.path() + "/missing/out.gif", media::Format::Gif, "does not exist"},
            {target.path() + "/a-file/out.gif", media::Format::Gif, "is not a folder"},
            {target.path() + "/a-file", media::Format::PngFrames, "is a file"},
            {target.path(), media::Format::Mp4, "must end in .mp4"},
            {QString(), media::Format::WebM, "Choose where"},
        };
        for (const auto& c : cases) {
            ExportDialog d(source_, false, 8, 0, 7);
            d.formatBox()->setCurrentIndex(formatIndex(d, c.format));
            d.setTargetPath(c.path);
            QVERIFY(!d.exportButton()->isEnabled());
            QSignalSpy failed(&d, &ExportDialog::exportFailed);
            d.startExport();
            QCOMPARE(failed.size(), 1);
            QVERIFY2(failed[0][0].toString().contains(c.expected), qPrintable(failed[0][0].toString()));
            QVERIFY2(d.messageLabel()->text().contains(c.expected), qPrintable(d.messageLabel()->text()));
            QVERIFY(!d.running());
        }
        QCOMPARE(filesUnder(target.path()), QStringList{"a-file"});

        // A problem found only while exporting (the caller's frame count is wrong, so the trim falls
        // outside the clip) comes back from the thread in the dialog, with no file written.
        ExportDialog d(source_, false, 20, 0, 15);
        d.formatBox()->setCurrentIndex(formatIndex(d, media::Format::Gif));
        d.setTargetPath(target.path() + "/late.gif");
        QSignalSpy failed(&d, &ExportDialog::exportFailed);
        d.startExport();
        QVERIFY(failed.wait(30000));
        QVERIFY2(failed[0][0].toString().contains("outside the clip"), qPrintable(failed[0][0].toString()));
        QVERIFY(d.messageLabel()->text().startsWith("Export failed:"));
        QVERIFY(d.exportButton()->isEnabled());
        QCOMPARE(filesUnder(target.path()), QStringList{"a-file"});

        // A source that is not a video.
        ExportDialog bad(QStringLiteral(KINORA_SOURCE_DIR "/README.md"), false, 8, 0, 7);
        bad.setTargetPath(target.path() + "/bad.mp4");
        QSignalSpy badFailed(&bad, &ExportDialog::exportFailed);
        bad.startExport();
        QVERIFY(badFailed.wait(30000));
        QVERIFY2(badFailed[0][0].toString().contains("not a video file"), qPrintable(badFailed[0][0].toString()));
        QCOMPARE(filesUnder(target.path()), QStringList{"a-file"});
    }

    void closingWaitsForARunningExport() {
        ExportDialog d(source_, false, 8, 0, 7);
        d.show();
        d.scaleBox()->setValue(4);
        d.setTargetPath(dir_.path() + "/busy.webm");
        d.formatBox()->setCurrentIndex(formatIndex(d, media::Format::WebM));
        QSignalSpy done(&d, &ExportDialog::exportFinished);
        d.startExport();
        if (d.running()) {
            d.reject();
            QVERIFY(d.isVisible());
            QVERIFY(d.messageLabel()->text().contains("still running"));
        }
        QVERIFY(done.wait(60000) || done.size() == 1);
        QCOMPARE(d.progressBar()->value(), 100);
        d.reject();
        QVERIFY(!d.isVisible());
    }
};

QTEST_MAIN(TestExportDialog)
#include "test_export_dialog.moc"
