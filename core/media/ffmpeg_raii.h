// Internal to core/media: owning wrappers for FFmpeg objects, so every path (errors included) frees
// what it allocated, and the helpers that turn FFmpeg error codes into sentences.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libswscale/swscale.h>
}

#include <cstdlib>
#include <memory>
#include <new>
#include <string>

namespace kinora::media::av {

struct CodecContextDeleter {
    void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameDeleter {
    void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketDeleter {
    void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct FilterGraphDeleter {
    void operator()(AVFilterGraph* g) const { avfilter_graph_free(&g); }
};
struct SwsDeleter {
    void operator()(SwsContext* s) const { sws_freeContext(s); }
};
// A demuxer context opened with avformat_open_input.
struct InputDeleter {
    void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
// A muxer context; closes its AVIOContext too when the muxer owns one (not AVFMT_NOFILE).
struct OutputDeleter {
    void operator()(AVFormatContext* f) const {
        if (f->pb && !(f->oformat->flags & AVFMT_NOFILE) && !(f->flags & AVFMT_FLAG_CUSTOM_IO)) avio_closep(&f->pb);
        avformat_free_context(f);
    }
};

using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using FilterGraphPtr = std::unique_ptr<AVFilterGraph, FilterGraphDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;
using InputPtr = std::unique_ptr<AVFormatContext, InputDeleter>;
using OutputPtr = std::unique_ptr<AVFormatContext, OutputDeleter>;

// Owns an AVDictionary (options, metadata).
class Dict {
public:
    Dict() = default;
    Dict(const Dict&) = delete;
    Dict& operator=(const Dict&) = delete;
    ~Dict() { av_dict_free(&d_); }
    void set(const char* key, const std::string& value) { av_dict_set(&d_, key, value.c_str(), 0); }
    AVDictionary** ptr() { return &d_; }
    AVDictionary* get() const { return d_; }

private:
    AVDictionary* d_ = nullptr;
};

inline std::string errorText(int err) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(err, buf, sizeof buf);
    return buf;
}

// FFmpeg reports system errors as AVERROR(errno); returns that errno, or 0 for FFmpeg's own codes.
inline int errnoOf(int err) {
    return (err < 0 && err > -4096) ? -err : 0;
}

// FFmpeg logs encoder statistics and its own error lines to stderr; Kinora turns every failure into
// one MediaError sentence (the command line promises a single error line), so FFmpeg stays quiet.
// KINORA_FFMPEG_LOG=1 keeps FFmpeg's own output for debugging. Set once, on first use.
inline void quietLogs() {
    static const bool once = [] {
        const char* keep = std::getenv("KINORA_FFMPEG_LOG");
        if (!keep || !*keep || std::string(keep) == "0") av_log_set_level(AV_LOG_QUIET);
        return true;
    }();
    (void)once;
}

inline FramePtr allocFrame() {
    AVFrame* f = av_frame_alloc();
    if (!f) throw std::bad_alloc();
    return FramePtr(f);
}
inline PacketPtr allocPacket() {
    AVPacket* p = av_packet_alloc();
    if (!p) throw std::bad_alloc();
    return PacketPtr(p);
}

}  // namespace kinora::media::av
