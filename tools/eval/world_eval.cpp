#include "eval/world_eval.h"

#include "engine/vae.h"
#include "engine/wan_pipeline.h"

#include "worldgen/analyser.h"
#include "worldgen/captions.h"
#include "worldgen/world.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cstring>

namespace kinora::eval {

namespace {

double pct(int k, int n) { return n ? 100.0 * k / n : 0.0; }

media::Clip toClip(const engine::RgbVideo& v) {
    media::Clip c;
    const size_t n = static_cast<size_t>(v.width) * v.height * 3;
    for (int f = 0; f < v.frames; ++f) {
        media::Frame fr;
        fr.width = v.width;
        fr.height = v.height;
        fr.rgb.assign(v.rgb.begin() + static_cast<long>(n * f), v.rgb.begin() + static_cast<long>(n * (f + 1)));
        c.frames.push_back(std::move(fr));
    }
    return c;
}

void add(WorldEvalGroup& g, const WorldEvalCase& c) {
    ++g.n;
    g.color += c.color;
    g.shape += c.shape;
    g.motion += c.motion;
    g.background += c.background;
    g.coherent += c.coherent;
    if (c.falling) {
        ++g.falling;
        g.accelerating += c.accelerating;
    }
}

void writeSheet(const std::string& path, const std::vector<media::Clip>& clips, const std::vector<WorldEvalCase>& cases) {
    const int cols = 5, cell = 96, labelH = 30, pad = 3;
    const int rows = static_cast<int>(clips.size());
    cv::Mat sheet(rows * (cell + labelH + pad) + pad, cols * (cell + pad) + pad, CV_8UC3, cv::Scalar(25, 25, 25));
    for (int r = 0; r < rows; ++r) {
        const auto& clip = clips[static_cast<size_t>(r)];
        const int n = static_cast<int>(clip.frames.size());
        for (int c = 0; c < cols; ++c) {
            const auto& fr = clip.frames[static_cast<size_t>(c * (n - 1) / (cols - 1))];
            cv::Mat rgb(fr.height, fr.width, CV_8UC3, const_cast<uint8_t*>(fr.rgb.data())), bgr, scaled;
            cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
            cv::resize(bgr, scaled, {cell, cell}, 0, 0, cv::INTER_AREA);
            scaled.copyTo(sheet(cv::Rect(pad + c * (cell + pad), pad + r * (cell + labelH + pad), cell, cell)));
        }
        const auto& k = cases[static_cast<size_t>(r)];
        const int y = pad + r * (cell + labelH + pad) + cell;
        cv::putText(sheet, "asked: " + k.expected + (k.chinese ? " (zh)" : "") + (k.held_out ? " [held-out]" : ""), {pad, y + 12},
                    cv::FONT_HERSHEY_SIMPLEX, 0.36, cv::Scalar(220, 220, 220), 1, cv::LINE_AA);
        const bool ok = k.color && k.shape && k.motion && k.background;
        cv::putText(sheet, "found: " + k.found, {pad, y + 25}, cv::FONT_HERSHEY_SIMPLEX, 0.36,
                    ok ? cv::Scalar(120, 220, 120) : cv::Scalar(90, 90, 240), 1, cv::LINE_AA);
    }
    cv::imwrite(path, sheet);
}

}  // namespace

nlohmann::json WorldEvalGroup::toJson() const {
    return {{"prompts", n},
            {"color_pct", pct(color, n)},
            {"shape_pct", pct(shape, n)},
            {"motion_pct", pct(motion, n)},
            {"background_pct", pct(background, n)},
            {"coherent_pct", pct(coherent, n)},
            {"falling_prompts", falling},
            {"falling_accelerating_pct", pct(accelerating, falling)}};
}

nlohmann::json WorldEvalReport::toJson(bool with_cases) const {
    nlohmann::json j = {{"all", all.toJson()},         {"seen", seen.toJson()},       {"held_out", held_out.toJson()},
                        {"english", english.toJson()}, {"chinese", chinese.toJson()}, {"seconds", seconds}};
    for (const auto& [name, g] : by_shape) j["by_shape"][name] = g.toJson();
    for (const auto& [name, g] : by_motion) j["by_motion"][name] = g.toJson();
    if (steps > 0) {
        j["steps"] = steps;
        j["guidance"] = guidance;
    }
    if (with_cases) {
        nlohmann::json cs = nlohmann::json::array();
        for (const auto& c : cases) {
            cs.push_back({{"prompt", c.prompt}, {"chinese", c.chinese}, {"held_out", c.held_out}, {"expected", c.expected},
                          {"asked", {{"color", c.asked_color}, {"shape", c.asked_shape}, {"motion", c.asked_motion},
                                     {"background", c.asked_background}}},
                          {"found", c.found}, {"color", c.color}, {"shape", c.shape}, {"motion", c.motion},
                          {"background", c.background}, {"coherent", c.coherent}, {"accelerating", c.accelerating},
                          {"reasons", c.reasons}});
        }
        j["cases"] = cs;
    }
    return j;
}

WorldEvalReport evaluateWorld(engine::Pipeline& pipeline, const WorldEvalOptions& o, const EvalProgress& progress) {
    engine::GenerationRequest used;  // as the pipeline filled it in: the same for every prompt but its text and seed
    auto report = evaluateWorld(
        [&](const std::string& prompt, uint64_t seed, const world::SceneSpec&) {
            engine::GenerationRequest r;
            r.prompt = prompt;
            r.seed = seed;
            r.steps = o.steps;
            auto generated = pipeline.generate(r);
            used = generated.request;
            return toClip(generated.video);
        },
        o, progress);
    report.steps = used.steps;
    report.guidance = used.guidance;
    return report;
}

WorldEvalReport evaluateWorldThroughVae(const engine::WanVAE& vae, const WorldEvalOptions& o, const EvalProgress& progress) {
    return evaluateWorld(
        [&](const std::string&, uint64_t, const world::SceneSpec& asked) {
            const auto clip = world::render(asked);
            const auto f = static_cast<int64_t>(clip.frames.size());
            const auto h = static_cast<int64_t>(clip.frames[0].height), w = static_cast<int64_t>(clip.frames[0].width);
            auto video = at::empty({f, h, w, 3}, at::kByte);
            for (int64_t i = 0; i < f; ++i) {
                std::memcpy(video[i].data_ptr(), clip.frames[static_cast<size_t>(i)].rgb.data(), static_cast<size_t>(h * w * 3));
            }
            at::InferenceMode guard;
            const auto dtype = vae.parameters()[0].scalar_type();
            const auto x = (video.permute({3, 0, 1, 2}).unsqueeze(0).to(at::kFloat) / 127.5 - 1).to(dtype);  // [1, 3, F, H, W]
            const auto decoded = vae.decode(vae.encode(x).first);
            return toClip(engine::toRgbVideo((decoded.to(at::kFloat) / 2 + 0.5).clamp(0, 1)[0].permute({1, 2, 3, 0}).contiguous()));
        },
        o, progress);
}

WorldEvalReport evaluateWorld(const WorldDrawer& draw, const WorldEvalOptions& o, const EvalProgress& progress) {
    const auto start = std::chrono::steady_clock::now();
    WorldEvalReport report;
    std::vector<media::Clip> sheetClips;
    world::Rng rng(o.seed ^ 0xE7A1u);
    for (int i = 0; i < o.prompts; ++i) {
        WorldEvalCase k;
        k.held_out = rng.chance(o.held_out_share);
        k.chinese = rng.chance(o.chinese_share);
        world::SamplingOptions so;
        so.object_count = 1;
        so.held_out = k.held_out ? world::HeldOutMode::Only : world::HeldOutMode::Exclude;
        so.version = o.world_version;
        so.motion = o.motion;
        const auto scene = world::sampleScene(world::clipSeed(o.seed ^ 0xE7A1E7A1ull, static_cast<uint64_t>(i)), so);
        const auto& obj = scene.objects[0];
        k.prompt = k.chinese ? world::canonicalCaptionZh(scene) : world::canonicalCaption(scene);
        k.asked_color = world::colorName(obj.color);
        k.asked_shape = world::shapeName(obj.shape);
        k.asked_motion = world::motionName(obj.motion);
        k.asked_background = world::backgroundName(scene.background);
        k.expected = k.asked_color + " " + k.asked_shape + " " + k.asked_motion + ", " + k.asked_background;
        const auto clip = draw(k.prompt, static_cast<uint64_t>(i), scene);
        const auto a = world::analyse(clip);
        k.found = world::describe(a);
        k.coherent = a.coherent;
        k.reasons = a.reasons;
        for (size_t j = 0; j < a.objects.size(); ++j) {
            for (const auto& r : a.objects[j].reasons) k.reasons.push_back("object " + std::to_string(j + 1) + ": " + r);
        }
        k.color = a.color && *a.color == obj.color;
        k.shape = a.shape && *a.shape == obj.shape;
        k.motion = a.motion && *a.motion == obj.motion;
        k.background = a.background && *a.background == scene.background;
        k.falling = obj.motion == world::Motion::Falling;
        k.accelerating = k.falling && k.motion && a.accelerating;
        add(report.all, k);
        add(k.held_out ? report.held_out : report.seen, k);
        add(k.chinese ? report.chinese : report.english, k);
        add(report.by_shape[k.asked_shape], k);
        add(report.by_motion[k.asked_motion], k);
        if (!o.contact_sheet.empty() && sheetClips.size() < 24) sheetClips.push_back(clip);
        report.cases.push_back(k);
        if (progress) progress(i + 1, o.prompts, k);
    }
    if (!o.contact_sheet.empty()) writeSheet(o.contact_sheet, sheetClips, report.cases);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace kinora::eval
