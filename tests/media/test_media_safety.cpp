// Writing safely and failing clearly: file too large (RLIMIT_FSIZE) and disk full (a 64 KiB tmpfs)
// and permission denied (as an unprivileged user) each leave the old target untouched and no
// temporary file behind; bad clips, unknown formats and corrupt, truncated or non-video files give a
// MediaError, never a crash (this suite also runs under AddressSanitizer).
#include "media/decoder.h"
#include "media/encoder.h"
#include "media/error.h"
#include "media_test_util.h"

#include <QtTest>

#include <csignal>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace kinora::media;
using namespace kinora::media::test;

namespace {

// Runs `body` in a forked child and returns what it wrote to the pipe ("OK ...", "FAIL ...",
// "SKIP ..."). The child never returns into the test framework.
template <typename F>
QString inChild(F body) {
    int fds[2];
    if (pipe(fds) != 0) return "FAIL pipe";
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        std::string msg;
        try {
            msg = body();
        } catch (const std::exception& e) {
            msg = std::string("FAIL unexpected exception: ") + e.what();
        }
        (void)!write(fds[1], msg.data(), msg.size());
        close(fds[1]);
        _exit(0);
    }
    close(fds[1]);
    QByteArray out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, int(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status)) return "FAIL child crashed with signal " + QString::number(WTERMSIG(status));
    return QString::fromUtf8(out);
}

// Every entry of a folder, hidden ones included (temporary files start with a dot).
std::vector<std::string> entries(const std::string& folder) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(folder)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// Tries one export that must fail; checks the message names the target and says `reason`, that the
// old target is byte-for-byte unchanged and that the folder holds exactly what it held before.
// For PNG frames `target` is the folder, `checked` an old frame in it and `folder` the folder itself.
std::string expectSafeFailure(const Clip& clip, const std::string& target, Format fmt, const char* reason,
                              std::string checked = {}, std::string folder = {}) {
    if (checked.empty()) checked = target;
    if (folder.empty()) folder = std::filesystem::path(target).parent_path().string();
    const auto before = entries(folder);
    const std::string old = readAll(checked);
    try {
        writeClip(clip, target, fmt, sampleRecord());
        return "FAIL no error for " + target;
    } catch (const MediaError& e) {
        const std::string what = e.what();
        if (what.find(target) == std::string::npos && what.find(folder) == std::string::npos) return "FAIL message names no file: " + what;
        if (what.find(reason) == std::string::npos) return "FAIL message lacks '" + std::string(reason) + "': " + what;
        if (what.find('\n') != std::string::npos) return "FAIL message is not one line: " + what;
        if (readAll(checked) != old) return "FAIL old target changed: " + checked;
        if (entries(folder) != before) return "FAIL leftover files in " + folder;
        return "OK " + what;
    }
}

}  // namespace

class TestMediaSafety : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string path(const std::string& name) { return (dir_.path() + "/" + QString::fromStdString(name)).toStdString(); }

private slots:
    void fileTooLargeLeavesTheOldFile() {
        const std::string folder = path("fsize");
        std::filesystem::create_directory(folder);
        for (auto [fmt, name] : {std::pair{Format::Mp4, "a.mp4"}, std::pair{Format::WebM, "a.webm"},
                                 std::pair{Format::Gif, "a.gif"}, std::pair{Format::PngFrames, "frames"}}) {
            const std::string target = folder + "/" + name;
            if (fmt == Format::PngFrames) {
                std::filesystem::create_directory(target);
                writeAll(target + "/frame_0000.png", "old frame");
            } else {
                writeAll(target, "old contents");
            }
            const std::string checked = fmt == Format::PngFrames ? target + "/frame_0000.png" : target;
            const QString r = inChild([&] {
                signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing us
                const rlimit lim{4 * 1024, 4 * 1024};
                setrlimit(RLIMIT_FSIZE, &lim);
                const Clip big = makeClip(192, 192, 12);  // every format needs more than 4 KiB
                return fmt == Format::PngFrames ? expectSafeFailure(big, target, fmt, "File too large", checked, target)
                                                : expectSafeFailure(big, target, fmt, "File too large");
            });
            QVERIFY2(r.startsWith("OK"), qPrintable(r));
        }
    }

    void diskFullLeavesTheOldFile() {
        const std::string mnt = path("small");
        std::filesystem::create_directory(mnt);
        const QString r = inChild([&]() -> std::string {
            // A 64 KiB tmpfs in a private mount namespace: a real full disk, visible to nobody else.
            if (unshare(CLONE_NEWNS) != 0) return std::string("SKIP cannot unshare the mount namespace: ") + strerror(errno);
            if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return std::string("SKIP mount --make-rprivate: ") + strerror(errno);
            if (mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=64k") != 0) return std::string("SKIP cannot mount a tmpfs: ") + strerror(errno);
            writeAll(mnt + "/clip.mp4", "old contents");
            std::string result = expectSafeFailure(makeClip(640, 480, 17), mnt + "/clip.mp4", Format::Mp4, "No space left on device");
            if (result.rfind("OK", 0) == 0 && result.find("free some disk space") == std::string::npos) result = "FAIL no advice: " + result;
            umount(mnt.c_str());
            return result;
        });
        if (r.startsWith("SKIP")) QSKIP(qPrintable(r));
        QVERIFY2(r.startsWith("OK"), qPrintable(r));
    }

    void permissionDeniedLeavesTheOldFile() {
        // Root ignores permissions, so the child becomes "nobody" first.
        const std::string folder = path("readonly");
        std::filesystem::create_directory(folder);
        writeAll(folder + "/clip.gif", "old contents");
        std::filesystem::create_directory(folder + "/frames");
        writeAll(folder + "/frames/frame_0000.png", "old frame");
        chmod(dir_.path().toUtf8().constData(), 0755);
        chmod((folder + "/frames").c_str(), 0555);
        chmod(folder.c_str(), 0555);
        const QString r = inChild([&]() -> std::string {
            if (setgid(65534) != 0 || setuid(65534) != 0) return std::string("FAIL setuid: ") + strerror(errno);
            const Clip c = makeClip(64, 64, 4);
            std::string a = expectSafeFailure(c, folder + "/clip.gif", Format::Gif, "Permission denied");
            if (a.rfind("OK", 0) != 0) return a;
            if (a.find("choose a folder you can write to") == std::string::npos) return "FAIL no advice: " + a;
            a = expectSafeFailure(c, folder + "/new.mp4", Format::Mp4, "Permission denied");
            if (a.rfind("OK", 0) != 0) return a;
            return expectSafeFailure(c, folder + "/frames", Format::PngFrames, "Permission denied",
                                     folder + "/frames/frame_0000.png", folder + "/frames");
        });
        chmod(folder.c_str(), 0755);
        chmod((folder + "/frames").c_str(), 0755);
        QVERIFY2(r.startsWith("OK"), qPrintable(r));
    }

    void badClipsAreRejected_data() {
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("h");
        QTest::addColumn<int>("fpsNum");
        QTest::addColumn<int>("fpsDen");
        QTest::addColumn<QString>("reason");
        QTest::newRow("zero width") << 0 << 16 << 8 << 1 << "is empty";
        QTest::newRow("huge width") << 8193 << 2 << 8 << 1 << "exceeds 8192";
        QTest::newRow("fps 0") << 16 << 16 << 0 << 1 << "not positive";
        QTest::newRow("fps negative") << 16 << 16 << -8 << 1 << "not positive";
        QTest::newRow("fps 241") << 16 << 16 << 241 << 1 << "out of range";
        QTest::newRow("fps 1000/3") << 16 << 16 << 1000 << 3 << "out of range";
        QTest::newRow("fps den 0") << 16 << 16 << 8 << 0 << "not positive";
    }
    void badClipsAreRejected() {
        QFETCH(int, w);
        QFETCH(int, h);
        QFETCH(int, fpsNum);
        QFETCH(int, fpsDen);
        QFETCH(QString, reason);
        Clip c;
        c.fps_num = fpsNum;
        c.fps_den = fpsDen;
        c.frames.push_back(Frame{w, h, std::vector<uint8_t>(size_t(std::max(w, 0)) * size_t(h) * 3u, 7)});
        const std::string target = path("bad.mp4");
        try {
            writeClip(c, target, Format::Mp4, sampleRecord());
            QFAIL("no error");
        } catch (const MediaError& e) {
            QVERIFY2(QString(e.what()).contains(reason), e.what());
            QVERIFY2(QString(e.what()).contains(QString::fromStdString(target)), e.what());
        }
        QVERIFY(!QFileInfo::exists(QString::fromStdString(target)));
    }

    void inconsistentClipsAreRejected() {
        Clip none;
        QVERIFY_THROWS_EXCEPTION(MediaError, writeClip(none, path("n.mp4"), Format::Mp4, {}));
        Clip mixed = makeClip(16, 16, 2);
        mixed.frames.push_back(makeClip(18, 16, 1).frames[0]);
        QVERIFY_THROWS_EXCEPTION(MediaError, writeClip(mixed, path("n.mp4"), Format::Mp4, {}));
        Clip shortBuffer = makeClip(16, 16, 2);
        shortBuffer.frames[1].rgb.pop_back();
        QVERIFY_THROWS_EXCEPTION(MediaError, writeClip(shortBuffer, path("n.webm"), Format::WebM, {}));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(path("n.mp4"))));
    }

    void unknownFormatsAndMissingFoldersAreExplained() {
        try {
            formatForPath(path("clip.avi"));
            QFAIL("no error");
        } catch (const MediaError& e) {
            QVERIFY(QString(e.what()).contains("\".avi\""));
            QVERIFY(QString(e.what()).contains(".mp4, .webm or .gif"));
        }
        try {
            formatForPath(path("noextension"));
            QFAIL("no error");
        } catch (const MediaError& e) {
            QVERIFY2(QString(e.what()).contains("end the name with /"), e.what());
        }
        QCOMPARE(formatForPath(path("new-frames/")), Format::PngFrames);  // a folder to be made
        QCOMPARE(formatForPath(path("x.MP4")), Format::Mp4);
        QCOMPARE(formatForPath(dir_.path().toStdString()), Format::PngFrames);
        try {
            writeClip(makeClip(16, 16, 2), path("no/such/folder/x.mp4"), Format::Mp4, {});
            QFAIL("no error");
        } catch (const MediaError& e) {
            QVERIFY2(QString(e.what()).contains("does not exist"), e.what());
        }
    }

    void damagedFilesGiveMediaError() {
        const Clip c = makeClip(96, 64, 17);
        std::vector<std::pair<std::string, std::string>> bad;  // name, bytes
        for (auto [fmt, name] : {std::pair{Format::Mp4, "ok.mp4"}, std::pair{Format::WebM, "ok.webm"}, std::pair{Format::Gif, "ok.gif"}}) {
            const std::string bytes = readAll(writeClip(c, path(name), fmt, sampleRecord()).path);
            bad.push_back({std::string("half-") + name, bytes.substr(0, bytes.size() / 2)});
            bad.push_back({std::string("head-") + name, bytes.substr(0, 200)});
            std::string scrambled = bytes;
            for (size_t i = bytes.size() / 3; i < bytes.size() * 2 / 3; ++i) scrambled[i] = char(i * 2654435761u >> 13);
            bad.push_back({std::string("scrambled-") + name, scrambled});
        }
        std::string noise(50000, '\0');
        for (size_t i = 0; i < noise.size(); ++i) noise[i] = char((i * 2654435761u) >> 7);
        bad.push_back({"noise.mp4", noise});
        bad.push_back({"text.webm", "this is not a video\n"});
        bad.push_back({"empty.gif", ""});
        // A GIF whose header claims 65535x65535 pixels: refused before any allocation.
        std::string huge = readAll(path("ok.gif"));
        huge[6] = huge[7] = huge[8] = huge[9] = '\xff';
        bad.push_back({"huge.gif", huge});
        for (const auto& [name, bytes] : bad) {
            writeAll(path(name), bytes);
            try {
                const auto d = decodeFile(path(name));
                QFAIL(qPrintable(QString::fromStdString(name) + " decoded to " + QString::number(d.clip.frames.size()) + " frames"));
            } catch (const MediaError& e) {
                QVERIFY2(QString(e.what()).contains(QString::fromStdString(path(name))), e.what());
            }
        }
        // Audio only: a real media file without a picture.
        const QString audio = dir_.path() + "/tone.m4a";
        QProcess ff;
        ff.start("ffmpeg", {"-v", "error", "-y", "-f", "lavfi", "-i", "sine=duration=0.2", audio});
        QVERIFY(ff.waitForFinished(60000));
        try {
            decodeFile(audio.toStdString());
            QFAIL("audio decoded");
        } catch (const MediaError& e) {
            QVERIFY2(QString(e.what()).contains("no video stream"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(MediaError, decodeFile(path("missing.mp4")));
    }

    void damagedFrameFoldersGiveMediaError() {
        const std::string folder = path("badframes");
        writeClip(makeClip(32, 32, 4), folder, Format::PngFrames, sampleRecord());
        std::string png = readAll(folder + "/frame_0001.png");
        writeAll(folder + "/frame_0001.png", png.substr(0, png.size() / 2));
        QVERIFY_THROWS_EXCEPTION(MediaError, decodeFile(folder));
        writeAll(folder + "/frame_0001.png", png);
        QCOMPARE(int(decodeFile(folder).clip.frames.size()), 4);
        std::filesystem::remove(folder + "/frame_0002.png");
        try {
            decodeFile(folder);
            QFAIL("gap accepted");
        } catch (const MediaError& e) {
            QVERIFY2(QString(e.what()).contains("frame_0002.png is missing"), e.what());
        }
        const std::string empty = path("emptyfolder");
        std::filesystem::create_directory(empty);
        QVERIFY_THROWS_EXCEPTION(MediaError, decodeFile(empty));
    }
};

QTEST_GUILESS_MAIN(TestMediaSafety)
#include "test_media_safety.moc"
