#include "media/decoder.h"

#include "media/error.h"
#include "media/ffmpeg_raii.h"
#include "media/safe_file.h"

#include <nlohmann/json.hpp>

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
}

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace kinora::media {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kMaxPngFileBytes = uint64_t(512) << 20;

std::string lower(std::string s) {
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

void addTags(std::map<std::string, std::string>& tags, const AVDictionary* dict) {
    const AVDictionaryEntry* e = nullptr;
    while ((e = av_dict_get(dict, "", e, AV_DICT_IGNORE_SUFFIX))) tags.emplace(lower(e->key), e->value);
}

[[noreturn]] void damaged(const std::string& path, const std::string& what) {
    throw MediaError(path + ": " + what + "; the file is truncated or damaged, use a complete copy");
}

struct OpenedInput {
    av::InputPtr fmt;
    int stream = -1;
};

OpenedInput openInput(const std::string& path) {
    av::quietLogs();
    std::error_code ec;
    if (!fs::exists(path, ec)) throw MediaError("cannot read " + path + ": no such file; check the path");
    if (fs::is_directory(path, ec)) throw MediaError("cannot read " + path + ": it is a folder without frame_*.png files");
    AVFormatContext* raw = nullptr;
    // "file:" so that a name with a colon is never taken for another protocol.
    int r = avformat_open_input(&raw, ("file:" + path).c_str(), nullptr, nullptr);
    if (r < 0) {
        if (av::errnoOf(r) != 0 && av::errnoOf(r) != EINVAL) {
            throw MediaError("cannot read " + path + ": " + av::errorText(r) + "; check the file");
        }
        throw MediaError(path + " is not a video file Kinora can read (" + av::errorText(r) +
                         "); use an MP4, WebM, GIF, MOV or MKV file or a folder of PNG frames");
    }
    OpenedInput in;
    in.fmt.reset(raw);
    r = avformat_find_stream_info(raw, nullptr);
    if (r < 0) damaged(path, "its streams cannot be read (" + av::errorText(r) + ")");
    in.stream = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (in.stream < 0) {
        throw MediaError(path + " has no video stream; use an MP4, WebM, GIF, MOV or MKV file or a folder of PNG frames");
    }
    return in;
}

av::CodecContextPtr openDecoder(const std::string& path, const AVStream* st) {
    const AVCodecParameters* par = st->codecpar;
    const AVCodec* codec = avcodec_find_decoder(par->codec_id);
    if (!codec) {
        throw MediaError(path + ": its video codec (" + std::string(avcodec_get_name(par->codec_id)) +
                         ") is not supported; convert it to MP4 (H.264) first");
    }
    av::CodecContextPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) throw std::bad_alloc();
    if (avcodec_parameters_to_context(ctx.get(), par) < 0) damaged(path, "its codec parameters are invalid");
    ctx->pkt_timebase = st->time_base;
    // A damaged frame is an error, not a silently concealed picture: the player promises every
    // frame as it was written.
    ctx->err_recognition |= AV_EF_EXPLODE;
    ctx->thread_count = 0;  // as many as there are cores
    const int r = avcodec_open2(ctx.get(), codec, nullptr);
    if (r < 0) damaged(path, "its decoder cannot start (" + av::errorText(r) + ")");
    return ctx;
}

// Converts decoded pictures of any pixel format to packed RGB24, honouring the YUV matrix and range
// the stream declares (BT.601 when it declares none).
class RgbConverter {
public:
    Frame convert(const AVFrame* f) {
        const auto fmt = static_cast<AVPixelFormat>(f->format);
        Frame out;
        out.width = f->width;
        out.height = f->height;
        out.rgb.resize(size_t(f->width) * size_t(f->height) * 3u);
        if (fmt == AV_PIX_FMT_RGB24) {  // PNG: copied as is, lossless stays lossless
            for (int y = 0; y < f->height; ++y) {
                std::memcpy(out.rgb.data() + size_t(y) * size_t(f->width) * 3u,
                            f->data[0] + size_t(y) * size_t(f->linesize[0]), size_t(f->width) * 3u);
            }
            return out;
        }
        if (!sws_ || f->width != w_ || f->height != h_ || fmt != fmt_ || f->colorspace != cs_ || f->color_range != range_) {
            const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(fmt);
            const bool yuv = d && !(d->flags & AV_PIX_FMT_FLAG_RGB) && !(d->flags & AV_PIX_FMT_FLAG_PAL);
            // Full horizontal chroma interpolation only where there is subsampled chroma to
            // interpolate; for RGB and palette sources it would route the copy through YUV.
            const int flags = SWS_BICUBIC | SWS_ACCURATE_RND | (yuv ? SWS_FULL_CHR_H_INT : 0);
            sws_.reset(sws_getContext(f->width, f->height, fmt, f->width, f->height, AV_PIX_FMT_RGB24, flags, nullptr,
                                      nullptr, nullptr));
            if (!sws_) throw MediaError(std::string("cannot convert pictures of pixel format ") +
                                        (av_get_pix_fmt_name(fmt) ? av_get_pix_fmt_name(fmt) : "?") + " to RGB");
            if (yuv) {
                const int cs = (f->colorspace == AVCOL_SPC_BT709) ? SWS_CS_ITU709 : SWS_CS_DEFAULT;
                const int srcFull = f->color_range == AVCOL_RANGE_JPEG ? 1 : 0;
                sws_setColorspaceDetails(sws_.get(), sws_getCoefficients(cs), srcFull,
                                         sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
            }
            w_ = f->width;
            h_ = f->height;
            fmt_ = fmt;
            cs_ = f->colorspace;
            range_ = f->color_range;
        }
        uint8_t* dst[4] = {out.rgb.data(), nullptr, nullptr, nullptr};
        int dstStride[4] = {f->width * 3, 0, 0, 0};
        sws_scale(sws_.get(), f->data, f->linesize, 0, f->height, dst, dstStride);
        return out;
    }

private:
    av::SwsPtr sws_;
    int w_ = 0, h_ = 0;
    AVPixelFormat fmt_ = AV_PIX_FMT_NONE;
    AVColorSpace cs_ = AVCOL_SPC_UNSPECIFIED;
    AVColorRange range_ = AVCOL_RANGE_UNSPECIFIED;
};

// Checks each decoded picture against the limits and the first one, then keeps it.
class FrameCollector {
public:
    explicit FrameCollector(std::string path) : path_(std::move(path)) {}
    void add(const AVFrame* f, double seconds, DecodedClip& out) {
        if (f->decode_error_flags || (f->flags & AV_FRAME_FLAG_CORRUPT)) {
            damaged(path_, "frame " + std::to_string(out.clip.frames.size()) + " is corrupt");
        }
        if (out.clip.frames.empty()) {
            validateSize(f->width, f->height, 1, path_);
            out.width = f->width;
            out.height = f->height;
        } else if (f->width != out.width || f->height != out.height) {
            throw MediaError(path_ + ": the frame size changes from " + std::to_string(out.width) + "x" +
                             std::to_string(out.height) + " to " + std::to_string(f->width) + "x" +
                             std::to_string(f->height) + " in frame " + std::to_string(out.clip.frames.size()) +
                             "; Kinora reads clips of one frame size only");
        }
        validateSize(out.width, out.height, int64_t(out.clip.frames.size()) + 1, path_);
        out.clip.frames.push_back(rgb_.convert(f));
        out.timestamps.push_back(seconds);
    }

private:
    std::string path_;
    RgbConverter rgb_;
};

std::optional<ProvenanceRecord> sidecarRecord(const std::string& path) {
    const std::string side = sidecarPathFor(path);
    std::error_code ec;
    if (!fs::is_regular_file(side, ec)) return std::nullopt;
    try {
        const auto j = nlohmann::json::parse(readFileBytes(side, 16u << 20), nullptr, false);
        if (j.is_discarded()) return std::nullopt;
        return ProvenanceRecord::fromJson(j);
    } catch (const MediaError&) {
        return std::nullopt;
    }
}

void attachRecord(const std::string& path, DecodedClip& out) {
    const auto it = out.tags.find("comment");
    if (it != out.tags.end()) out.record = ProvenanceRecord::parse(it->second);
    if (out.record) {
        out.record_source = "embedded";
    } else if ((out.record = sidecarRecord(path))) {
        out.record_source = "sidecar";
    }
}

void checkComplete(const std::string& path, const DecodedClip& out, int64_t containerFrames) {
    const auto n = int64_t(out.clip.frames.size());
    if (n == 0) damaged(path, "no frame could be decoded");
    if (containerFrames > n) {
        damaged(path, "only " + std::to_string(n) + " of the " + std::to_string(containerFrames) +
                          " frames its index lists could be decoded");
    }
    // A single frame_NNNN.png carries the record of its whole sequence, so only count for clips.
    if (out.record_source == "embedded" && out.codec != "png" && out.record->frames > n) {
        damaged(path, "only " + std::to_string(n) + " of the " + std::to_string(out.record->frames) +
                          " frames Kinora wrote could be decoded");
    }
}

void decodeInto(const std::string& path, AVCodecContext* ctx, const AVPacket* pkt, AVFrame* frame,
                FrameCollector& frames, DecodedClip& out, AVRational tb, int64_t& firstPts,
                std::map<std::string, std::string>* firstFrameTags) {
    int r = avcodec_send_packet(ctx, pkt);
    if (r < 0 && r != AVERROR_EOF) damaged(path, "a packet cannot be decoded (" + av::errorText(r) + ")");
    for (;;) {
        r = avcodec_receive_frame(ctx, frame);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
        if (r < 0) damaged(path, "frame " + std::to_string(out.clip.frames.size()) + " cannot be decoded (" + av::errorText(r) + ")");
        if (firstFrameTags && out.clip.frames.empty()) addTags(*firstFrameTags, frame->metadata);
        double seconds = 0;
        const int64_t pts = frame->best_effort_timestamp;
        if (pts != AV_NOPTS_VALUE) {
            if (firstPts == AV_NOPTS_VALUE) firstPts = pts;
            seconds = double(pts - firstPts) * av_q2d(tb);
        } else if (out.clip.fps_num > 0) {
            seconds = double(out.clip.frames.size()) * out.clip.fps_den / out.clip.fps_num;
        }
        frames.add(frame, seconds, out);
        av_frame_unref(frame);
    }
}

DecodedClip decodeContainer(const std::string& path) {
    OpenedInput in = openInput(path);
    AVFormatContext* fmt = in.fmt.get();
    const AVStream* st = fmt->streams[in.stream];
    if (st->codecpar->width > 0 && st->codecpar->height > 0) validateSize(st->codecpar->width, st->codecpar->height, 1, path);
    auto ctx = openDecoder(path, st);

    DecodedClip out;
    out.container = fmt->iformat->name;
    out.codec = avcodec_get_name(st->codecpar->codec_id);
    addTags(out.tags, fmt->metadata);
    addTags(out.tags, st->metadata);
    attachRecord(path, out);

    // GIF delays are whole centiseconds (8 fps is written as 13,12,13,... cs), so the container's
    // rate is approximate; Kinora's own record has the exact one.
    // A still image has no frame rate at all: FFmpeg's image reader assumes 25 fps, Kinora does not.
    AVRational rate = st->avg_frame_rate;
    const bool ownRate = out.record_source == "embedded" && out.record->fps_num > 0;
    if ((out.codec == "gif" || out.codec == "png") && ownRate) {
        rate = AVRational{out.record->fps_num, out.record->fps_den};
    } else if (out.codec == "png") {
        rate = AVRational{0, 1};
    } else if (rate.num <= 0 || rate.den <= 0) {
        rate = st->r_frame_rate;
    }
    if (rate.num > 0 && rate.den > 0) {
        out.clip.fps_num = rate.num;
        out.clip.fps_den = rate.den;
    } else {
        out.clip.fps_num = 0;
        out.clip.fps_den = 1;
    }

    FrameCollector frames(path);
    auto pkt = av::allocPacket();
    auto frame = av::allocFrame();
    int64_t firstPts = AV_NOPTS_VALUE;
    std::map<std::string, std::string> frameTags;
    for (;;) {
        const int r = av_read_frame(fmt, pkt.get());
        if (r == AVERROR_EOF) break;
        if (r < 0) damaged(path, "reading stopped at byte " + std::to_string(avio_tell(fmt->pb)) + " (" + av::errorText(r) + ")");
        if (pkt->stream_index == in.stream) {
            decodeInto(path, ctx.get(), pkt.get(), frame.get(), frames, out, st->time_base, firstPts, &frameTags);
        }
        av_packet_unref(pkt.get());
    }
    decodeInto(path, ctx.get(), nullptr, frame.get(), frames, out, st->time_base, firstPts, &frameTags);
    if (out.tags.find("comment") == out.tags.end() && !frameTags.empty()) {
        // A single PNG image: its tEXt chunks are frame metadata.
        out.tags.insert(frameTags.begin(), frameTags.end());
        attachRecord(path, out);
        if (out.codec == "png" && out.record_source == "embedded" && out.record->fps_num > 0) {
            out.clip.fps_num = out.record->fps_num;
            out.clip.fps_den = out.record->fps_den;
        }
    }
    checkComplete(path, out, st->nb_frames);
    return out;
}

DecodedClip decodePngFolder(const std::string& folder) {
    const auto files = listPngFrames(folder);
    if (files.empty()) {
        throw MediaError(folder + " holds no frame_*.png files; choose a video file or a folder of PNG frames");
    }
    DecodedClip out;
    out.container = "png frames";
    out.codec = "png";
    av::quietLogs();
    const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_PNG);
    if (!codec) throw MediaError("FFmpeg has no PNG decoder; install Debian's libavcodec59");
    FrameCollector frames(folder);
    auto pkt = av::allocPacket();
    auto frame = av::allocFrame();
    for (size_t i = 0; i < files.size(); ++i) {
        // A fresh decoder per file: FFmpeg 5.1's PNG decoder keeps state between packets, and one
        // reused across files returned a wrong second picture here.
        av::CodecContextPtr ctx(avcodec_alloc_context3(codec));
        if (!ctx) throw std::bad_alloc();
        ctx->err_recognition |= AV_EF_EXPLODE;
        if (avcodec_open2(ctx.get(), codec, nullptr) < 0) throw MediaError("FFmpeg's PNG decoder cannot start");
        const std::string bytes = readFileBytes(files[i], kMaxPngFileBytes);
        if (bytes.empty()) damaged(files[i], "the file is empty");
        if (av_new_packet(pkt.get(), int(bytes.size())) < 0) throw std::bad_alloc();
        std::copy(bytes.begin(), bytes.end(), pkt->data);
        int r = avcodec_send_packet(ctx.get(), pkt.get());
        av_packet_unref(pkt.get());
        if (r < 0) damaged(files[i], "it is not a valid PNG image (" + av::errorText(r) + ")");
        r = avcodec_receive_frame(ctx.get(), frame.get());
        if (r < 0) damaged(files[i], "it is not a valid PNG image (" + av::errorText(r) + ")");
        if (i == 0) {
            addTags(out.tags, frame->metadata);
            attachRecord(folder, out);
            if (out.record && out.record->fps_num > 0) {
                out.clip.fps_num = out.record->fps_num;
                out.clip.fps_den = out.record->fps_den;
            } else {
                out.clip.fps_num = 0;  // a bare folder of images does not say its frame rate
                out.clip.fps_den = 1;
            }
        }
        const double seconds = out.clip.fps_num > 0 ? double(i) * out.clip.fps_den / out.clip.fps_num : 0.0;
        frames.add(frame.get(), seconds, out);
        av_frame_unref(frame.get());
    }
    if (!out.fpsKnown()) out.timestamps.clear();  // no time axis without a frame rate
    checkComplete(folder, out, 0);
    return out;
}

}  // namespace

long frameNumberOf(const std::string& name) {
    static const std::string prefix = "frame_", suffix = ".png";
    if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return -1;
    }
    const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
    return std::stol(digits);
}

std::vector<std::string> listPngFrames(const std::string& folder) {
    std::vector<std::pair<long, std::string>> found;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const long n = frameNumberOf(it->path().filename().string());
        if (n < 0 || !it->is_regular_file(ec)) continue;
        found.emplace_back(n, it->path().string());
        if (found.size() > size_t(kMaxFrames)) {
            throw MediaError(folder + " holds more than " + std::to_string(kMaxFrames) + " frames; split it");
        }
    }
    if (ec) throw MediaError("cannot read folder " + folder + ": " + ec.message() + "; check the path");
    std::sort(found.begin(), found.end());
    std::vector<std::string> files;
    for (size_t i = 0; i < found.size(); ++i) {
        if (found[i].first != long(i)) {
            char name[32];
            std::snprintf(name, sizeof name, "frame_%04zu.png", i);
            throw MediaError(folder + ": " + name + " is missing (or numbered twice); the frames must run from frame_0000.png without gaps");
        }
        files.push_back(found[i].second);
    }
    return files;
}

std::map<std::string, std::string> readTags(const std::string& path) {
    OpenedInput in = openInput(path);
    std::map<std::string, std::string> tags;
    addTags(tags, in.fmt->metadata);
    const AVStream* st = in.fmt->streams[in.stream];
    addTags(tags, st->metadata);
    if (st->codecpar->codec_id == AV_CODEC_ID_PNG) {
        // PNG tEXt chunks reach FFmpeg as metadata of the decoded picture.
        auto ctx = openDecoder(path, st);
        auto pkt = av::allocPacket();
        auto frame = av::allocFrame();
        // The first picture is enough; flushing right after it also works with frame threads.
        while (av_read_frame(in.fmt.get(), pkt.get()) >= 0) {
            const bool ours = pkt->stream_index == in.stream;
            const int r = ours ? avcodec_send_packet(ctx.get(), pkt.get()) : 0;
            av_packet_unref(pkt.get());
            if (r < 0) damaged(path, "it is not a valid PNG image (" + av::errorText(r) + ")");
            if (ours) break;
        }
        avcodec_send_packet(ctx.get(), nullptr);
        if (avcodec_receive_frame(ctx.get(), frame.get()) == 0) addTags(tags, frame->metadata);
    }
    return tags;
}

DecodedClip decodeFile(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) return decodePngFolder(path);
    return decodeContainer(path);
}

}  // namespace kinora::media
