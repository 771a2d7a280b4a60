// The tokenizer's share of the mutation test (see test_mutation.cpp): spiece.model truncated and
// byte-flipped, tokenizer_config.json corrupted, files missing or unreadable, and a tokenizer with more
// pieces than the text encoder's vocabulary. Its own executable with the CTest label `spm`: the
// SentencePiece shim is dlopen'ed with RTLD_DEEPBIND, which AddressSanitizer refuses, so the sanitizer
// run in CI (.ci/run) leaves this label out.
#include "engine/error.h"
#include "engine/safetensors.h"
#include "engine/text_encoder.h"
#include "engine/tokenizer.h"
#include "mutation.h"

#include <QtTest>

#include <random>

#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>

using namespace kinora::engine;
using namespace kinora::test;

class TestMutationSpm : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::shared_ptr<Tokenizer> ref_;
    TokenBatch refBatch_;
    size_t total_ = 0;
    const std::vector<std::string> prompts_{"a red circle", "", "Ein Fuchs, der im Schnee springt. 红色的圆 &amp; 123"};

    std::string root() const { return tmp_.path().toStdString(); }

    // Loads the tokenizer of `folder` and tokenizes the prompts; true when everything equals the reference.
    bool loadSame(const std::string& folder) {
        const auto tok = Tokenizer::load(folder + "/tokenizer");
        if (tok->vocabSize() != ref_->vocabSize() || tok->padId() != ref_->padId() || tok->eosId() != ref_->eosId() ||
            tok->modelMaxLength() != ref_->modelMaxLength()) {
            return false;
        }
        const auto batch = tok->tokenize(prompts_);
        return at::equal(batch.input_ids, refBatch_.input_ids) && at::equal(batch.attention_mask, refBatch_.attention_mask);
    }

    void finish(CaseRunner& runner, const char* what) {
        runner.report(what);
        total_ += runner.cases();
        QVERIFY2(runner.ok(), qPrintable(runner.firstFailure()));
    }

private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        ref_ = Tokenizer::load(referenceModel() + "/tokenizer");
        refBatch_ = ref_->tokenize(prompts_);
    }
    void cleanupTestCase() { qInfo("tokenizer mutation cases in total: %zu", total_); }

    void truncatedAndFlippedModel() {
        CaseRunner runner;
        const auto folder = copyReference(root(), "spm");
        const auto file = folder + "/tokenizer/spiece.model";
        const std::string original = readFile(file);
        // Truncations: every length below 64, then a prime stride, longest first (one ftruncate each).
        std::vector<uint64_t> lengths;
        for (uint64_t n = 0; n < 64; ++n) lengths.push_back(n);
        for (uint64_t n = 64; n < original.size(); n += 211) lengths.push_back(n);
        lengths.push_back(original.size() - 1);
        std::sort(lengths.rbegin(), lengths.rend());
        for (const auto n : lengths) {
            QCOMPARE(::truncate(file.c_str(), static_cast<off_t>(n)), 0);
            // A protobuf cut at a field boundary can still parse into a (smaller) valid model: then the
            // load must succeed as a different tokenizer, never crash.
            runner.run("spiece.model truncated to " + std::to_string(n), file, Expect::Either, [&] { return loadSame(folder); });
        }
        writeFile(file, original);
        // Byte flips at seeded positions (the protobuf has no checksum: some flips give another valid model).
        std::mt19937 rng(1234);
        for (int i = 0; i < 1500; ++i) {
            const uint64_t pos = rng() % original.size();
            char v = original[pos];
            while (v == original[pos]) v = static_cast<char>(rng() & 0xff);
            patchFile(file, pos, std::string(1, v));
            runner.run("spiece.model byte " + std::to_string(pos) + " = " + std::to_string(static_cast<unsigned char>(v)), file,
                       Expect::Either, [&] { return loadSame(folder); });
            patchFile(file, pos, std::string(1, original[pos]));
        }
        for (const auto& [what, bytes] : std::vector<std::pair<std::string, std::string>>{
                 {"empty", ""}, {"a safetensors file", readFile(referenceModel() + "/text_encoder/model.safetensors")},
                 {"JSON", "{\"model\": 1}"}, {"zeros", std::string(4096, '\0')}}) {
            writeFile(file, bytes);
            runner.run("spiece.model " + what, file, Expect::Error, [&] { return loadSame(folder); });
        }
        writeFile(file, original);
        finish(runner, "spiece.model mutations");
    }

    void corruptTokenizerConfig() {
        CaseRunner runner;
        const auto folder = copyReference(root(), "tokcfg");
        const auto file = folder + "/tokenizer/tokenizer_config.json";
        const std::string original = readFile(file);
        auto check = [&](const std::string& what, const std::string& text, Expect expect) {
            writeFile(file, text);
            runner.run("tokenizer_config " + what, file, expect, [&] { return loadSame(folder); });
        };
        for (size_t n = 0; n < original.size(); ++n) {
            const bool onlySpace = original.find_first_not_of(" \t\r\n", n) == std::string::npos;
            check("truncated to " + std::to_string(n), original.substr(0, n), onlySpace ? Expect::Identical : Expect::Error);
        }
        const auto json = nlohmann::ordered_json::parse(original);
        for (const auto& [key, value] : json.items()) {
            for (const auto& [what, raw] : badJsonValues()) check(key + " = " + what, replaceValue(original, key, raw), Expect::Either);
        }
        // Tokens the model does not have.
        check("pad_token unknown", replaceValue(original, "pad_token", "\"<nopad>\""), Expect::Error);
        check("eos_token unknown", replaceValue(original, "eos_token", "\"</nothing>\""), Expect::Error);
        check("eos_token empty", replaceValue(original, "eos_token", "\"\""), Expect::Error);
        check("indented", json.dump(4), Expect::Identical);
        check("not an object", "[]", Expect::Error);
        // The file is optional, but model_max_length then defaults to 512: a successful, different load.
        fs::remove(file);
        runner.run("tokenizer_config.json missing", file, Expect::Either, [&] { return loadSame(folder); });
        fs::create_directory(file);
        runner.run("tokenizer_config.json a folder", file, Expect::Error, [&] { return loadSame(folder); });
        fs::remove(file);
        QCOMPARE(mkfifo(file.c_str(), 0600), 0);
        runner.run("tokenizer_config.json a FIFO", file, Expect::Error, [&] { return loadSame(folder); });
        fs::remove(file);
        writeFile(file, original);
        const auto model = folder + "/tokenizer/spiece.model";
        const std::string modelBytes = readFile(model);
        fs::remove(model);
        runner.run("spiece.model missing", model, Expect::Error, [&] { return loadSame(folder); });
        fs::create_directory(model);
        runner.run("spiece.model a folder", model, Expect::Error, [&] { return loadSame(folder); });
        fs::remove(model);
        QCOMPARE(mkfifo(model.c_str(), 0600), 0);
        runner.run("spiece.model a FIFO", model, Expect::Error, [&] { return loadSame(folder); });
        fs::remove(model);
        writeFile(model, modelBytes);
        fs::remove_all(folder + "/tokenizer");
        runner.run("tokenizer folder missing", folder + "/tokenizer", Expect::Error, [&] { return loadSame(folder); });
        finish(runner, "tokenizer config and files");
    }

    void unreadableTokenizer() {
        // As in test_mutation: root ignores permissions, so a forked child becomes nobody (65534). The
        // shim is already loaded (initTestCase), so the child never needs to read the build tree.
        const bool asRoot = geteuid() == 0;
        const auto base = root() + "/perm";
        fs::create_directories(base);
        const auto folder = base + "/m";
        fs::copy(referenceModel(), folder, fs::copy_options::recursive);
        fs::permissions(root(), fs::perms(0755));
        for (const auto& p : {base, folder}) fs::permissions(p, fs::perms(0755));
        if (asRoot) QCOMPARE(::chown(base.c_str(), 65534, 65534), 0);
        for (const auto& e : fs::recursive_directory_iterator(base)) {
            fs::permissions(e.path(), e.is_directory() ? fs::perms(0755) : fs::perms(0644));
            if (asRoot) QCOMPARE(::chown(e.path().c_str(), 65534, 65534), 0);
        }
        const auto dir = folder + "/tokenizer";
        const auto r = fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;
        const std::vector<std::tuple<std::string, std::string, fs::perms, std::string>> cases{
            {"tokenizer folder mode 000", dir, fs::perms::none, dir + "/spiece.model"},
            {"tokenizer folder readable, not searchable", dir, r, dir + "/spiece.model"},
            {"spiece.model mode 000", dir + "/spiece.model", fs::perms::none, dir + "/spiece.model"},
            {"tokenizer_config.json mode 000", dir + "/tokenizer_config.json", fs::perms::none, dir + "/tokenizer_config.json"}};
        auto runAll = [&](CaseRunner& runner) {
            for (const auto& [what, path, mode, named] : cases) {
                const auto old = fs::status(path).permissions();
                fs::permissions(path, mode);
                runner.run(what, named, Expect::Error, [&] { return loadSame(folder); });
                fs::permissions(path, old);
            }
            runner.report("unreadable tokenizer");
        };
        if (!asRoot) {
            CaseRunner runner;
            runAll(runner);
            finish(runner, "unreadable tokenizer");
            return;
        }
        const std::string tally = runCasesAsNobody(runAll);
        QVERIFY2(tally.size() > 3 && tally.compare(tally.size() - 3, 3, " ok") == 0, tally.c_str());
        total_ += std::stoul(tally);
    }

    void vocabularyMustFitTheEncoder() {
        // The reference: 130 pieces, vocab_size 256.
        const auto folder = copyReference(root(), "vocab");
        const auto good = Umt5Config::fromFile(folder + "/text_encoder/config.json");
        QCOMPARE(ref_->vocabSize(), int64_t(130));
        checkTokenizerMatchesEncoder(*ref_, good, folder);  // fits: no exception
        Umt5Config exact = good;
        exact.vocab_size = 130;
        checkTokenizerMatchesEncoder(*ref_, exact, folder);

        // A text encoder of 100 rows that loads on its own (config and checkpoint agree) but cannot take
        // this tokenizer's ids 100..129.
        const auto te = folder + "/text_encoder";
        const auto cp = Checkpoint::open(te + "/model.safetensors");
        std::vector<std::pair<std::string, at::Tensor>> tensors;
        for (const auto& [name, entry] : cp.entries()) {
            auto t = cp.tensor(name).clone();
            if (name == "shared.weight") t = t.narrow(0, 0, 100).clone();
            tensors.emplace_back(name, t);
        }
        writeSafetensors(te + "/model.safetensors.tmp", tensors);
        fs::rename(te + "/model.safetensors.tmp", te + "/model.safetensors");
        writeFile(te + "/config.json", replaceValue(readFile(te + "/config.json"), "vocab_size", "100"));
        const auto encoder = loadTextEncoder(te);
        const auto tok = Tokenizer::load(folder + "/tokenizer");
        try {
            checkTokenizerMatchesEncoder(*tok, encoder->config(), folder);
            QFAIL("no error for a tokenizer larger than the vocabulary");
        } catch (const EngineError& e) {
            const std::string msg = e.what();
            qInfo("%s", e.what());
            QVERIFY(msg.find(folder + "/tokenizer/spiece.model has 130 pieces") != std::string::npos);
            QVERIFY(msg.find(folder + "/text_encoder/config.json has vocab_size 100") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestMutationSpm)
#include "test_mutation_spm.moc"
