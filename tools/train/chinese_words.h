// The tokenizer edit that keeps each Chinese word of the world one piece.
//
// SentencePiece splits on spaces, and Chinese has none: trained on the world's captions, kinora-tiny's
// tokenizer learned whole phrases as single pieces ("一个红色的圆向左移动" is one piece: colour, shape and
// motion fused), 810 of its 1000 pieces. Each such piece's meaning has to be learned on its own from
// the few captions that hold it, the same word is cut differently in different sentences, and a
// held-out combination is cut unlike any seen one; measured on version 4, Chinese prompts trailed
// English by 12 points of colour and 30 of motion (seed 1). English was cut into words as it should.
//
// The edit retires every multi-character piece with Chinese in it (type unused, so SentencePiece no
// longer produces it), and makes each word of world::chineseLexicon a user-defined piece (always cut
// whole), in the ids the retired pieces leave free. Pieces without Chinese keep their ids and scores,
// so English text tokenizes to exactly the same ids as before: an edit mid-training leaves what the
// model learned of English untouched. Editing an edited tokenizer changes nothing.
#pragma once

#include "train/train_state.h"

#include <string>
#include <vector>

namespace kinora::train {

struct ChineseWordsEdit {
    // For each word placed in a retired piece's id: that embedding row, and the ids the tokenizer before
    // the edit cut the word into (the row starts as their mean).
    std::vector<EmbeddingRowInit> rows;
    int pieces_retired = 0;
};

// Writes the edited tokenizer folder `to` (spiece.model, tokenizer_config.json, special_tokens_map.json)
// from the folder `from`. Throws EngineError when `from` has too few retired ids for the new words, or
// when the edited model does not cut a word of `lexicon` whole (a SentencePiece that treats
// user-defined pieces otherwise).
ChineseWordsEdit writeChineseWordsTokenizer(const std::string& from, const std::string& to, const std::vector<std::string>& lexicon);

}  // namespace kinora::train
