// PNG frames through FFmpeg's PNG encoder (lossless RGB24), each file complete on its own, with the
// provenance record in a tEXt chunk. FFmpeg 5.1's encoder does not write frame metadata as text, so
// the chunk is inserted here, right after IHDR as the PNG specification allows for tEXt.
#include "media/encode_internal.h"
#include "media/error.h"
#include "media/ffmpeg_raii.h"

extern "C" {
#include <libavutil/crc.h>
}

namespace kinora::media::detail {

struct PngEncoder::Impl {
    av::CodecContextPtr ctx;
    av::FramePtr frame;
    av::PacketPtr pkt;
    std::string reportAs;
};

PngEncoder::PngEncoder(int width, int height, const std::string& reportAs) : impl_(new Impl) {
    std::unique_ptr<Impl> guard(impl_);
    impl_->reportAs = reportAs;
    const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
    if (!codec) throw MediaError("cannot write " + reportAs + ": FFmpeg has no PNG encoder; install Debian's libavcodec59");
    impl_->ctx.reset(avcodec_alloc_context3(codec));
    if (!impl_->ctx) throw std::bad_alloc();
    impl_->ctx->width = width;
    impl_->ctx->height = height;
    impl_->ctx->pix_fmt = AV_PIX_FMT_RGB24;
    impl_->ctx->time_base = AVRational{1, 1};  // required by the API, meaningless for stills
    // FFmpeg's default is no row filter, which leaves smooth gradients nearly uncompressed (41 KB
    // for a 128x128 frame of the benchmark content); "mixed" picks the best filter per row as libpng
    // does.
    av::Dict opts;
    opts.set("pred", "mixed");
    const int r = avcodec_open2(impl_->ctx.get(), codec, opts.ptr());
    if (r < 0) throwAvError(reportAs, r, "starting the PNG encoder");
    impl_->frame = av::allocFrame();
    impl_->frame->format = AV_PIX_FMT_RGB24;
    impl_->frame->width = width;
    impl_->frame->height = height;
    if (av_frame_get_buffer(impl_->frame.get(), 0) < 0) throw std::bad_alloc();
    impl_->pkt = av::allocPacket();
    guard.release();
}

PngEncoder::~PngEncoder() { delete impl_; }

std::string PngEncoder::encode(const Frame& f, const std::vector<std::pair<std::string, std::string>>& text) {
    AVFrame* frame = impl_->frame.get();
    if (av_frame_make_writable(frame) < 0) throw std::bad_alloc();
    copyRgbRows(f, frame);
    int r = avcodec_send_frame(impl_->ctx.get(), frame);
    if (r < 0) throwAvError(impl_->reportAs, r, "encoding a PNG frame");
    r = avcodec_receive_packet(impl_->ctx.get(), impl_->pkt.get());
    if (r < 0) throwAvError(impl_->reportAs, r, "encoding a PNG frame");
    std::string png(reinterpret_cast<const char*>(impl_->pkt->data), size_t(impl_->pkt->size));
    av_packet_unref(impl_->pkt.get());
    // Inserted in reverse so that they appear in the given order after IHDR.
    for (auto it = text.rbegin(); it != text.rend(); ++it) png = insertPngText(png, it->first, it->second);
    return png;
}

std::string insertPngText(const std::string& png, const std::string& keyword, const std::string& text) {
    static const char kSignature[] = "\x89PNG\r\n\x1a\n";
    constexpr size_t kAfterIhdr = 8 + 4 + 4 + 13 + 4;  // signature, IHDR length, type, data, CRC
    if (png.size() < kAfterIhdr || png.compare(0, 8, kSignature, 8) != 0 || png.compare(12, 4, "IHDR") != 0) {
        throw MediaError("the PNG encoder produced no PNG header");
    }
    if (keyword.empty() || keyword.size() > 79) throw MediaError("PNG text keyword must be 1 to 79 characters");
    std::string body = "tEXt" + keyword;
    body += '\0';
    body += text;
    auto be32 = [](uint32_t v) {
        std::string s(4, '\0');
        s[0] = char(v >> 24);
        s[1] = char(v >> 16);
        s[2] = char(v >> 8);
        s[3] = char(v);
        return s;
    };
    // The PNG CRC is CRC-32 (IEEE, reflected) over type and data, as FFmpeg's own PNG writer computes it.
    const uint32_t crc = ~av_crc(av_crc_get_table(AV_CRC_32_IEEE_LE), ~0u,
                                 reinterpret_cast<const uint8_t*>(body.data()), body.size());
    const std::string chunk = be32(uint32_t(body.size() - 4)) + body + be32(crc);
    return png.substr(0, kAfterIhdr) + chunk + png.substr(kAfterIhdr);
}

}  // namespace kinora::media::detail
