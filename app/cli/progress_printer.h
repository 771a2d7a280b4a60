// Generation progress on stderr: a bar on a terminal, plain lines otherwise (logs, pipes, the tests,
// which wait for "denoising..." or "encoding..." lines), nothing with --quiet.
#pragma once

#include "engine/pipeline.h"

#include <cstdio>
#include <string>
#include <unistd.h>

namespace kinora::cli {

inline std::string secondsText(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, s < 10 ? "%.1f s" : "%.0f s", s);
    return buf;
}

class ProgressPrinter {
public:
    explicit ProgressPrinter(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0) {}
    void stage(const std::string& s) {
        if (quiet_) return;
        if (tty_ && barShown_) std::fputs("\n", stderr);
        barShown_ = false;
        std::fprintf(stderr, "%s...\n", s.c_str());
        std::fflush(stderr);
    }
    void step(const engine::StepProgress& p) {
        if (quiet_) return;
        if (tty_) {
            const int width = 30;
            const int done = p.total ? p.step * width / p.total : width;
            std::string bar(static_cast<size_t>(done), '#');
            bar.append(static_cast<size_t>(width - done), '-');
            std::fprintf(stderr, "\r  [%s] %d/%d  %.2f s/step  elapsed %s  ETA %s   ", bar.c_str(), p.step, p.total,
                         p.seconds_per_step, secondsText(p.elapsed).c_str(), secondsText(p.eta).c_str());
            barShown_ = true;
        } else {
            std::fprintf(stderr, "  step %d/%d  %.2f s/step  elapsed %s  ETA %s\n", p.step, p.total, p.seconds_per_step,
                         secondsText(p.elapsed).c_str(), secondsText(p.eta).c_str());
        }
        std::fflush(stderr);
    }
    void finish() {
        if (!quiet_ && tty_ && barShown_) std::fputs("\n", stderr);
        barShown_ = false;
    }

private:
    bool quiet_, tty_;
    bool barShown_ = false;
};

}  // namespace kinora::cli
