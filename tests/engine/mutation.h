// Helpers of the deterministic mutation tests (test_mutation, test_mutation_spm): copies of the
// reference model folder, a per-case time limit, and the verdict on one case.
#pragma once

#include "engine/error.h"
#include "parity.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define KINORA_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KINORA_TEST_ASAN 1
#endif
#endif

namespace kinora::test {

namespace fs = std::filesystem;

inline std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

inline void writeFile(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) qFatal("cannot write %s", path.c_str());
}

// Overwrites bytes in place (same length), keeping the file otherwise untouched: cheap enough to try
// every byte position of a header.
inline void patchFile(const std::string& path, uint64_t offset, const std::string& bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)) != static_cast<ssize_t>(bytes.size())) {
        qFatal("cannot patch %s", path.c_str());
    }
    ::close(fd);
}

// A safetensors file split into its header (JSON, key order kept) and data section.
struct StParts {
    nlohmann::ordered_json header;
    std::string data;
    uint64_t header_len = 0;
};

inline StParts splitSafetensors(const std::string& bytes) {
    StParts p;
    for (int i = 7; i >= 0; --i) p.header_len = (p.header_len << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
    p.header = nlohmann::ordered_json::parse(bytes.substr(8, p.header_len));
    p.data = bytes.substr(8 + p.header_len);
    return p;
}

// Reassembles a file with a correct length prefix for `headerText`.
inline std::string joinSafetensors(const std::string& headerText, const std::string& data) {
    std::string out(8, '\0');
    const uint64_t n = headerText.size();
    for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
    return out + headerText + data;
}

// Makes a fresh copy of the reference model folder under `root` and returns its path.
inline std::string copyReference(const std::string& root, const std::string& name) {
    const fs::path dst = fs::path(root) / name;
    fs::remove_all(dst);
    fs::copy(referenceModel(), dst, fs::copy_options::recursive);
    return dst.string();
}

// Aborts the process (with the case's name on stderr) when one case runs past its limit, so a hang
// becomes a test failure instead of a CTest timeout with no clue.
class Watchdog {
public:
    explicit Watchdog(std::chrono::seconds limit) : limit_(limit), thread_([this] { run(); }) {}
    ~Watchdog() {
        {
            std::lock_guard<std::mutex> lock(m_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    void arm(const std::string& name) {
        std::lock_guard<std::mutex> lock(m_);
        name_ = name;
        deadline_ = std::chrono::steady_clock::now() + limit_;
        armed_ = true;
        cv_.notify_all();
    }
    void disarm() {
        std::lock_guard<std::mutex> lock(m_);
        armed_ = false;
    }

private:
    void run() {
        std::unique_lock<std::mutex> lock(m_);
        while (!stop_) {
            if (!armed_) {
                cv_.wait(lock);
                continue;
            }
            const auto deadline = deadline_;
            cv_.wait_until(lock, deadline);
            if (armed_ && !stop_ && std::chrono::steady_clock::now() >= deadline_) {
                std::fprintf(stderr, "FAIL: mutation case '%s' ran longer than %lld s (a hang)\n", name_.c_str(),
                             static_cast<long long>(limit_.count()));
                std::fflush(stderr);
                std::abort();
            }
        }
    }
    std::chrono::seconds limit_;
    std::mutex m_;
    std::condition_variable cv_;
    bool armed_ = false, stop_ = false;
    std::string name_;
    std::chrono::steady_clock::time_point deadline_;
    std::thread thread_;
};

// What one case may do. Error: throw EngineError naming `file`, in one line. Identical: load, equal
// to the reference (a change that keeps the meaning). ErrorOrIdentical: either of those (a byte flip
// that may hit padding or metadata). Either: an error as above or any successful load (a config value
// changed to another valid one). Any other exception is always a failure.
enum class Expect { Error, Identical, ErrorOrIdentical, Either };

class CaseRunner {
public:
    explicit CaseRunner(std::chrono::seconds limit = std::chrono::seconds(20)) : watchdog_(limit) {}

    // `load` performs the load and returns whether its result equals the reference's.
    void run(const std::string& name, const std::string& file, Expect expect, const std::function<bool()>& load) {
        ++cases_;
        watchdog_.arm(name);
        std::string problem;
        try {
            const bool same = load();
            ++succeeded_;
            if (expect == Expect::Error) problem = "loaded without an error";
            else if ((expect == Expect::Identical || expect == Expect::ErrorOrIdentical) && !same) {
                problem = "loaded, but the result differs from the reference";
            }
        } catch (const engine::EngineError& e) {
            ++errors_;
            const std::string msg = e.what();
            if (expect == Expect::Identical) problem = "meaning-preserving change rejected: " + msg;
            else if (msg.find(file) == std::string::npos) problem = "error does not name " + file + ": " + msg;
            else if (msg.find('\n') != std::string::npos) problem = "error is not one line: " + msg;
            if (samples_.size() < 3 && problem.empty()) samples_.push_back(msg);
        } catch (const std::exception& e) {
            problem = std::string("threw a non-EngineError exception: ") + e.what();
        } catch (...) {
            problem = "threw something that is not a std::exception";
        }
        watchdog_.disarm();
        if (!problem.empty()) {
            failures_.push_back(name + ": " + problem);
            if (failures_.size() <= 20) qWarning("%s: %s", name.c_str(), problem.c_str());
        }
    }

    // Prints the tally; the caller QVERIFYs ok().
    void report(const char* what) const {
        qInfo("%s: %zu cases, %zu loaded, %zu clear errors, %zu failures", what, cases_, succeeded_, errors_, failures_.size());
        for (const auto& s : samples_) qInfo("  e.g. %s", s.c_str());
    }
    bool ok() const { return failures_.empty(); }
    size_t cases() const { return cases_; }
    QString firstFailure() const { return failures_.empty() ? QString() : QString::fromStdString(failures_.front()); }

private:
    Watchdog watchdog_;
    size_t cases_ = 0, succeeded_ = 0, errors_ = 0;
    std::vector<std::string> failures_;
    std::vector<std::string> samples_;
};

// Values that a config key must never silently accept as something else. NaN/Infinity are JSON
// extensions: as literals they make the file invalid JSON.
// Runs `runAll` in a forked child as user 65534 (root ignores permission bits, and CI runs as root) and
// returns the child's tally: "<cases> ok", "<cases> <first failure>", or why the child did not report.
// The child only reads files and throws: no LibTorch parallel work runs after the fork.
inline std::string runCasesAsNobody(const std::function<void(CaseRunner&)>& runAll) {
    int fds[2];
    if (pipe(fds) != 0) return "pipe failed";
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) return "fork failed";
    if (pid == 0) {
        ::close(fds[0]);
        if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(90);
        CaseRunner runner;
        runAll(runner);
        const std::string tally = std::to_string(runner.cases()) + (runner.ok() ? " ok" : " " + runner.firstFailure().toStdString());
        (void)!::write(fds[1], tally.data(), tally.size());
        ::close(fds[1]);
        std::fflush(nullptr);
        _exit(0);
    }
    ::close(fds[1]);
    std::string tally;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) tally.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return "waitpid failed";
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "child status " + std::to_string(status);
    return tally;
}

inline std::vector<std::pair<std::string, std::string>> badJsonValues() {
    return {{"string", "\"12\""},          {"true", "true"},          {"null", "null"},
            {"array", "[1]"},              {"object", "{}"},          {"fraction", "1.5"},
            {"zero", "0"},                 {"negative", "-1"},        {"int32 max+1", "2147483648"},
            {"2^53+1", "9007199254740993"}, {"2^64", "18446744073709551616"}, {"-2^63", "-9223372036854775808"},
            {"1e300", "1e300"},            {"-1e300", "-1e300"},      {"1e999 (overflows to inf)", "1e999"},
            {"NaN literal", "NaN"},        {"Infinity literal", "Infinity"}, {"-Infinity literal", "-Infinity"},
            {"huge digits", std::string(400, '9')}};
}

// `text` with the value of top-level `key` replaced by the raw JSON `value` (a text edit, so that
// non-JSON literals such as NaN can be written).
inline std::string replaceValue(const std::string& text, const std::string& key, const std::string& value) {
    auto j = nlohmann::ordered_json::parse(text);
    j[key] = "@@VALUE@@";
    std::string out = j.dump(2);
    const auto at = out.find("\"@@VALUE@@\"");
    return out.replace(at, 11, value);
}

}  // namespace kinora::test
