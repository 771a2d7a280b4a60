// Internal to core/media: the per-format encoders that writeClip (encoder.cpp) puts together.
#pragma once

#include "media/encoder.h"

#include <string>
#include <utility>
#include <vector>

struct AVFrame;

namespace kinora::media::detail {

// Throws the MediaError for an FFmpeg error while writing `reportAs`: a system error (disk full, file
// too large, permission) in the words of safe_file.h, otherwise the encoder step that failed.
[[noreturn]] void throwAvError(const std::string& reportAs, int err, const char* during);

// MP4 (libx264) or WebM (libvpx-vp9) into `tempPath` through libavformat, with the record in the
// container's comment tag and a sentence in its description tag.
void encodeVideoFile(const Clip& clip, Format format, const std::string& tempPath, const std::string& reportAs,
                     const ProvenanceRecord& record, const EncodeOptions& options);

// The whole GIF in memory: palette from the clip (palettegen), dithered (paletteuse), looping forever,
// with `comment` in a GIF comment extension.
std::string encodeGif(const Clip& clip, const std::string& reportAs, const std::string& comment);

// One PNG per frame through FFmpeg's PNG encoder, with tEXt chunks added after IHDR.
class PngEncoder {
public:
    PngEncoder(int width, int height, const std::string& reportAs);
    ~PngEncoder();
    PngEncoder(const PngEncoder&) = delete;
    PngEncoder& operator=(const PngEncoder&) = delete;
    std::string encode(const Frame& frame, const std::vector<std::pair<std::string, std::string>>& text);

private:
    struct Impl;
    Impl* impl_;
};

// Adds a tEXt chunk (keyword, Latin-1 text) right after the IHDR chunk of a PNG file.
std::string insertPngText(const std::string& png, const std::string& keyword, const std::string& text);
// Adds a GIF comment extension after the header, global palette and application extensions.
std::string insertGifComment(const std::string& gif, const std::string& text);

// Copies the packed RGB rows of `f` into `dst`, an RGB24 frame of the same size allocated by FFmpeg,
// whose rows are padded to its linesize: FFmpeg's SIMD code reads (and writes) past the end of a row,
// which is safe in its own buffers and not in a clip's tightly packed ones.
void copyRgbRows(const Frame& f, AVFrame* dst);

// H.264 in 4:2:0 needs even sizes: repeats the last column/row (less visible than a black bar when
// a player ignores nothing, since there is no crop to ignore).
Clip padToEven(const Clip& clip);

}  // namespace kinora::media::detail
