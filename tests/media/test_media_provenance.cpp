// The provenance record: JSON round trip, the sidecar and its SHA-256 (checked against coreutils'
// sha256sum), and verify() finding unchanged files, modified bytes, missing or disagreeing records.
#include "media/encoder.h"
#include "media/error.h"
#include "media/provenance.h"
#include "media_test_util.h"

#include <QtTest>

#include <nlohmann/json.hpp>

using namespace kinora::media;
using namespace kinora::media::test;

namespace {

void flipByte(const std::string& path, size_t at) {
    std::string bytes = readAll(path);
    bytes[at] = char(bytes[at] ^ 0x01);
    writeAll(path, bytes);
}

bool mentions(const VerifyReport& r, const char* text) {
    for (const auto& p : r.problems) {
        if (p.find(text) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

class TestMediaProvenance : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    Clip clip_ = makeClip(64, 48, 9);
    std::string path(const char* name) { return (dir_.path() + "/" + name).toStdString(); }

private slots:
    void recordRoundTripsThroughJson() {
        const ProvenanceRecord r = sampleRecord();
        const auto back = ProvenanceRecord::fromJson(r.toJson());
        QVERIFY(back == r);
        QCOMPARE(*ProvenanceRecord::parse(r.toJsonText()), r);
        // Pure ASCII, so it fits PNG tEXt; the non-ASCII prompt survives as escapes.
        for (char c : r.toJsonText()) QVERIFY(static_cast<unsigned char>(c) < 0x80);
        // Unknown generation settings are null, not zero.
        ProvenanceRecord unknown;
        const auto j = unknown.toJson();
        QVERIFY(j["seed"].is_null());
        QVERIFY(j["guidance"].is_null());
        QCOMPARE(j["ai_generated"].get<bool>(), true);
        QCOMPARE(j["generator"].get<std::string>(), std::string("Kinora"));
        QVERIFY(ProvenanceRecord::fromJson(j) == unknown);
        // Other tools' comments are not records; a broken record is an error.
        QVERIFY(!ProvenanceRecord::parse("made with my phone").has_value());
        QVERIFY(!ProvenanceRecord::parse("{\"ai_generated\":true}").has_value());
        auto bad = r.toJson();
        bad.erase("ai_generated");
        QVERIFY_THROWS_EXCEPTION(MediaError, ProvenanceRecord::fromJson(bad));
        bad = r.toJson();
        bad["steps"] = "twenty";
        QVERIFY_THROWS_EXCEPTION(MediaError, ProvenanceRecord::fromJson(bad));
        QVERIFY(recordDifferences(r, unknown).size() > 5);
    }

    void sidecarHashMatchesSha256sum() {
        const auto res = writeClip(clip_, path("s.mp4"), Format::Mp4, sampleRecord());
        QCOMPARE(res.sidecar_path, res.path + ".kinora.json");
        const auto side = nlohmann::json::parse(readAll(res.sidecar_path));
        QProcess p;
        p.start("sha256sum", {QString::fromStdString(res.path)});
        QVERIFY(p.waitForFinished());
        const std::string expected = QString::fromUtf8(p.readAllStandardOutput()).section(' ', 0, 0).toStdString();
        QCOMPARE(side["sha256"].get<std::string>(), expected);
        QCOMPARE(res.sha256, expected);
        QCOMPARE(side["file"].get<std::string>(), std::string("s.mp4"));
        QCOMPARE(side["format"].get<std::string>(), std::string("mp4"));
        QVERIFY(ProvenanceRecord::fromJson(side) == res.record);
        QCOMPARE(res.record.frames, 9);
        QCOMPARE(res.record.width, 64);
        QCOMPARE(res.record.fps_num, 8);
    }

    void verifyPassesForEveryFormat() {
        for (auto [fmt, name] : {std::pair{Format::Mp4, "v.mp4"}, std::pair{Format::WebM, "v.webm"},
                                 std::pair{Format::Gif, "v.gif"}, std::pair{Format::PngFrames, "vframes"}}) {
            const auto res = writeClip(clip_, path(name), fmt, sampleRecord());
            const auto rep = verify(res.path);
            QVERIFY2(rep.verified(), rep.problems.empty() ? name : rep.problems.front().c_str());
            QVERIFY(rep.unchanged);
            QVERIFY(rep.records_agree);
            QVERIFY(rep.embedded.has_value());
            QCOMPARE(rep.actual_sha256, res.sha256);
            QVERIFY(*rep.record() == res.record);
        }
    }

    void verifyDetectsAModifiedByte() {
        for (auto [fmt, name] : {std::pair{Format::Mp4, "m.mp4"}, std::pair{Format::WebM, "m.webm"}, std::pair{Format::Gif, "m.gif"}}) {
            const auto res = writeClip(clip_, path(name), fmt, sampleRecord());
            flipByte(res.path, size_t(res.bytes - 20));  // in the media data, not the record
            const auto rep = verify(res.path);
            QVERIFY2(!rep.verified(), name);
            QVERIFY(!rep.unchanged);
            QVERIFY(rep.records_agree);  // the record itself is intact
            QVERIFY(mentions(rep, "changed since export"));
        }
        const auto res = writeClip(clip_, path("mframes"), Format::PngFrames, sampleRecord());
        flipByte(res.path + "/frame_0002.png", 60);
        const auto rep = verify(res.path);
        QVERIFY(!rep.verified());
        QVERIFY(mentions(rep, "frame_0002.png has changed since export"));
        QVERIFY(!mentions(rep, "frame_0001.png"));
        QFile::remove(QString::fromStdString(res.path + "/frame_0008.png"));
        QVERIFY(mentions(verify(res.path), "frame_0008.png is missing"));
    }

    void verifyReportsMissingAndDisagreeingRecords() {
        auto res = writeClip(clip_, path("d.webm"), Format::WebM, sampleRecord());
        // A sidecar whose record was edited (hash kept) no longer agrees with the embedded one.
        auto side = nlohmann::json::parse(readAll(res.sidecar_path));
        side["prompt"] = "something else";
        writeAll(res.sidecar_path, side.dump());
        auto rep = verify(res.path);
        QVERIFY(!rep.verified());
        QVERIFY(rep.unchanged);
        QVERIFY(!rep.records_agree);
        QVERIFY(mentions(rep, "disagree on prompt"));
        // No sidecar: the file cannot be checked, though its embedded record is still shown.
        QFile::remove(QString::fromStdString(res.sidecar_path));
        rep = verify(res.path);
        QVERIFY(!rep.verified());
        QVERIFY(rep.embedded.has_value());
        QVERIFY(mentions(rep, "is missing"));
        // A video from another tool has no record at all.
        const QString other = dir_.path() + "/other.mp4";
        QProcess ff;
        ff.start("ffmpeg", {"-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=8", "-frames:v", "4", other});
        QVERIFY(ff.waitForFinished(60000));
        rep = verify(other.toStdString());
        QVERIFY(!rep.verified());
        QVERIFY(!rep.embedded.has_value());
        QVERIFY(mentions(rep, "no embedded Kinora record"));
        QVERIFY_THROWS_EXCEPTION(MediaError, verify(path("does-not-exist.mp4")));
    }
};

QTEST_GUILESS_MAIN(TestMediaProvenance)
#include "test_media_provenance.moc"
