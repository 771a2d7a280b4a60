#include "train/tokenizer_stage.h"

#include "engine/error.h"
#include "train/model_spec.h"
#include "worldgen/captions.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace kinora::train {

namespace fs = std::filesystem;

void runTokenizerStage(const TokenizerStageOptions& o) {
    fs::create_directories(o.dir);
    const fs::path model = fs::path(o.dir) / "spiece.model";
    if (fs::exists(model)) return;
    const fs::path corpus = fs::path(o.dir) / "corpus.txt";
    {
        std::ofstream out(corpus);
        for (const auto& line : world::captionCorpus(o.corpus_size, o.seed)) out << line << "\n";
        if (!out) throw engine::EngineError(corpus.string() + ": cannot write the caption corpus");
    }
    // T5 conventions: pad 0, eos 1, unk 2, no bos; NFKC normalisation; every character of the corpus
    // kept (Chinese needs full coverage).
    const std::string prefix = (fs::path(o.dir) / "spiece").string();
    const std::string cmd = "spm_train --input='" + corpus.string() + "' --model_prefix='" + prefix +
                            "' --vocab_size=" + std::to_string(o.vocab_size) +
                            " --model_type=unigram --character_coverage=1.0 --pad_id=0 --eos_id=1 --unk_id=2 --bos_id=-1"
                            " --pad_piece='<pad>' --eos_piece='</s>' --unk_piece='<unk>' --normalization_rule_name=nmt_nfkc"
                            " --num_threads=1 --random_seed=" + std::to_string(o.seed % 4294967295ull) +
                            " --hard_vocab_limit=false --minloglevel=1 > '" + (fs::path(o.dir) / "spm_train.log").string() + "' 2>&1";
    if (std::system(cmd.c_str()) != 0 || !fs::exists(model)) {
        throw engine::EngineError("spm_train failed (see " + (fs::path(o.dir) / "spm_train.log").string() +
                                  "); is the sentencepiece package installed?");
    }
    fs::remove(fs::path(o.dir) / "spiece.vocab");
    writeJson((fs::path(o.dir) / "tokenizer_config.json").string(),
              {{"tokenizer_class", "T5Tokenizer"}, {"model_max_length", o.max_length}, {"pad_token", "<pad>"},
               {"eos_token", "</s>"}, {"unk_token", "<unk>"}, {"extra_ids", 0}, {"legacy", false}});
    writeJson((fs::path(o.dir) / "special_tokens_map.json").string(),
              {{"pad_token", "<pad>"}, {"eos_token", "</s>"}, {"unk_token", "<unk>"}});
}

}  // namespace kinora::train
