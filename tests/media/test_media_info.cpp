// The media layer's description of FFmpeg/OpenCV, checked against the libraries themselves.
#include "media/media_info.h"

#include <QtTest>

using namespace kinora::media;

class TestMediaInfo : public QObject {
    Q_OBJECT
private slots:
    void versionsArePresent() {
        const auto info = mediaInfo();
        QVERIFY(!info.ffmpeg_version.empty());
        QVERIFY(QString::fromStdString(info.libavcodec_version).count(QLatin1Char('.')) == 2);
        QVERIFY(QString::fromStdString(info.opencv_version).startsWith(QLatin1String("4.")));
    }

    void everyExportEncoderIsListedAndPresent() {
        // The setup script installs Debian's FFmpeg, which has all of them; a missing one would make
        // an export format unusable, so this is a hard requirement of the supported platform.
        const auto info = mediaInfo();
        QStringList names;
        for (const auto& e : info.encoders) {
            names << QString::fromStdString(e.name);
            QVERIFY2(e.available, e.name.c_str());
            QVERIFY(!e.purpose.empty());
        }
        QCOMPARE(names, (QStringList{"libx264", "libvpx-vp9", "gif", "png"}));
    }
};

QTEST_GUILESS_MAIN(TestMediaInfo)
#include "test_media_info.moc"
