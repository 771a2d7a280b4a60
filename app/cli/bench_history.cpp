// `kinora bench history [--jobs N] [--json]`: fills a fresh history database in a temporary folder
// with N realistic finished jobs (prompts from a small grammar of the bundled model's world: colours,
// shapes, motions, backgrounds, a fifth of them in Chinese) and measures what people wait for: insert
// rate, the newest page, deeper keyset pages, full-text search, and the database's size.
#include "cli/cli.h"

#include "studio/history_db.h"
#include "studio/job_files.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>

namespace kinora::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

template <size_t N>
const char* pick(std::mt19937_64& g, const char* const (&words)[N]) {
    return words[g() % N];
}

const char* const kColours[] = {"red", "orange", "yellow", "green", "blue", "purple", "pink", "white", "grey", "cyan", "magenta", "golden"};
const char* const kShapes[] = {"circle", "square", "triangle", "star", "ring", "cube", "ball", "diamond", "hexagon", "cross"};
const char* const kMotions[] = {"moving left", "moving right", "bouncing", "spinning slowly", "growing", "shrinking",
                                "falling", "rising", "drifting diagonally", "pulsing"};
const char* const kBackgrounds[] = {"on a black background", "on a white background", "over a blue gradient",
                                    "on a striped background", "in front of a checkerboard", "against a starry sky"};
const char* const kZhColours[] = {"红色", "橙色", "黄色", "绿色", "蓝色", "紫色", "白色", "粉色"};
const char* const kZhShapes[] = {"圆", "正方形", "三角形", "星星", "圆环", "立方体", "菱形"};
const char* const kZhMotions[] = {"向左移动", "向右移动", "旋转", "弹跳", "慢慢变大", "缩小", "下落", "上升"};
const char* const kZhBackgrounds[] = {"黑色背景上", "白色背景上", "渐变背景前", "星空下"};
const char* const kNegatives[] = {"", "", "", "blurry, low quality", "text, watermark", "模糊, 低质量", "flicker"};
const char* const kTags[] = {"loop", "test", "logo idea", "keep", "动画"};

QString prompt(std::mt19937_64& g) {
    if (g() % 5 == 0) {
        return QString::fromUtf8(pick(g, kZhBackgrounds)) + QString::fromUtf8("一个") + QString::fromUtf8(pick(g, kZhColours)) +
               QString::fromUtf8("的") + QString::fromUtf8(pick(g, kZhShapes)) + QString::fromUtf8(pick(g, kZhMotions));
    }
    QString p = QStringLiteral("a %1 %2 %3 %4").arg(pick(g, kColours), pick(g, kShapes), pick(g, kMotions), pick(g, kBackgrounds));
    if (g() % 3 == 0) p += QStringLiteral(", with a %1 %2 behind it").arg(pick(g, kColours), pick(g, kShapes));
    return p;
}

studio::Job makeJob(std::mt19937_64& g, int64_t createdMs, int64_t index) {
    studio::Job j;
    auto& r = j.request;
    r.prompt = prompt(g);
    r.negative_prompt = QString::fromUtf8(pick(g, kNegatives));
    r.model = QStringLiteral("kinora-tiny");
    r.model_path = QStringLiteral("/usr/share/kinora/models/kinora-tiny");
    r.weights_sha256 = QStringLiteral("9f2c5d0e6b1a4c7d8e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d");
    r.seed = g() >> 1;
    r.steps = 20;
    r.guidance = 5.0;
    r.sampler = QStringLiteral("unipc");
    r.shift = 3.0;
    r.width = 128;
    r.height = 128;
    r.frames = 17;
    r.fps = 8;
    const int roll = int(g() % 100);
    j.state = roll < 90 ? studio::JobState::Done : roll < 95 ? studio::JobState::Cancelled : studio::JobState::Failed;
    j.created_ms = createdMs;
    j.started_ms = createdMs + 500;
    j.finished_ms = createdMs + 9000;
    j.times = {0.0, 0.2, 7.5, 0.6, 0.2};
    const int64_t id = index + 1;  // what the database will assign to a fresh table
    j.output_dir = studio::jobFolderFor(id, *j.started_ms);
    if (j.state == studio::JobState::Done) {
        j.clip_path = j.output_dir + QStringLiteral("/clip.mp4");
        j.thumbs_path = j.output_dir + QStringLiteral("/thumbs.png");
        j.sidecar_path = j.output_dir + QStringLiteral("/clip.mp4.kinora.json");
    } else if (j.state == studio::JobState::Failed) {
        j.error = QStringLiteral("out of memory; try a smaller size, fewer frames or a smaller model");
    }
    j.favourite = g() % 20 == 0;
    if (g() % 10 == 0) j.tags = QStringList{QString::fromUtf8(pick(g, kTags))};
    return j;
}

struct Stats {
    double p50 = 0, p95 = 0, max = 0, mean = 0;
};

Stats stats(std::vector<double> v) {
    Stats s;
    if (v.empty()) return s;
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5))]; };
    s.p50 = at(0.5);
    s.p95 = at(0.95);
    s.max = v.back();
    for (double x : v) s.mean += x;
    s.mean /= double(v.size());
    return s;
}

json statsJson(const Stats& s) { return {{"p50_ms", s.p50}, {"p95_ms", s.p95}, {"max_ms", s.max}, {"mean_ms", s.mean}}; }

json runHistoryBench(int jobs) {
    QTemporaryDir dir(QDir::tempPath() + QStringLiteral("/kinora-bench-history-XXXXXX"));
    if (!dir.isValid()) throw UserError("cannot create a temporary folder in " + QDir::tempPath().toStdString());
    std::mt19937_64 g(20261125);
    json report = {{"benchmark", "history"}, {"jobs", jobs}};
    {
        studio::HistoryDb db(dir.path());
        // Bulk fill in transactions of 1000 (how an import would write), timed as a whole.
        const int64_t start = studio::nowMs() - int64_t(jobs) * 60000;
        const auto t0 = Clock::now();
        QVector<studio::Job> batch;
        for (int i = 0; i < jobs; ++i) {
            batch.push_back(makeJob(g, start + int64_t(i) * 60000, i));
            if (batch.size() == 1000 || i == jobs - 1) {
                db.addRecords(batch);
                batch.clear();
            }
        }
        const double fillMs = msSince(t0);
        report["insert"] = {{"batched_seconds", fillMs / 1000}, {"batched_jobs_per_second", jobs / (fillMs / 1000)}};

        // One job per transaction, fsync'ed, as the queue adds them.
        std::vector<double> single;
        for (int i = 0; i < 200; ++i) {
            studio::Job j = makeJob(g, studio::nowMs(), jobs + i);
            const auto t = Clock::now();
            db.addQueued(j.request);
            single.push_back(msSince(t));
        }
        report["insert"]["single_transaction"] = statsJson(stats(single));

        // The newest page, as the studio opens; then pages further down by keyset.
        const int64_t total = db.count();
        std::vector<double> newest, deeper;
        for (int i = 0; i < 200; ++i) {
            const auto t = Clock::now();
            const auto page = db.page(std::nullopt, 50);
            newest.push_back(msSince(t));
            if (page.size() != 50) throw UserError("benchmark: a page of 50 came back with " + std::to_string(page.size()));
        }
        for (int i = 0; i < 200; ++i) {
            const int64_t before = 1 + int64_t(g() % uint64_t(total));
            const auto t = Clock::now();
            db.page(before, 50);
            deeper.push_back(msSince(t));
        }
        report["page_newest_50"] = statsJson(stats(newest));
        report["page_keyset_50"] = statsJson(stats(deeper));

        // Queries people type: words, prefixes, two words, Chinese of 3+ characters (trigram index)
        // and of 1-2 characters (LIKE scan); 50 results like a page.
        struct Kind {
            const char* name;
            std::vector<QString> queries;
        };
        std::vector<Kind> kinds = {{"word", {}}, {"prefix", {}}, {"two_words", {}}, {"chinese_3plus", {}}, {"chinese_1_2", {}}};
        for (const char* w : kShapes) kinds[0].queries.push_back(QString::fromUtf8(w));
        for (const char* w : kColours) kinds[0].queries.push_back(QString::fromUtf8(w));
        for (const char* w : kShapes) kinds[1].queries.push_back(QString::fromUtf8(w).left(4) + QLatin1Char('*'));
        for (int i = 0; i < 20; ++i) kinds[2].queries.push_back(QStringLiteral("%1 %2").arg(pick(g, kColours), pick(g, kShapes)));
        for (const char* w : kZhMotions) kinds[3].queries.push_back(QString::fromUtf8(w).size() >= 3 ? QString::fromUtf8(w) : QString::fromUtf8(w) + QString::fromUtf8("的"));
        kinds[3].queries.push_back(QString::fromUtf8("三角形"));
        kinds[3].queries.push_back(QString::fromUtf8("黑色背景"));
        for (const char* w : kZhColours) kinds[4].queries.push_back(QString::fromUtf8(w));
        kinds[4].queries.push_back(QString::fromUtf8("圆"));
        kinds[4].queries.push_back(QString::fromUtf8("星"));
        std::vector<double> all;
        json perKind = json::object();
        for (const auto& k : kinds) {
            std::vector<double> times;
            for (int round = 0; round < 5; ++round) {
                for (const QString& q : k.queries) {
                    const auto t = Clock::now();
                    db.search(q, 50);
                    times.push_back(msSince(t));
                }
            }
            all.insert(all.end(), times.begin(), times.end());
            json s = statsJson(stats(times));
            s["queries"] = times.size();
            perKind[k.name] = s;
        }
        report["search"] = statsJson(stats(all));
        report["search"]["queries"] = all.size();
        report["search"]["by_kind"] = perKind;
        db.connection().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    const qint64 bytes = QFileInfo(studio::HistoryDb::databasePath(dir.path())).size();
    report["database_bytes"] = bytes;
    report["bytes_per_job"] = double(bytes) / jobs;
    return report;
}

}  // namespace

void addBenchHistory(CLI::App* bench, const CommonOptions& common, int& exitStatus) {
    struct Opts {
        int jobs = 100000;
        bool json = false;
    };
    auto o = std::make_shared<Opts>();
    auto* cmd = bench->add_subcommand("history", "Insert rate, page load and search latency of a large history");
    cmd->add_option("--jobs", o->jobs, "Jobs to fill the database with (default 100000)")->check(CLI::Range(100, 10000000));
    cmd->add_flag("--json", o->json, "Print the results as JSON");
    cmd->callback([o, &common, &exitStatus] {
        (void)common;  // the benchmark never touches the real data folder
        const json r = runHistoryBench(o->jobs);
        if (o->json) {
            std::cout << r.dump(2) << std::endl;
        } else {
            std::printf("history benchmark, %d jobs (temporary database)\n", o->jobs);
            std::printf("  insert, batches of 1000     %8.2f s   %.0f jobs/s\n", r["insert"]["batched_seconds"].get<double>(),
                        r["insert"]["batched_jobs_per_second"].get<double>());
            std::printf("  insert, one per transaction %8.2f ms p50, %.2f ms p95 (fsync'ed)\n",
                        r["insert"]["single_transaction"]["p50_ms"].get<double>(), r["insert"]["single_transaction"]["p95_ms"].get<double>());
            std::printf("  newest page of 50           %8.2f ms p50, %.2f ms p95\n", r["page_newest_50"]["p50_ms"].get<double>(),
                        r["page_newest_50"]["p95_ms"].get<double>());
            std::printf("  keyset page of 50           %8.2f ms p50, %.2f ms p95\n", r["page_keyset_50"]["p50_ms"].get<double>(),
                        r["page_keyset_50"]["p95_ms"].get<double>());
            std::printf("  search (%zu queries)        %8.2f ms p50, %.2f ms p95, %.2f ms max\n", r["search"]["queries"].get<size_t>(),
                        r["search"]["p50_ms"].get<double>(), r["search"]["p95_ms"].get<double>(), r["search"]["max_ms"].get<double>());
            for (const auto& [kind, s] : r["search"]["by_kind"].items()) {
                std::printf("    %-14s %8.2f ms p50, %.2f ms p95\n", kind.c_str(), s["p50_ms"].get<double>(), s["p95_ms"].get<double>());
            }
            std::printf("  database size               %8.1f MB (%.0f bytes per job)\n", r["database_bytes"].get<double>() / 1e6,
                        r["bytes_per_job"].get<double>());
        }
        exitStatus = kExitOk;
    });
}

}  // namespace kinora::cli
