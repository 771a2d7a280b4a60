// `kinora history list|show|search|delete|rerun|favourite|tag`: the generation history from the
// command line. Every sub-command opens the same database the studio uses (WAL: safe while the studio
// is open; the studio notices the changes within a second).
#include "cli/cli.h"

#include "cli/history_access.h"
#include "studio/trash.h"

#include <QDateTime>
#include <QFileInfo>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace kinora::cli {
namespace {

using nlohmann::json;

std::string timeText(std::optional<int64_t> ms) {
    if (!ms) return "";
    return QDateTime::fromMSecsSinceEpoch(*ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")).toStdString();
}

json optJson(std::optional<int64_t> v) { return v ? json(*v) : json(nullptr); }

json jobJson(const studio::HistoryDb& db, const studio::Job& j) {
    const auto& r = j.request;
    json tags = json::array();
    for (const auto& t : j.tags) tags.push_back(t.toStdString());
    auto abs = [&](const QString& rel) { return rel.isEmpty() ? json(nullptr) : json(studio::absolutePath(db, rel).toStdString()); };
    return {
        {"id", j.id},
        {"state", studio::stateName(j.state)},
        {"request",
         {{"prompt", r.prompt.toStdString()}, {"negative_prompt", r.negative_prompt.toStdString()},
          {"model", r.model.toStdString()}, {"model_path", r.model_path.toStdString()},
          {"weights_sha256", r.weights_sha256.toStdString()}, {"seed", r.seed}, {"steps", r.steps},
          {"guidance", r.guidance}, {"sampler", r.sampler.toStdString()}, {"shift", r.shift}, {"width", r.width},
          {"height", r.height}, {"frames", r.frames}, {"fps", r.fps}, {"label", r.label}}},
        {"queue_position", optJson(j.queue_pos)},
        {"created_ms", j.created_ms},
        {"started_ms", optJson(j.started_ms)},
        {"finished_ms", optJson(j.finished_ms)},
        {"seconds",
         {{"load", j.times.load}, {"text", j.times.text}, {"denoise", j.times.denoise}, {"decode", j.times.decode},
          {"encode", j.times.encode}}},
        {"clip", abs(j.clip_path)},
        {"thumbnails", abs(j.thumbs_path)},
        {"sidecar", abs(j.sidecar_path)},
        {"error", j.error.toStdString()},
        {"favourite", j.favourite},
        {"tags", tags},
        {"rerun_of", optJson(j.rerun_of)},
    };
}

std::string shortText(const QString& s, int max) {
    QString t = s.simplified();
    if (t.size() > max) t = t.left(max - 1) + QChar(0x2026);
    return t.toStdString();
}

void printTable(const QVector<studio::Job>& jobs) {
    if (jobs.isEmpty()) {
        std::printf("no jobs\n");
        return;
    }
    std::printf("%6s  %-11s  %-19s  %-9s  %-18s  %s\n", "ID", "STATE", "CREATED", "SIZE", "MODEL", "PROMPT");
    for (const auto& j : jobs) {
        const auto& r = j.request;
        const std::string size = std::to_string(r.width) + "x" + std::to_string(r.height) + "x" + std::to_string(r.frames);
        std::printf("%6lld%s %-11s  %-19s  %-9s  %-18s  %s\n", static_cast<long long>(j.id), j.favourite ? "*" : " ",
                    studio::stateName(j.state), timeText(j.created_ms).c_str(), size.c_str(),
                    shortText(r.model, 18).c_str(), shortText(r.prompt, 60).c_str());
    }
}

void printJob(const studio::HistoryDb& db, const studio::Job& j) {
    const auto& r = j.request;
    std::printf("job %lld: %s%s\n", static_cast<long long>(j.id), studio::stateName(j.state), j.favourite ? " (favourite)" : "");
    std::printf("  prompt           %s\n", r.prompt.toStdString().c_str());
    if (!r.negative_prompt.isEmpty()) std::printf("  negative prompt  %s\n", r.negative_prompt.toStdString().c_str());
    std::printf("  model            %s (%s), weights %s\n", r.model.toStdString().c_str(), r.model_path.toStdString().c_str(),
                r.weights_sha256.left(16).toStdString().c_str());
    std::printf("  settings         %dx%d, %d frames at %d fps, %d steps, guidance %g, %s, shift %g, seed %llu\n", r.width,
                r.height, r.frames, r.fps, r.steps, r.guidance, r.sampler.toStdString().c_str(), r.shift,
                static_cast<unsigned long long>(r.seed));
    std::printf("  created          %s\n", timeText(j.created_ms).c_str());
    if (j.started_ms) std::printf("  started          %s\n", timeText(j.started_ms).c_str());
    if (j.finished_ms) std::printf("  finished         %s\n", timeText(j.finished_ms).c_str());
    if (j.state == studio::JobState::Done || j.times.denoise > 0) {
        std::printf("  seconds          load %.2f, text %.2f, denoise %.2f, decode %.2f, encode %.2f\n", j.times.load,
                    j.times.text, j.times.denoise, j.times.decode, j.times.encode);
    }
    if (j.queue_pos) std::printf("  queue position   %lld\n", static_cast<long long>(*j.queue_pos));
    if (!j.clip_path.isEmpty()) std::printf("  clip             %s\n", studio::absolutePath(db, j.clip_path).toStdString().c_str());
    if (!j.thumbs_path.isEmpty()) std::printf("  thumbnails       %s\n", studio::absolutePath(db, j.thumbs_path).toStdString().c_str());
    if (!j.tags.isEmpty()) std::printf("  tags             %s\n", j.tags.join(QStringLiteral(", ")).toStdString().c_str());
    if (j.rerun_of) std::printf("  re-run of        job %lld\n", static_cast<long long>(*j.rerun_of));
    if (!j.error.isEmpty()) std::printf("  error            %s\n", j.error.toStdString().c_str());
}

void printList(const studio::HistoryDb& db, const QVector<studio::Job>& jobs, bool asJson) {
    if (asJson) {
        json arr = json::array();
        for (const auto& j : jobs) arr.push_back(jobJson(db, j));
        std::cout << json{{"jobs", arr}}.dump(2) << std::endl;
    } else {
        printTable(jobs);
    }
}

}  // namespace

void addHistoryCommand(CLI::App& app, const CommonOptions& common, int& exitStatus) {
    auto* history = app.add_subcommand("history", "List, search, show, delete and re-run recorded generations");
    history->require_subcommand(1);

    struct ListOpts {
        int limit = 20;
        int64_t before = 0;
        bool json = false;
    };
    auto l = std::make_shared<ListOpts>();
    auto* list = history->add_subcommand("list", "Newest jobs first");
    list->add_option("--limit", l->limit, "How many (default 20)")->check(CLI::Range(1, 100000));
    list->add_option("--before", l->before, "Only jobs older than this ID (the next page)")->check(CLI::PositiveNumber);
    list->add_flag("--json", l->json, "Print JSON");
    list->callback([l, &common, &exitStatus] {
        auto db = openHistory(common);
        const auto jobs = db->page(l->before > 0 ? std::optional<int64_t>(l->before) : std::nullopt, l->limit);
        printList(*db, jobs, l->json);
        exitStatus = kExitOk;
    });

    struct IdOpts {
        std::string id;
        bool json = false;
        bool off = false;
        std::vector<std::string> tags;
        std::string out;
        bool quiet = false;
    };
    auto show = history->add_subcommand("show", "Everything about one job");
    auto s = std::make_shared<IdOpts>();
    show->add_option("id", s->id, "Job ID")->required();
    show->add_flag("--json", s->json, "Print JSON");
    show->callback([s, &common, &exitStatus] {
        auto db = openHistory(common);
        const auto job = db->get(parseJobId(s->id));
        if (s->json) std::cout << jobJson(*db, job).dump(2) << std::endl;
        else printJob(*db, job);
        exitStatus = kExitOk;
    });

    struct SearchOpts {
        std::string text;
        int limit = 20;
        bool json = false;
    };
    auto q = std::make_shared<SearchOpts>();
    auto* search = history->add_subcommand("search", "Jobs whose prompt, negative prompt or tags contain every word");
    search->add_option("text", q->text, "Words to look for (any language; 3+ characters match anywhere in a word)")->required();
    search->add_option("--limit", q->limit, "How many (default 20)")->check(CLI::Range(1, 100000));
    search->add_flag("--json", q->json, "Print JSON");
    search->callback([q, &common, &exitStatus] {
        auto db = openHistory(common);
        printList(*db, db->search(QString::fromStdString(q->text), q->limit), q->json);
        exitStatus = kExitOk;
    });

    auto d = std::make_shared<IdOpts>();
    auto* del = history->add_subcommand("delete", "Delete a job and its files (to the desktop trash when there is one)");
    del->add_option("id", d->id, "Job ID")->required();
    del->callback([d, &common, &exitStatus] {
        auto db = openHistory(common);
        const auto job = db->get(parseJobId(d->id));
        if (job.state == studio::JobState::Running) {
            throw UserError("job " + d->id + " is running; cancel it in the studio (or stop its `kinora generate`) first");
        }
        // Files first: a failure leaves the row, so the user can see and retry; the reverse would leave
        // files no entry points at.
        studio::TrashResult trashed;
        if (!job.output_dir.isEmpty()) trashed = studio::trashOrRemove(studio::absolutePath(*db, job.output_dir));
        db->removeRow(job.id);
        if (trashed.trashed) {
            std::printf("deleted job %s; its files are in the trash (%s)\n", d->id.c_str(), trashed.trashPath.toStdString().c_str());
        } else {
            std::printf("deleted job %s and its files\n", d->id.c_str());
        }
        exitStatus = kExitOk;
    });

    auto r = std::make_shared<IdOpts>();
    auto* rerun = history->add_subcommand("rerun", "Run a job's request again (same seed), recorded as a new job");
    rerun->add_option("id", r->id, "Job ID")->required();
    rerun->add_flag("--quiet", r->quiet, "No progress output");
    rerun->add_flag("--json", r->json, "Print the new job as JSON");
    rerun->callback([r, &common, &exitStatus] {
        auto db = openHistory(common);
        const auto source = db->get(parseJobId(r->id));
        if (!QFileInfo(source.request.model_path).isDir()) {
            throw UserError("job " + r->id + " used the model folder " + source.request.model_path.toStdString() +
                            ", which no longer exists; put the model back or generate anew with --model");
        }
        RecordedRunOptions ro;
        ro.quiet = r->quiet;
        int64_t id = 0;
        runRecorded(*db, source.request, source.id, ro, common, id);
        const auto job = db->get(id);
        if (r->json) std::cout << jobJson(*db, job).dump(2) << std::endl;
        else if (!r->quiet) std::printf("job %lld: re-ran job %s, wrote %s\n", static_cast<long long>(id), r->id.c_str(),
                                        studio::absolutePath(*db, job.clip_path).toStdString().c_str());
        exitStatus = kExitOk;
    });

    auto f = std::make_shared<IdOpts>();
    auto* fav = history->add_subcommand("favourite", "Mark a job as a favourite (--off: unmark)");
    fav->add_option("id", f->id, "Job ID")->required();
    fav->add_flag("--off", f->off, "Remove the mark");
    fav->callback([f, &common, &exitStatus] {
        auto db = openHistory(common);
        db->setFavourite(parseJobId(f->id), !f->off);
        std::printf("job %s is %s\n", f->id.c_str(), f->off ? "no longer a favourite" : "a favourite");
        exitStatus = kExitOk;
    });

    auto t = std::make_shared<IdOpts>();
    auto* tag = history->add_subcommand("tag", "Set a job's tags (searchable); no tags clears them");
    tag->add_option("id", t->id, "Job ID")->required();
    tag->add_option("tags", t->tags, "Tags");
    tag->callback([t, &common, &exitStatus] {
        auto db = openHistory(common);
        QStringList tags;
        for (const auto& x : t->tags) tags << QString::fromStdString(x);
        const int64_t id = parseJobId(t->id);
        db->setTags(id, tags);
        const auto job = db->get(id);
        std::printf("job %s tags: %s\n", t->id.c_str(), job.tags.isEmpty() ? "(none)" : job.tags.join(QStringLiteral(", ")).toStdString().c_str());
        exitStatus = kExitOk;
    });
}

}  // namespace kinora::cli
