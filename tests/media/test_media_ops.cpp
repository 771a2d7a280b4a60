// Export operations: trim, frame-rate change by nearest source time, Lanczos scaling, and the
// visible "AI" mark (on by default, in the corner, absent with label=false) down to the encoded file.
#include "media/decoder.h"
#include "media/encoder.h"
#include "media/error.h"
#include "media/export_ops.h"
#include "media_test_util.h"

#include <QtTest>

#include <opencv2/imgproc.hpp>

using namespace kinora::media;
using namespace kinora::media::test;

namespace {

// Index frames by a value in their first byte so resampling can be read back.
Clip numberedClip(int n, int fps) {
    Clip c;
    c.fps_num = fps;
    for (int i = 0; i < n; ++i) {
        Frame f{4, 4, std::vector<uint8_t>(48, uint8_t(i))};
        c.frames.push_back(f);
    }
    return c;
}

Frame solid(int w, int h, uint8_t v) { return Frame{w, h, std::vector<uint8_t>(size_t(w) * size_t(h) * 3u, v)}; }

// Width in pixels of the 10%..90% rise of a dark-to-light step along row y.
int edgeWidth(const Frame& f, int y) {
    int first = -1, last = -1;
    for (int x = 0; x < f.width; ++x) {
        const int v = f.rgb[(size_t(y) * size_t(f.width) + size_t(x)) * 3u];
        if (first < 0 && v > 25) first = x;
        if (v < 230) last = x;
    }
    return last - first + 1;
}

bool inRect(const LabelRect& r, int x, int y) { return x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height; }

}  // namespace

class TestMediaOps : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void trimKeepsFramesAToB() {
        const Clip c = numberedClip(17, 8);
        const Clip t = trimClip(c, 3, 9);
        QCOMPARE(int(t.frames.size()), 6);
        QCOMPARE(int(t.frames.front().rgb[0]), 3);
        QCOMPARE(int(t.frames.back().rgb[0]), 8);
        QCOMPARE(t.fps_num, 8);
        QVERIFY_THROWS_EXCEPTION(MediaError, trimClip(c, 5, 5));
        QVERIFY_THROWS_EXCEPTION(MediaError, trimClip(c, -1, 4));
        QVERIFY_THROWS_EXCEPTION(MediaError, trimClip(c, 10, 18));
        QVERIFY_THROWS_EXCEPTION(MediaError, trimClip(c, 9, 3));
    }

    void fpsChangePicksTheNearestSourceFrame_data() {
        QTest::addColumn<int>("from");
        QTest::addColumn<int>("to");
        QTest::newRow("8 -> 16 (each frame twice)") << 8 << 16;
        QTest::newRow("8 -> 4 (every other frame)") << 8 << 4;
        QTest::newRow("8 -> 6") << 8 << 6;
        QTest::newRow("8 -> 24") << 8 << 24;
        QTest::newRow("16 -> 5") << 16 << 5;
    }
    void fpsChangePicksTheNearestSourceFrame() {
        QFETCH(int, from);
        QFETCH(int, to);
        const int n = 17;
        const Clip out = changeFps(numberedClip(n, from), to, 1);
        QCOMPARE(out.fps_num, to);
        // Duration kept: round(n * to / from) frames.
        QCOMPARE(int(out.frames.size()), int(std::floor(double(n) * to / from + 0.5)));
        for (size_t j = 0; j < out.frames.size(); ++j) {
            // Brute force: the source frame whose time is closest to j/to, earlier one on ties.
            const double t = double(j) / to;
            int best = 0;
            for (int i = 1; i < n; ++i) {
                if (std::abs(double(i) / from - t) < std::abs(double(best) / from - t) - 1e-12) best = i;
            }
            QCOMPARE(int(out.frames[j].rgb[0]), best);
        }
        QVERIFY_THROWS_EXCEPTION(MediaError, changeFps(numberedClip(3, 8), 0, 1));
        QVERIFY_THROWS_EXCEPTION(MediaError, changeFps(numberedClip(3, 8), 241, 1));
        QVERIFY_THROWS_EXCEPTION(MediaError, changeFps(numberedClip(3, 8), -8, 1));
    }

    void scaleUsesLanczosAndIsSharperThanBilinear() {
        const Clip c = makeClip(32, 24, 2);
        const Clip s = scaleClip(c, 3);
        QCOMPARE(s.frames[0].width, 96);
        QCOMPARE(s.frames[0].height, 72);
        QCOMPARE(int(s.frames.size()), 2);
        // Averaging each 3x3 block gives the source back closely: the resampling is in place.
        Frame back = c.frames[0];
        for (int y = 0; y < 24; ++y)
            for (int x = 0; x < 32; ++x)
                for (int ch = 0; ch < 3; ++ch) {
                    int sum = 0;
                    for (int dy = 0; dy < 3; ++dy)
                        for (int dx = 0; dx < 3; ++dx) sum += s.frames[0].rgb[(size_t(y * 3 + dy) * 96 + size_t(x * 3 + dx)) * 3 + size_t(ch)];
                    back.rgb[(size_t(y) * 32 + size_t(x)) * 3 + size_t(ch)] = uint8_t((sum + 4) / 9);
                }
        QVERIFY2(psnr(back, c.frames[0]) > 35.0, qPrintable(QString::number(psnr(back, c.frames[0]))));
        // A hard edge stays narrower than with bilinear interpolation (the reason for Lanczos).
        Clip edge;
        Frame e = solid(16, 4, 0);
        for (int y = 0; y < 4; ++y)
            for (int x = 8; x < 16; ++x)
                for (int ch = 0; ch < 3; ++ch) e.rgb[(size_t(y) * 16 + size_t(x)) * 3 + size_t(ch)] = 255;
        edge.frames.push_back(e);
        const Frame lz = scaleClip(edge, 4).frames[0];
        cv::Mat src(4, 16, CV_8UC3, e.rgb.data()), lin;
        cv::resize(src, lin, cv::Size(64, 16), 0, 0, cv::INTER_LINEAR);
        Frame bl{64, 16, std::vector<uint8_t>(lin.data, lin.data + 64 * 16 * 3)};
        qInfo("10-90%% edge width at 4x: Lanczos %d px, bilinear %d px", edgeWidth(lz, 8), edgeWidth(bl, 8));
        QVERIFY(edgeWidth(lz, 8) < edgeWidth(bl, 8));
        QVERIFY_THROWS_EXCEPTION(MediaError, scaleClip(c, 0));
        QVERIFY_THROWS_EXCEPTION(MediaError, scaleClip(c, 5));
        QVERIFY(scaleClip(c, 1).frames[0].rgb == c.frames[0].rgb);
    }

    void sizeLimitsAreCheckedBeforeAllocating() {
        Clip wide;
        wide.frames.push_back(solid(3000, 2, 10));
        QVERIFY_THROWS_EXCEPTION(MediaError, scaleClip(wide, 3));  // 9000 > 8192 per side
        Clip many;
        for (int i = 0; i < 44; ++i) many.frames.push_back(solid(1024, 1024, 10));
        // 44 frames of 4096x4096 would need 2.2 GB: refused with a message, not attempted.
        try {
            scaleClip(many, 4);
            QFAIL("no error");
        } catch (const MediaError& e) {
            QVERIFY2(QString(e.what()).contains("MiB"), e.what());
        }
    }

    void aiMarkIsDrawnInTheCornerByDefault_data() {
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("h");
        QTest::newRow("128x128") << 128 << 128;
        QTest::newRow("832x480") << 832 << 480;
        QTest::newRow("odd 127x95") << 127 << 95;
    }
    void aiMarkIsDrawnInTheCornerByDefault() {
        QFETCH(int, w);
        QFETCH(int, h);
        Clip c;
        c.frames = {solid(w, h, 128), solid(w, h, 128)};
        const Clip labelled = applyExportOps(c, ExportOps{}, "test");
        const LabelRect r = aiLabelRect(w, h);
        // Bottom-right, small, and tall enough to read (text >= 9 px needs a box of >= 13 px).
        QVERIFY(r.x > w / 2 && r.y > h / 2);
        QVERIFY(r.x + r.width < w && r.y + r.height < h);
        QVERIFY(r.height >= 13);
        QVERIFY(r.width * r.height < w * h / 20);
        for (const Frame& f : labelled.frames) {
            int white = 0, dark = 0;
            for (int y = 0; y < h; ++y) {
                for (int x = 0; x < w; ++x) {
                    const uint8_t* p = f.rgb.data() + (size_t(y) * size_t(w) + size_t(x)) * 3u;
                    if (!inRect(r, x, y)) {
                        QVERIFY(p[0] == 128 && p[1] == 128 && p[2] == 128);
                        continue;
                    }
                    white += p[0] > 230 && p[1] > 230 && p[2] > 230;
                    dark += p[0] < 60;
                }
            }
            QVERIFY2(white >= 15, qPrintable(QString::number(white)));  // the letters
            QVERIFY(dark > white);                                       // on a dark box
        }
        ExportOps off;
        off.label = false;
        QVERIFY(applyExportOps(c, off, "test").frames[1].rgb == c.frames[1].rgb);
    }

    void markSurvivesEncodingAndIsAbsentWithoutLabel() {
        const Clip c = makeClip(128, 128, 9);
        ExportOps on;
        ExportOps off;
        off.label = false;
        const std::string a = (dir_.path() + "/on.mp4").toStdString(), b = (dir_.path() + "/off.mp4").toStdString();
        writeClip(applyExportOps(c, on, a), a, Format::Mp4, ProvenanceRecord{});
        writeClip(applyExportOps(c, off, b), b, Format::Mp4, ProvenanceRecord{});
        const auto da = decodeFile(a), db = decodeFile(b);
        const LabelRect r = aiLabelRect(128, 128);
        auto corner = [&](const Frame& f) {
            Frame o{r.width, r.height, {}};
            for (int y = r.y; y < r.y + r.height; ++y)
                o.rgb.insert(o.rgb.end(), f.rgb.begin() + (size_t(y) * 128 + size_t(r.x)) * 3,
                             f.rgb.begin() + (size_t(y) * 128 + size_t(r.x + r.width)) * 3);
            return o;
        };
        for (size_t i = 0; i < c.frames.size(); ++i) {
            QVERIFY(psnr(corner(db.clip.frames[i]), corner(c.frames[i])) > 40.0);  // no mark
            QVERIFY(psnr(corner(da.clip.frames[i]), corner(c.frames[i])) < 15.0);  // clearly marked
            // The rest of the picture is the same either way (the top rows are far from the mark).
            QVERIFY(psnr(da.clip.frames[i], db.clip.frames[i], 128, r.y - 16) > 40.0);
        }
    }

    void opsCombineInOrder() {
        ExportOps ops;
        ops.trim_begin = 2;
        ops.trim_end = 10;
        ops.fps_num = 16;
        ops.scale = 2;
        ops.label = false;
        const Clip out = applyExportOps(numberedClip(17, 8), ops, "test");
        QCOMPARE(int(out.frames.size()), 16);  // 8 frames at 8 fps = 1 s = 16 frames at 16 fps
        QCOMPARE(out.frames[0].width, 8);
        QCOMPARE(int(out.frames[0].rgb[0]), 2);
        QCOMPARE(int(out.frames[15].rgb[0]), 9);
        ops.scale = 7;
        QVERIFY_THROWS_EXCEPTION(MediaError, applyExportOps(numberedClip(17, 8), ops, "test"));
        ops.scale = 1;
        ops.trim_end = 30;
        QVERIFY_THROWS_EXCEPTION(MediaError, applyExportOps(numberedClip(17, 8), ops, "test"));
    }
};

QTEST_GUILESS_MAIN(TestMediaOps)
#include "test_media_ops.moc"
