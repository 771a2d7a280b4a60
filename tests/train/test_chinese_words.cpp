// The trainer's tokenizer edit that keeps each Chinese word one piece (train/chinese_words.h), on the
// bundled model's tokenizer of versions 1-4: English tokenizes to the very same ids, Chinese into the world's words;
// the edit is idempotent and refuses what it cannot do; and the embedding rows it asks for start again
// in the weights, their EMA and the optimiser's moments, and nowhere else.
#include "engine/error.h"
#include "engine/spm_bridge.h"
#include "engine/text_encoder.h"
#include "engine/tokenizer.h"
#include "train/chinese_words.h"
#include "train/model_spec.h"
#include "train/spm_model_file.h"
#include "train/train_state.h"
#include "worldgen/captions.h"

#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>

using namespace kinora;
namespace fs = std::filesystem;

namespace {

// kinora-tiny's tokenizer before the edit (versions 1-4: tests/data/README.md).
const std::string kBundledTokenizer = std::string(KINORA_TEST_DATA_DIR) + "/kinora-tiny-v4-tokenizer";

std::string bytesOf(const fs::path& f) {
    std::ifstream in(f, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

world::SceneSpec oneObject(world::Color c, world::Shape s, world::Motion m, world::Background b) {
    world::SceneSpec sc;
    sc.background = b;
    world::ObjectSpec o;
    o.color = c;
    o.shape = s;
    o.motion = m;
    sc.objects.push_back(o);
    return sc;
}

}  // namespace

class TestChineseWords : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string edited_;
    train::ChineseWordsEdit edit_;

private slots:
    void initTestCase() {
        edited_ = (dir_.path() + "/edited").toStdString();
        edit_ = train::writeChineseWordsTokenizer(kBundledTokenizer, edited_, world::chineseLexicon());
        qInfo("%d pieces retired, %zu words placed", edit_.pieces_retired, edit_.rows.size());
    }

    void englishKeepsItsIds() {
        const auto before = engine::Tokenizer::load(kBundledTokenizer);
        const auto after = engine::Tokenizer::load(edited_);
        QCOMPARE(after->vocabSize(), before->vocabSize());
        for (int i = 0; i < 2000; ++i) {
            world::SamplingOptions opt;
            opt.held_out = world::HeldOutMode::Any;
            const auto cap = world::randomCaption(world::sampleScene(world::clipSeed(7, uint64_t(i)), opt), world::clipSeed(8, uint64_t(i)), 0.0);
            const auto clean = engine::cleanPrompt(cap);
            QVERIFY2(after->encode(clean) == before->encode(clean), cap.c_str());
        }
    }

    void chineseIsCutIntoTheWorldsWords() {
        const auto lexicon = world::chineseLexicon();
        engine::SentencePiece sp(edited_ + "/spiece.model");
        engine::SentencePiece old(kBundledTokenizer + "/spiece.model");
        size_t oldPieces = 0, newPieces = 0;
        for (int i = 0; i < 2000; ++i) {
            world::SamplingOptions opt;
            opt.held_out = world::HeldOutMode::Any;
            const auto cap = world::randomCaption(world::sampleScene(world::clipSeed(9, uint64_t(i)), opt), world::clipSeed(10, uint64_t(i)), 1.0);
            const auto ids = sp.encode(engine::cleanPrompt(cap));
            for (const int id : ids) {
                const auto piece = sp.idToPiece(id);
                const bool word = std::binary_search(lexicon.begin(), lexicon.end(), piece);
                QVERIFY2(word || piece == "\xE2\x96\x81" || piece == ",", qPrintable(QString::fromStdString(cap + " -> " + piece)));
            }
            newPieces += ids.size();
            oldPieces += old.encode(engine::cleanPrompt(cap)).size();
        }
        qInfo("2000 Chinese captions: %zu pieces before the edit, %zu after", oldPieces, newPieces);
        // A held-out combination is cut like a seen one: the same pieces but the colour's.
        using namespace world;
        const auto seen = sp.encode(canonicalCaptionZh(oneObject(Color::Red, Shape::Triangle, Motion::MovingLeft, Background::Black)));
        const auto held = sp.encode(canonicalCaptionZh(oneObject(Color::Purple, Shape::Triangle, Motion::MovingLeft, Background::Black)));
        QCOMPARE(held.size(), seen.size());
        int differ = 0;
        for (size_t k = 0; k < seen.size(); ++k) differ += seen[k] != held[k];
        QCOMPARE(differ, 1);
        // Before the edit, the example was two pieces: the place, then object and motion fused.
        QCOMPARE(old.encode(canonicalCaptionZh(oneObject(Color::Red, Shape::Circle, Motion::MovingLeft, Background::Black))).size(), size_t(2));
    }

    void rowsStartFromTheOldCutOfTheWord() {
        engine::SentencePiece sp(edited_ + "/spiece.model");
        QVERIFY(!edit_.rows.empty());
        for (const auto& r : edit_.rows) {
            QVERIFY(r.row >= 0 && r.row < sp.pieceSize());
            QVERIFY(!r.from.empty());
            for (const int64_t f : r.from) QVERIFY(f >= 0 && f < sp.pieceSize());
        }
        // Each placed word is now the piece at its row.
        const auto lexicon = world::chineseLexicon();
        for (const auto& r : edit_.rows) {
            QVERIFY(std::binary_search(lexicon.begin(), lexicon.end(), sp.idToPiece(static_cast<int>(r.row))));
        }
    }

    void editingAgainChangesNothing() {
        const std::string twice = (dir_.path() + "/twice").toStdString();
        const auto again = train::writeChineseWordsTokenizer(edited_, twice, world::chineseLexicon());
        QVERIFY(again.rows.empty());
        QCOMPARE(again.pieces_retired, 0);
        QVERIFY(bytesOf(fs::path(twice) / "spiece.model") == bytesOf(fs::path(edited_) / "spiece.model"));
        QVERIFY(fs::exists(fs::path(twice) / "tokenizer_config.json"));
    }

    void refusesWhatItCannotDo() {
        // More new words than retired pieces to hold them.
        std::vector<std::string> many = world::chineseLexicon();
        for (uint32_t cp = 0x4E00; many.size() < 1200; ++cp) {
            std::string w;
            for (const uint32_t c : {cp, cp + 1}) {
                w += char(0xE0 | (c >> 12));
                w += char(0x80 | ((c >> 6) & 0x3F));
                w += char(0x80 | (c & 0x3F));
            }
            many.push_back(w);
        }
        std::sort(many.begin(), many.end());
        many.erase(std::unique(many.begin(), many.end()), many.end());
        try {
            train::writeChineseWordsTokenizer(kBundledTokenizer, (dir_.path() + "/too-many").toStdString(), many);
            QFAIL("more words than room was accepted");
        } catch (const engine::EngineError& e) {
            QVERIFY2(std::string(e.what()).find("train the tokenizer with a larger vocabulary") != std::string::npos, e.what());
        }
        // A file that is not a SentencePiece model.
        const fs::path bad = fs::path(dir_.path().toStdString()) / "bad";
        fs::create_directories(bad);
        std::ofstream(bad / "spiece.model") << "not a model at all";
        try {
            train::writeChineseWordsTokenizer(bad.string(), (dir_.path() + "/bad-out").toStdString(), world::chineseLexicon());
            QFAIL("a text file was read as a model");
        } catch (const engine::EngineError& e) {
            QVERIFY2(std::string(e.what()).find("not a SentencePiece model") != std::string::npos, e.what());
        }
    }

    void modelFileRoundTrips() {
        const auto m = train::readSpmModel(kBundledTokenizer + "/spiece.model");
        QCOMPARE(m.pieces.size(), size_t(engine::SentencePiece(kBundledTokenizer + "/spiece.model").pieceSize()));
        QCOMPARE(m.pieces[0].type, train::SpmPieceType::Control);  // <pad>
        const std::string out = (dir_.path() + "/roundtrip.model").toStdString();
        train::writeSpmModel(out, m);
        const auto back = train::readSpmModel(out);
        QCOMPARE(back.pieces.size(), m.pieces.size());
        for (size_t i = 0; i < m.pieces.size(); ++i) {
            QCOMPARE(back.pieces[i].piece, m.pieces[i].piece);
            QCOMPARE(back.pieces[i].score, m.pieces[i].score);
            QCOMPARE(back.pieces[i].type, m.pieces[i].type);
        }
        QVERIFY(back.other_fields == m.other_fields);
        engine::SentencePiece a(kBundledTokenizer + "/spiece.model"), b(out);
        for (const char* t : {"a red circle moving left on a black background", "黑色背景上一个红色的圆向左移动"}) QVERIFY(a.encode(t) == b.encode(t));
    }

    void rowsStartAgainInWeightsEmaAndMoments() {
        train::ModelSpec spec;
        spec.text.vocab_size = 16;
        spec.text.d_model = 8;
        spec.text.d_kv = 4;
        spec.text.d_ff = 16;
        spec.text.num_layers = 1;
        spec.text.num_heads = 2;
        spec.text.num_buckets = 8;
        auto text = std::make_shared<engine::Umt5Encoder>(spec.text);
        train::initTextEncoder(*text, 1);
        const train::ModuleSet modules{{"text_encoder", text}};
        auto params = train::parametersOf(modules);
        for (auto& p : params) p.set_requires_grad(true);
        torch::optim::AdamW opt(params, torch::optim::AdamWOptions(1e-2));
        train::Ema ema(modules, 0.9);
        // Two steps so that weights, EMA and moments all differ from one another.
        for (int s = 0; s < 2; ++s) {
            const auto ids = at::arange(16, at::kLong).view({2, 8});
            const auto out = text->forward(ids, at::ones({2, 8}, at::kLong));
            opt.zero_grad();
            out.pow(2).mean().backward();
            opt.step();
            ema.update(modules);
        }
        at::Tensor table;
        size_t index = 0;
        for (const auto& p : text->named_parameters()) {
            if (p.key() == "shared.weight") table = p.value();
            if (!table.defined()) ++index;
        }
        QVERIFY(table.defined());
        const auto w0 = table.detach().clone(), e0 = ema.shadow(index).clone();
        auto& adam = static_cast<torch::optim::AdamWParamState&>(*opt.state().at(c10::guts::to_string(table.unsafeGetTensorImpl())));
        const auto m0 = adam.exp_avg().clone();
        QVERIFY(m0[5].abs().sum().item<double>() > 0);
        train::reinitEmbeddingRows(modules, ema, opt, "text_encoder.shared.weight", {{5, {1, 2}}, {7, {}}});
        QVERIFY(at::allclose(table[5], (w0[1] + w0[2]) / 2));
        QVERIFY(at::allclose(ema.shadow(index)[5], (e0[1] + e0[2]) / 2));
        QCOMPARE(adam.exp_avg()[5].abs().sum().item<double>(), 0.0);
        QCOMPARE(adam.exp_avg_sq()[5].abs().sum().item<double>(), 0.0);
        for (const int64_t r : {0, 1, 2, 3, 4, 6, 7, 8, 15}) {
            QVERIFY(at::equal(table[r], w0[r]));
            QVERIFY(at::equal(ema.shadow(index)[r], e0[r]));
            QVERIFY(at::equal(adam.exp_avg()[r], m0[r]));
        }
        QVERIFY_THROWS_EXCEPTION(engine::EngineError, train::reinitEmbeddingRows(modules, ema, opt, "text_encoder.nothing", {{1, {2}}}));
        QVERIFY_THROWS_EXCEPTION(engine::EngineError, train::reinitEmbeddingRows(modules, ema, opt, "text_encoder.shared.weight", {{16, {2}}}));
    }
};

QTEST_GUILESS_MAIN(TestChineseWords)
#include "test_chinese_words.moc"
