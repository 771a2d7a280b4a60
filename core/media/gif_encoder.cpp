// GIF: one palette for the whole clip, generated from its own frames (palettegen, stats over every
// frame, so colours do not flicker between frames), then error-diffusion dithering onto it (paletteuse,
// Sierra-2-4A). Measured on the test suite's smooth moving content (128x128, 17 frames), PSNR of
// raw / 3x3-box-blurred frames: sierra2_4a 28.5 / 37.1 dB, floyd_steinberg 28.9 / 37.0, bayer
// (scale 2) 30.1 / 34.9, no dithering 31.2 / 33.5. Dithering costs per-pixel error but keeps local
// average colour (what the eye sees) best, so error diffusion wins on gradients. Only the rectangle that changed from the previous frame is re-dithered
// (diff_mode=rectangle), so static parts do not crawl with dither noise. 256 colours, no transparent
// entry: Kinora's frames are opaque. The muxer loops forever (NETSCAPE2.0 loop count 0).
#include "media/encode_internal.h"
#include "media/error.h"
#include "media/ffmpeg_raii.h"

extern "C" {
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/opt.h>
}

namespace kinora::media::detail {
namespace {

struct InOutDeleter {
    void operator()(AVFilterInOut* p) const { avfilter_inout_free(&p); }
};
using InOutPtr = std::unique_ptr<AVFilterInOut, InOutDeleter>;

// Frees the in-memory output of the muxer on every path.
struct DynBuf {
    AVIOContext** pb;
    ~DynBuf() {
        if (*pb) {
            uint8_t* buf = nullptr;
            avio_close_dyn_buf(*pb, &buf);
            av_free(buf);
            *pb = nullptr;
        }
    }
};

constexpr const char* kGraph =
    "[in]split[a][b];"
    "[a]palettegen=max_colors=256:reserve_transparent=0:stats_mode=full[pal];"
    "[b][pal]paletteuse=dither=sierra2_4a:diff_mode=rectangle[out]";

}  // namespace

std::string insertGifComment(const std::string& gif, const std::string& text) {
    auto byte = [&](size_t i) { return static_cast<uint8_t>(gif[i]); };
    if (gif.size() < 14 || gif.compare(0, 4, "GIF8") != 0) throw MediaError("the GIF encoder produced no GIF header");
    size_t pos = 13;
    if (byte(10) & 0x80) pos += size_t(3) << ((byte(10) & 0x07) + 1);
    // After the application extensions (the NETSCAPE2.0 loop block), before the first frame: FFmpeg's
    // reader scans the whole file, other readers expect metadata up front, and a truncated file keeps it.
    while (pos + 1 < gif.size() && byte(pos) == 0x21 && byte(pos + 1) == 0xFF) {
        pos += 2;
        while (pos < gif.size()) {
            const size_t n = byte(pos);
            pos += 1 + n;
            if (n == 0) break;
        }
    }
    if (pos >= gif.size()) throw MediaError("the GIF encoder produced a GIF without frames");
    std::string ext = "\x21\xFE";
    for (size_t i = 0; i < text.size(); i += 255) {
        const size_t n = std::min<size_t>(255, text.size() - i);
        ext += char(n);
        ext.append(text, i, n);
    }
    ext += '\0';
    return gif.substr(0, pos) + ext + gif.substr(pos);
}

std::string encodeGif(const Clip& clip, const std::string& reportAs, const std::string& comment) {
    const int w = clip.frames.front().width;
    const int h = clip.frames.front().height;

    // ---- filter graph: rgb24 frames in, pal8 frames out
    av::FilterGraphPtr graph(avfilter_graph_alloc());
    if (!graph) throw std::bad_alloc();
    graph->nb_threads = 1;  // tiny frames; threads would only add start-up cost
    char args[256];
    std::snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=1/1:frame_rate=%d/%d",
                  w, h, int(AV_PIX_FMT_RGB24), clip.fps_den, clip.fps_num, clip.fps_num, clip.fps_den);
    AVFilterContext* src = nullptr;
    AVFilterContext* sink = nullptr;
    int r = avfilter_graph_create_filter(&src, avfilter_get_by_name("buffer"), "in", args, nullptr, graph.get());
    if (r < 0) throwAvError(reportAs, r, "setting up the GIF palette filters");
    r = avfilter_graph_create_filter(&sink, avfilter_get_by_name("buffersink"), "out", nullptr, nullptr, graph.get());
    if (r < 0) throwAvError(reportAs, r, "setting up the GIF palette filters");
    const AVPixelFormat sinkFormats[] = {AV_PIX_FMT_PAL8, AV_PIX_FMT_NONE};
    r = av_opt_set_int_list(sink, "pix_fmts", sinkFormats, AV_PIX_FMT_NONE, AV_OPT_SEARCH_CHILDREN);
    if (r < 0) throwAvError(reportAs, r, "setting up the GIF palette filters");
    InOutPtr outputs(avfilter_inout_alloc());
    InOutPtr inputs(avfilter_inout_alloc());
    if (!outputs || !inputs) throw std::bad_alloc();
    outputs->name = av_strdup("in");
    outputs->filter_ctx = src;
    inputs->name = av_strdup("out");
    inputs->filter_ctx = sink;
    AVFilterInOut* in = inputs.release();
    AVFilterInOut* out = outputs.release();
    r = avfilter_graph_parse_ptr(graph.get(), kGraph, &in, &out, nullptr);
    inputs.reset(in);
    outputs.reset(out);
    if (r < 0) throwAvError(reportAs, r, "setting up the GIF palette filters");
    r = avfilter_graph_config(graph.get(), nullptr);
    if (r < 0) throwAvError(reportAs, r, "setting up the GIF palette filters");

    // ---- encoder and muxer (into memory: the comment is added before the file is written)
    const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_GIF);
    if (!codec) throw MediaError("cannot write " + reportAs + ": FFmpeg has no GIF encoder; install Debian's libavcodec59");
    av::CodecContextPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) throw std::bad_alloc();
    ctx->width = w;
    ctx->height = h;
    ctx->pix_fmt = AV_PIX_FMT_PAL8;
    ctx->time_base = AVRational{clip.fps_den, clip.fps_num};
    ctx->framerate = AVRational{clip.fps_num, clip.fps_den};
    r = avcodec_open2(ctx.get(), codec, nullptr);
    if (r < 0) throwAvError(reportAs, r, "starting the GIF encoder");

    AVFormatContext* raw = nullptr;
    r = avformat_alloc_output_context2(&raw, nullptr, "gif", nullptr);
    if (r < 0 || !raw) throwAvError(reportAs, r < 0 ? r : AVERROR(ENOMEM), "setting up the GIF container");
    av::OutputPtr oc(raw);
    oc->flags |= AVFMT_FLAG_CUSTOM_IO;
    AVStream* st = avformat_new_stream(oc.get(), nullptr);
    if (!st) throw std::bad_alloc();
    r = avcodec_parameters_from_context(st->codecpar, ctx.get());
    if (r < 0) throwAvError(reportAs, r, "setting up the GIF stream");
    st->time_base = ctx->time_base;
    r = avio_open_dyn_buf(&oc->pb);
    if (r < 0) throw std::bad_alloc();
    DynBuf dyn{&oc->pb};
    av::Dict muxOpts;
    muxOpts.set("loop", "0");  // forever
    r = avformat_write_header(oc.get(), muxOpts.ptr());
    if (r < 0) throwAvError(reportAs, r, "writing the GIF header");

    auto pkt = av::allocPacket();
    auto drainEncoder = [&] {
        for (;;) {
            int rr = avcodec_receive_packet(ctx.get(), pkt.get());
            if (rr == AVERROR(EAGAIN) || rr == AVERROR_EOF) return;
            if (rr < 0) throwAvError(reportAs, rr, "encoding the GIF");
            if (pkt->duration <= 0) pkt->duration = 1;
            // GIF delays are centiseconds (stream time base 1/100): 1/8 s becomes 13,12,13,12 cs,
            // exact on average; no GIF can say 12.5.
            av_packet_rescale_ts(pkt.get(), ctx->time_base, st->time_base);
            pkt->stream_index = st->index;
            rr = av_write_frame(oc.get(), pkt.get());
            av_packet_unref(pkt.get());
            if (rr < 0) throwAvError(reportAs, rr, "writing the GIF");
        }
    };
    const AVRational sinkTb = av_buffersink_get_time_base(sink);
    auto filtered = av::allocFrame();
    auto drainGraph = [&] {
        for (;;) {
            int rr = av_buffersink_get_frame(sink, filtered.get());
            if (rr == AVERROR(EAGAIN) || rr == AVERROR_EOF) return;
            if (rr < 0) throwAvError(reportAs, rr, "building the GIF palette");
            filtered->pts = av_rescale_q(filtered->pts, sinkTb, ctx->time_base);
            filtered->pict_type = AV_PICTURE_TYPE_NONE;
            rr = avcodec_send_frame(ctx.get(), filtered.get());
            av_frame_unref(filtered.get());
            if (rr < 0) throwAvError(reportAs, rr, "encoding the GIF");
            drainEncoder();
        }
    };
    for (size_t i = 0; i < clip.frames.size(); ++i) {
        auto f = av::allocFrame();
        f->format = AV_PIX_FMT_RGB24;
        f->width = w;
        f->height = h;
        if (av_frame_get_buffer(f.get(), 0) < 0) throw std::bad_alloc();
        copyRgbRows(clip.frames[i], f.get());
        f->pts = int64_t(i);
        r = av_buffersrc_add_frame_flags(src, f.get(), 0);
        if (r < 0) throwAvError(reportAs, r, "building the GIF palette");
        drainGraph();  // nothing comes out before the palette exists, i.e. before the last frame
    }
    r = av_buffersrc_add_frame_flags(src, nullptr, 0);
    if (r < 0) throwAvError(reportAs, r, "building the GIF palette");
    drainGraph();
    r = avcodec_send_frame(ctx.get(), nullptr);
    if (r < 0) throwAvError(reportAs, r, "encoding the GIF");
    drainEncoder();
    r = av_write_trailer(oc.get());
    if (r < 0) throwAvError(reportAs, r, "finishing the GIF");

    uint8_t* buf = nullptr;
    const int size = avio_close_dyn_buf(oc->pb, &buf);
    oc->pb = nullptr;
    std::string bytes(reinterpret_cast<const char*>(buf), size_t(size > 0 ? size : 0));
    av_free(buf);
    return insertGifComment(bytes, comment);
}

}  // namespace kinora::media::detail
