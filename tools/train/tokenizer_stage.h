// Stage 0: a SentencePiece tokenizer for the world's captions (English and Chinese), trained with
// Debian's spm_train (a separate process, deterministic: fixed seed, one thread).
#pragma once

#include <string>

namespace kinora::train {

struct TokenizerStageOptions {
    std::string dir;          // writes <dir>/spiece.model, tokenizer_config.json, special_tokens_map.json
    int vocab_size = 1000;
    int corpus_size = 60000;  // captions sampled from the world's caption grammar
    int max_length = 64;      // model_max_length: the pipeline pads prompts to this many tokens
    uint64_t seed = 3;
};

// Does nothing when <dir>/spiece.model exists. Throws on failure with spm_train's reason.
void runTokenizerStage(const TokenizerStageOptions& options);

}  // namespace kinora::train
