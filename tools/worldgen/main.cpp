// kinora-worldgen: renders samples of kinora-tiny's training world to look at (GIF/MP4/PNG frames with
// their captions, and a contact sheet), optionally with the analyser's reading of each clip, and times
// the renderer (--bench). `--read CLIP...` gives the analyser's reading of clips made elsewhere (a
// model's PNG frame folders or videos), as `kinora eval` reads them.
#include "media/decoder.h"
#include "media/encoder.h"
#include "worldgen/analyser.h"
#include "worldgen/captions.h"
#include "worldgen/world.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace fs = std::filesystem;
using namespace kinora;
using namespace kinora::world;

namespace {

nlohmann::json sceneJson(const SceneSpec& sc) {
    nlohmann::json objs = nlohmann::json::array();
    for (const auto& o : sc.objects) {
        objs.push_back({{"color", colorName(o.color)},
                        {"shape", shapeName(o.shape)},
                        {"motion", motionName(o.motion)},
                        {"rgb", {o.rgb.r, o.rgb.g, o.rgb.b}},
                        {"size", o.size},
                        {"end_size", o.end_size},
                        {"x0", o.x0},
                        {"y0", o.y0},
                        {"angle0", o.angle0},  // radians, 0 = upright
                        {"spin", o.spin}});    // radians per frame, > 0 clockwise on screen
    }
    return {{"background", backgroundName(sc.background)}, {"objects", objs}};
}

nlohmann::json analysisJson(const Analysis& a) {
    nlohmann::json objs = nlohmann::json::array();
    for (const auto& o : a.objects) {
        objs.push_back({{"color", o.color ? colorName(*o.color) : nullptr},
                        {"shape", o.shape ? shapeName(*o.shape) : nullptr},
                        {"motion", o.motion ? motionName(*o.motion) : nullptr},
                        {"coherent", o.coherent},
                        {"accelerating", o.accelerating},
                        {"reasons", o.reasons}});
    }
    return {{"summary", describe(a)},
            {"background", a.background ? backgroundName(*a.background) : nullptr},
            {"object_count", a.object_count},
            {"objects", objs},
            {"reasons", a.reasons}};
}

// Rows of frames 0, 1/4, 1/2, 3/4 and last of each clip, with the canonical English caption under
// each row (OpenCV's Hershey fonts have no CJK glyphs) and the analyser's reading when given.
void writeContactSheet(const std::string& path, const std::vector<media::Clip>& clips,
                       const std::vector<std::string>& captions, const std::vector<std::string>& readings) {
    const int W = clips[0].frames[0].width, H = clips[0].frames[0].height;
    const int cols = 5, gap = 4;
    const int band = readings.empty() ? 18 : 32;
    const int sheetW = std::max(cols * (W + gap) + gap, 640);
    const int rowH = H + band + gap;
    cv::Mat sheet(int(clips.size()) * rowH + gap, sheetW, CV_8UC3, cv::Scalar(32, 32, 32));
    for (size_t i = 0; i < clips.size(); ++i) {
        const auto& fr = clips[i].frames;
        const int F = int(fr.size());
        for (int c = 0; c < cols; ++c) {
            const int t = (F - 1) * c / (cols - 1);
            cv::Mat rgb(H, W, CV_8UC3, const_cast<uint8_t*>(fr[size_t(t)].rgb.data()));
            cv::Mat bgr;
            cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
            bgr.copyTo(sheet(cv::Rect(gap + c * (W + gap), int(i) * rowH + gap, W, H)));
        }
        const int y = int(i) * rowH + gap + H + 13;
        cv::putText(sheet, captions[i], {gap, y}, cv::FONT_HERSHEY_SIMPLEX, 0.38, cv::Scalar(240, 240, 240), 1,
                    cv::LINE_AA);
        if (!readings.empty()) {
            cv::putText(sheet, "analyser: " + readings[i], {gap, y + 14}, cv::FONT_HERSHEY_SIMPLEX, 0.36,
                        cv::Scalar(150, 220, 150), 1, cv::LINE_AA);
        }
    }
    if (!cv::imwrite(path, sheet)) throw std::runtime_error("cannot write the contact sheet " + path);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Render samples of kinora-tiny's training world"};
    app.name("kinora-worldgen");
    uint64_t seed = 1;
    int count = 8, width = 128, height = 128, frames = 17, objects = 0, bench = 0, version = 1;
    std::string out, heldOut = "exclude", sheet;
    bool gif = false, mp4 = false, png = false, analyseClips = false;
    app.add_option("--seed", seed, "Base seed; clip i uses clipSeed(seed, i)");
    app.add_option("--count", count, "Number of clips")->check(CLI::Range(1, 100000));
    app.add_option("--out", out, "Folder for the clips and captions.txt / captions.json");
    app.add_option("--width", width, "Frame width")->check(CLI::Range(32, 1024));
    app.add_option("--height", height, "Frame height")->check(CLI::Range(32, 1024));
    app.add_option("--frames", frames, "Frames per clip")->check(CLI::Range(5, 240));
    app.add_option("--objects", objects, "1 or 2 objects in every clip (default: 30% two)")->check(CLI::Range(1, 2));
    app.add_option("--world", version, std::string("Version of the world (world.h; ") + worldVersionsSummary() + ")")
        ->check(CLI::Range(1, kWorldVersions));
    app.add_flag("--gif", gif, "Write GIFs (the default)");
    app.add_flag("--mp4", mp4, "Write MP4s");
    app.add_flag("--png", png, "Write PNG frame folders");
    app.add_option("--held-out", heldOut, "Held-out combinations: exclude (training), only (evaluation), any")
        ->check(CLI::IsMember({"exclude", "only", "any"}));
    app.add_option("--contact-sheet", sheet, "Write a PNG grid of frames 0/4/8/12/16 with captions");
    app.add_flag("--analyse", analyseClips, "Run the analyser on each clip and record its reading");
    std::vector<std::string> read;
    app.add_option("--read", read, "Print the analyser's reading of these clips (PNG frame folders or videos) and exit")
        ->check(CLI::ExistingPath);
    app.add_option("--bench", bench, "Time sampling and rendering of N clips and exit")->check(CLI::Range(1, 1000000));
    CLI11_PARSE(app, argc, argv);

    SamplingOptions opt;
    opt.width = width;
    opt.height = height;
    opt.frames = frames;
    opt.held_out = heldOut == "only" ? HeldOutMode::Only : heldOut == "any" ? HeldOutMode::Any : HeldOutMode::Exclude;
    if (objects) opt.object_count = objects;
    opt.version = version;

    try {
        if (!read.empty()) {
            for (const auto& path : read) {
                const std::string reading = describe(analyse(media::decodeFile(path).clip));  // before the line starts
                std::cout << path << ": " << reading << '\n';
            }
            return 0;
        }
        if (bench > 0) {
            using clock = std::chrono::steady_clock;
            double sampleMs = 0, renderMs = 0, analyseMs = 0;
            size_t checksum = 0;
            for (int i = 0; i < bench; ++i) {
                auto t0 = clock::now();
                const SceneSpec sc = sampleScene(clipSeed(seed, uint64_t(i)), opt);
                auto t1 = clock::now();
                const media::Clip c = render(sc);
                auto t2 = clock::now();
                checksum += c.frames.back().rgb[size_t(i) % c.frames.back().rgb.size()];
                sampleMs += std::chrono::duration<double, std::milli>(t1 - t0).count();
                renderMs += std::chrono::duration<double, std::milli>(t2 - t1).count();
                if (analyseClips) {
                    const Analysis a = analyse(c);
                    checksum += size_t(a.object_count);
                    analyseMs += std::chrono::duration<double, std::milli>(clock::now() - t2).count();
                }
            }
            std::printf("%d clips of %dx%dx%d: sample %.3f ms, render %.3f ms per clip", bench, frames, width, height,
                        sampleMs / bench, renderMs / bench);
            if (analyseClips) std::printf(", analyse %.2f ms per clip", analyseMs / bench);
            std::printf(" (checksum %zu)\n", checksum);
            return 0;
        }
        if (out.empty() && sheet.empty()) {
            std::cerr << "kinora-worldgen: give --out DIR and/or --contact-sheet FILE.png (or --bench N)\n";
            return 2;
        }
        if (!gif && !mp4 && !png && !out.empty()) gif = true;
        if (!out.empty()) fs::create_directories(out);

        std::vector<media::Clip> clips;
        std::vector<std::string> canon, readings;
        nlohmann::json index = nlohmann::json::array();
        std::ofstream txt;
        if (!out.empty()) txt.open(fs::path(out) / "captions.txt");
        for (int i = 0; i < count; ++i) {
            const uint64_t s = clipSeed(seed, uint64_t(i));
            const SceneSpec sc = sampleScene(s, opt);
            media::Clip clip = render(sc);
            char name[32];
            std::snprintf(name, sizeof name, "clip_%05d", i);
            const std::string caption = randomCaption(sc, s, 0.3);
            nlohmann::json entry = {{"name", name},
                                    {"seed", s},
                                    {"canonical", canonicalCaption(sc)},
                                    {"canonical_zh", canonicalCaptionZh(sc)},
                                    {"caption", caption},
                                    {"scene", sceneJson(sc)}};
            if (analyseClips) {
                const Analysis a = analyse(clip);
                readings.push_back(describe(a));
                entry["analysis"] = analysisJson(a);
            }
            if (!out.empty()) {
                media::ProvenanceRecord rec;
                rec.generator = "kinora-worldgen";
                rec.model = "shapes world (rendered, not generated)";
                rec.prompt = canonicalCaption(sc);
                rec.seed = int64_t(s & 0x7fffffffffffffffULL);
                const fs::path base = fs::path(out) / name;
                if (gif) media::writeClip(clip, base.string() + ".gif", media::Format::Gif, rec);
                if (mp4) media::writeClip(clip, base.string() + ".mp4", media::Format::Mp4, rec);
                if (png) {
                    fs::create_directories(base);
                    media::writeClip(clip, base.string(), media::Format::PngFrames, rec);
                }
                txt << name << '\t' << canonicalCaption(sc) << '\t' << caption << '\n';
            }
            index.push_back(entry);
            canon.push_back(canonicalCaption(sc));
            clips.push_back(std::move(clip));
            if (!sheet.empty() && clips.size() > 200) clips.erase(clips.begin() + 200, clips.end());
        }
        if (!out.empty()) std::ofstream(fs::path(out) / "captions.json") << index.dump(2) << '\n';
        if (!sheet.empty()) {
            canon.resize(std::min(canon.size(), clips.size()));
            if (!readings.empty()) readings.resize(canon.size());
            writeContactSheet(sheet, clips, canon, readings);
        }
        if (analyseClips) {
            for (size_t i = 0; i < index.size(); ++i) {
                std::cout << index[i]["name"].get<std::string>() << ": " << index[i]["canonical"].get<std::string>()
                          << "\n    analyser: " << index[i]["analysis"]["summary"].get<std::string>() << '\n';
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "kinora-worldgen: error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
