// libFuzzer target: config.json parsing. The input is the text of a config file; it is parsed once
// with ConfigReader::fromText and then read as every config Kinora has: the UMT5 text encoder's
// (Umt5Config::fromReader), the transformer's (TransformerConfig::fromReader) and the tokenizer's
// keys (as Tokenizer::load reads tokenizer_config.json). Only EngineError may come out.
#include "engine/config_json.h"
#include "engine/error.h"
#include "engine/text_encoder.h"
#include "engine/transformer.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace kinora::engine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto reader = ConfigReader::fromText("fuzz/config.json", text);
        try {
            const auto c = Umt5Config::fromReader(reader);
            if (c.vocab_size < 2 || c.pad_token_id >= c.vocab_size || c.eos_token_id >= c.vocab_size || !(c.eps > 0)) __builtin_trap();
        } catch (const EngineError&) {
        }
        try {
            const auto c = TransformerConfig::fromReader(reader);
            if (c.dim() <= 0 || c.head_dim % 2 != 0 || !(c.eps > 0 && c.eps < 1)) __builtin_trap();
        } catch (const EngineError&) {
        }
        try {
            (void)reader.stringOr("pad_token", "<pad>");
            (void)reader.stringOr("eos_token", "</s>");
            (void)reader.integerOr("model_max_length", 512, 1, int64_t{1} << 62);
            (void)reader.numbers("betas");
            (void)reader.booleans("flags");
            (void)reader.integers("patch_size", 1, 16);
        } catch (const EngineError&) {
        }
    } catch (const EngineError&) {
    }
    return 0;
}
