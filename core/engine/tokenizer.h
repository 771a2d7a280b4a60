// The text side's first stage: the Wan pipeline's prompt cleaning, then SentencePiece ids with the
// T5/UMT5 conventions (truncate to max_length - 1, append EOS, pad, mask over real tokens + EOS).
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

namespace kinora::engine {

class SentencePiece;

// Python's html.unescape: HTML5 named references (longest prefix for those without ';'), decimal and
// hex references with the standard's replacement table. Input and output are UTF-8.
std::string htmlUnescape(const std::string& utf8);

// The Wan pipeline's prompt_clean: unescape HTML twice, collapse runs of (Unicode) whitespace into one
// space, trim both ends. Throws EngineError when `prompt` is not valid UTF-8.
std::string cleanPrompt(const std::string& prompt);

struct TokenBatch {
    at::Tensor input_ids;       // [B, L] int64
    at::Tensor attention_mask;  // [B, L] int64, 1 over the real tokens and EOS
    std::vector<bool> truncated;  // per prompt: tokens were cut to fit max_length
};

class Tokenizer {
public:
    // Loads <folder>/spiece.model and reads tokenizer_config.json (pad/eos tokens, model_max_length).
    static std::shared_ptr<Tokenizer> load(const std::string& folder);
    ~Tokenizer();

    // Cleans each prompt and tokenizes it to exactly `max_length` ids (max_length >= 1; 0 means the
    // tokenizer's model_max_length).
    TokenBatch tokenize(const std::vector<std::string>& prompts, int64_t max_length = 0) const;
    // Raw SentencePiece ids of already-cleaned text (no EOS, no truncation).
    std::vector<int> encode(const std::string& cleaned) const;

    int64_t vocabSize() const;
    int64_t padId() const { return pad_id_; }
    int64_t eosId() const { return eos_id_; }
    int64_t modelMaxLength() const { return model_max_length_; }
    const std::string& folder() const { return folder_; }

private:
    Tokenizer();
    std::unique_ptr<SentencePiece> sp_;
    std::string folder_;
    int64_t pad_id_ = 0;
    int64_t eos_id_ = 1;
    int64_t model_max_length_ = 512;
};

struct Umt5Config;

// For a text encoder and its tokenizer loaded together from the model folder `folder` (its tokenizer/
// and text_encoder/): throws EngineError naming both files when the tokenizer has more pieces than the
// encoder's vocab_size (its ids would index past the embedding table).
void checkTokenizerMatchesEncoder(const Tokenizer& tokenizer, const Umt5Config& encoder, const std::string& folder);

}  // namespace kinora::engine
