#include "media/encoder.h"

#include "media/decoder.h"
#include "media/encode_internal.h"
#include "media/error.h"
#include "media/ffmpeg_raii.h"
#include "media/safe_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>

namespace kinora::media {
namespace fs = std::filesystem;
using nlohmann::json;

namespace detail {

void throwAvError(const std::string& reportAs, int err, const char* during) {
    if (const int e = av::errnoOf(err); e != 0 && e != EINVAL && e != ENOMEM) throwWriteError(reportAs, e);
    throw MediaError("cannot write " + reportAs + ": FFmpeg failed while " + during + " (" + av::errorText(err) +
                     "); try another format or report this with the file's size and frame rate");
}

void copyRgbRows(const Frame& f, AVFrame* dst) {
    for (int y = 0; y < f.height; ++y) {
        std::memcpy(dst->data[0] + size_t(y) * size_t(dst->linesize[0]), f.rgb.data() + size_t(y) * size_t(f.width) * 3u,
                    size_t(f.width) * 3u);
    }
}

Clip padToEven(const Clip& clip) {
    Clip out;
    out.fps_num = clip.fps_num;
    out.fps_den = clip.fps_den;
    for (const Frame& f : clip.frames) {
        Frame p;
        p.width = f.width + (f.width & 1);
        p.height = f.height + (f.height & 1);
        p.rgb.resize(size_t(p.width) * size_t(p.height) * 3u);
        for (int y = 0; y < p.height; ++y) {
            const uint8_t* src = f.rgb.data() + size_t(std::min(y, f.height - 1)) * size_t(f.width) * 3u;
            uint8_t* dst = p.rgb.data() + size_t(y) * size_t(p.width) * 3u;
            std::memcpy(dst, src, size_t(f.width) * 3u);
            if (p.width > f.width) std::memcpy(dst + size_t(f.width) * 3u, src + size_t(f.width - 1) * 3u, 3);
        }
        out.frames.push_back(std::move(p));
    }
    return out;
}

void encodeVideoFile(const Clip& clip, Format format, const std::string& tempPath, const std::string& reportAs,
                     const ProvenanceRecord& record, const EncodeOptions& options) {
    const bool mp4 = format == Format::Mp4;
    const char* encoderName = mp4 ? "libx264" : "libvpx-vp9";
    const int w = clip.frames.front().width;
    const int h = clip.frames.front().height;
    const std::string url = "file:" + tempPath;  // never taken for another protocol

    const AVCodec* codec = avcodec_find_encoder_by_name(encoderName);
    if (!codec) {
        throw MediaError("cannot write " + reportAs + ": FFmpeg has no " + encoderName +
                         " encoder; install Debian's libavcodec59 (kinora doctor lists the encoders)");
    }
    AVFormatContext* raw = nullptr;
    int r = avformat_alloc_output_context2(&raw, nullptr, mp4 ? "mp4" : "webm", url.c_str());
    if (r < 0 || !raw) throwAvError(reportAs, r < 0 ? r : AVERROR(ENOMEM), "setting up the container");
    av::OutputPtr oc(raw);
    AVStream* st = avformat_new_stream(oc.get(), nullptr);
    if (!st) throw std::bad_alloc();

    av::CodecContextPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) throw std::bad_alloc();
    ctx->width = w;
    ctx->height = h;
    ctx->pix_fmt = AV_PIX_FMT_YUV420P;
    // Time base 1/fps: each frame lasts exactly one tick, so 8 fps is written as 8 fps.
    ctx->time_base = AVRational{clip.fps_den, clip.fps_num};
    ctx->framerate = AVRational{clip.fps_num, clip.fps_den};
    ctx->sample_aspect_ratio = AVRational{1, 1};
    // BT.709, limited range, stated in the stream so every player converts back the same way.
    ctx->color_range = AVCOL_RANGE_MPEG;
    ctx->colorspace = AVCOL_SPC_BT709;
    ctx->color_primaries = AVCOL_PRI_BT709;
    ctx->color_trc = AVCOL_TRC_BT709;
    ctx->thread_count = options.threads;
    if (oc->oformat->flags & AVFMT_GLOBALHEADER) ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    av::Dict codecOpts;
    if (mp4) {
        codecOpts.set("crf", std::to_string(options.h264_crf));
        codecOpts.set("preset", options.h264_preset);
        // x264's macroblock tree (mbtree, on in every preset) reads memory it has not written: the same
        // clip encoded twice could differ, depending on what the heap held (a re-run of a job gave
        // another clip in a third of runs). Measured with glibc's MALLOC_PERTURB_, 5 to 49 frames: with
        // the tree, clips of 32 to 160 pixels differed, 256 did not; without it, none differed
        // (test_media_roundtrip checks). It costs bits, not quality: encoder.h has the figures.
        codecOpts.set("x264-params", "mbtree=0");
    } else {
        ctx->bit_rate = 0;  // constant quality: CRF without a bitrate cap
        codecOpts.set("crf", std::to_string(options.vp9_crf));
        codecOpts.set("deadline", "good");
        codecOpts.set("cpu-used", std::to_string(options.vp9_cpu_used));
        codecOpts.set("row-mt", "1");
    }
    r = avcodec_open2(ctx.get(), codec, codecOpts.ptr());
    if (r < 0) throwAvError(reportAs, r, "starting the video encoder");
    r = avcodec_parameters_from_context(st->codecpar, ctx.get());
    if (r < 0) throwAvError(reportAs, r, "setting up the video stream");
    st->time_base = ctx->time_base;
    st->avg_frame_rate = ctx->framerate;  // WebM writes it as the track's default duration

    std::string description = "AI-generated video made with Kinora";
    if (!record.generator_version.empty()) description += " " + record.generator_version;
    if (!record.model.empty()) description += " using the model " + record.model;
    description += "; the provenance record (JSON) is in the comment tag and in the .kinora.json sidecar";
    av_dict_set(&oc->metadata, "comment", record.toJsonText().c_str(), 0);
    av_dict_set(&oc->metadata, "description", description.c_str(), 0);
    if (!record.created.empty()) av_dict_set(&oc->metadata, "creation_time", record.created.c_str(), 0);

    r = avio_open(&oc->pb, url.c_str(), AVIO_FLAG_WRITE);
    if (r < 0) throwAvError(reportAs, r, "opening the file");
    av::Dict muxOpts;
    if (mp4) muxOpts.set("movflags", "+faststart");  // index first: plays while downloading
    r = avformat_write_header(oc.get(), muxOpts.ptr());
    if (r < 0) throwAvError(reportAs, r, "writing the file header");

    av::SwsPtr sws(sws_getContext(w, h, AV_PIX_FMT_RGB24, w, h, AV_PIX_FMT_YUV420P,
                                  SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP, nullptr, nullptr, nullptr));
    if (!sws) throw MediaError("cannot write " + reportAs + ": no RGB to YUV conversion for " + std::to_string(w) + "x" + std::to_string(h));
    sws_setColorspaceDetails(sws.get(), sws_getCoefficients(SWS_CS_DEFAULT), 1, sws_getCoefficients(SWS_CS_ITU709), 0,
                             0, 1 << 16, 1 << 16);

    auto pkt = av::allocPacket();
    auto drain = [&] {
        for (;;) {
            int rr = avcodec_receive_packet(ctx.get(), pkt.get());
            if (rr == AVERROR(EAGAIN) || rr == AVERROR_EOF) return;
            if (rr < 0) throwAvError(reportAs, rr, "encoding");
            av_packet_rescale_ts(pkt.get(), ctx->time_base, st->time_base);
            pkt->stream_index = st->index;
            rr = av_interleaved_write_frame(oc.get(), pkt.get());
            if (rr < 0) throwAvError(reportAs, rr, "writing a frame");
        }
    };
    auto yuv = av::allocFrame();
    yuv->format = AV_PIX_FMT_YUV420P;
    yuv->width = w;
    yuv->height = h;
    yuv->color_range = ctx->color_range;
    yuv->colorspace = ctx->colorspace;
    yuv->color_primaries = ctx->color_primaries;
    yuv->color_trc = ctx->color_trc;
    r = av_frame_get_buffer(yuv.get(), 0);
    if (r < 0) throw std::bad_alloc();
    // swscale's SIMD input reads run past the end of a tightly packed picture (16-byte loads: 4 bytes
    // beyond a 32x32 frame), so each frame is converted from an FFmpeg-allocated, padded copy rather
    // than from the clip's own buffer.
    auto rgb = av::allocFrame();
    rgb->format = AV_PIX_FMT_RGB24;
    rgb->width = w;
    rgb->height = h;
    r = av_frame_get_buffer(rgb.get(), 0);
    if (r < 0) throw std::bad_alloc();
    for (size_t i = 0; i < clip.frames.size(); ++i) {
        r = av_frame_make_writable(yuv.get());
        if (r < 0) throw std::bad_alloc();
        copyRgbRows(clip.frames[i], rgb.get());
        sws_scale(sws.get(), rgb->data, rgb->linesize, 0, h, yuv->data, yuv->linesize);
        yuv->pts = int64_t(i);
        r = avcodec_send_frame(ctx.get(), yuv.get());
        if (r < 0) throwAvError(reportAs, r, "encoding");
        drain();
    }
    r = avcodec_send_frame(ctx.get(), nullptr);
    if (r < 0) throwAvError(reportAs, r, "finishing the encoding");
    drain();
    r = av_write_trailer(oc.get());
    if (r < 0) throwAvError(reportAs, r, "writing the file index");
    avio_flush(oc->pb);
    if (oc->pb->error < 0) throwAvError(reportAs, oc->pb->error, "writing");
    r = avio_closep(&oc->pb);
    if (r < 0) throwAvError(reportAs, r, "closing the file");
}

}  // namespace detail

Format formatForPath(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec) || (!path.empty() && path.back() == '/')) return Format::PngFrames;
    std::string ext = fs::path(path).extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".mp4") return Format::Mp4;
    if (ext == ".webm") return Format::WebM;
    if (ext == ".gif") return Format::Gif;
    throw MediaError("cannot export to " + path + ": " +
                     (ext.empty() ? std::string("it has no extension") : "unknown extension \"" + ext + "\"") +
                     "; use .mp4, .webm or .gif, or a folder for PNG frames (a new one: end the name with /)");
}

const char* formatName(Format f) {
    switch (f) {
    case Format::Mp4: return "MP4 (H.264)";
    case Format::WebM: return "WebM (VP9)";
    case Format::Gif: return "GIF";
    case Format::PngFrames: return "PNG frames";
    }
    return "?";
}

namespace {

const char* formatKey(Format f) {
    switch (f) {
    case Format::Mp4: return "mp4";
    case Format::WebM: return "webm";
    case Format::Gif: return "gif";
    case Format::PngFrames: return "png";
    }
    return "?";
}

std::string sidecarText(const ProvenanceRecord& record, const std::string& fileName, Format format,
                        const std::string& sha256, const json& files = json()) {
    json j = record.toJson();
    j["file"] = fileName;
    j["format"] = formatKey(format);
    j["sha256"] = sha256;
    if (!files.is_null()) j["files"] = files;
    return j.dump(2) + "\n";
}

std::string frameName(size_t i) {
    char name[32];
    std::snprintf(name, sizeof name, "frame_%04zu.png", i);
    return name;
}

uint64_t fileSize(const std::string& path) {
    std::error_code ec;
    const auto n = fs::file_size(path, ec);
    return ec ? 0 : uint64_t(n);
}

void writeSingleFile(const Clip& clip, const std::string& path, Format format, ExportResult& res,
                     const EncodeOptions& options) {
    SafeFile out(path);
    if (format == Format::Gif) {
        const std::string bytes = detail::encodeGif(clip, path, res.record.toJsonText());
        out.write(bytes.data(), bytes.size());
    } else {
        detail::encodeVideoFile(clip, format, out.tempPath(), path, res.record, options);
    }
    res.sha256 = sha256OfFile(out.tempPath());
    res.bytes = fileSize(out.tempPath());
    // Both files are complete on disk before either is renamed into place.
    SafeFile side(res.sidecar_path);
    const std::string text = sidecarText(res.record, fs::path(path).filename().string(), format, res.sha256);
    side.write(text.data(), text.size());
    out.commit();
    side.commit();
}

// PNG frames: see StagedFolder for how the folder is replaced. Frames of an earlier, longer export
// into the same folder (frame_N.png beyond the new count) are removed afterwards, since they would
// otherwise read back as part of this clip.
void writePngFrames(const Clip& clip, const std::string& path, ExportResult& res) {
    StagedFolder folder(path);
    detail::PngEncoder enc(clip.frames.front().width, clip.frames.front().height, path);
    const std::vector<std::pair<std::string, std::string>> text = {
        {"Comment", res.record.toJsonText()},
        {"Software", "Kinora" + (res.record.generator_version.empty() ? std::string() : " " + res.record.generator_version)},
    };
    Sha256 all;
    json files = json::array();
    for (size_t i = 0; i < clip.frames.size(); ++i) {
        const std::string bytes = enc.encode(clip.frames[i], text);
        all.update(bytes.data(), bytes.size());
        files.push_back({{"name", frameName(i)}, {"sha256", sha256OfBytes(bytes)}});
        res.bytes += bytes.size();
        folder.addFile(frameName(i), bytes);
    }
    res.sha256 = all.hexDigest();
    folder.addFile(kFramesSidecarName, sidecarText(res.record, fs::path(folder.target()).filename().string(),
                                                   Format::PngFrames, res.sha256, files));
    folder.commit();

    std::error_code ec;
    for (fs::directory_iterator it(folder.target(), ec), end; !ec && it != end; it.increment(ec)) {
        const long n = frameNumberOf(it->path().filename().string());
        if (n >= 0 && size_t(n) >= clip.frames.size()) {
            std::error_code rmErr;
            fs::remove(it->path(), rmErr);
        }
    }
}

}  // namespace

ExportResult writeClip(const Clip& clip, const std::string& path, Format format, ProvenanceRecord record,
                       const EncodeOptions& options) {
    validateClip(clip, path);
    av::quietLogs();
    ExportResult res;
    res.path = path;
    res.format = format;
    res.source_width = clip.frames.front().width;
    res.source_height = clip.frames.front().height;
    Clip padded;
    const Clip* toWrite = &clip;
    if (format == Format::Mp4 && (res.source_width % 2 != 0 || res.source_height % 2 != 0)) {
        padded = detail::padToEven(clip);
        toWrite = &padded;
    }
    res.width = toWrite->frames.front().width;
    res.height = toWrite->frames.front().height;
    res.padded = res.width != res.source_width || res.height != res.source_height;
    res.frames = int(clip.frames.size());
    res.fps_num = clip.fps_num;
    res.fps_den = clip.fps_den;

    if (record.generator.empty()) record.generator = "Kinora";
    record.width = res.width;
    record.height = res.height;
    record.frames = res.frames;
    record.fps_num = clip.fps_num;
    record.fps_den = clip.fps_den;
    record.created = isoUtcNow();
    res.record = record;

    if (format == Format::PngFrames) {
        std::string folder = path;
        while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
        res.path = folder;
        res.sidecar_path = (fs::path(folder) / kFramesSidecarName).string();
        writePngFrames(*toWrite, folder, res);
    } else {
        res.sidecar_path = path + ".kinora.json";
        writeSingleFile(*toWrite, path, format, res, options);
    }
    return res;
}

}  // namespace kinora::media
