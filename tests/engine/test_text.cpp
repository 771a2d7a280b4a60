// Tokenizer and UMT5 text encoder against the reference (case c1_text): ids exact, embeddings 1e-4.
#include "engine/error.h"
#include "engine/text_encoder.h"
#include "engine/tokenizer.h"
#include "parity.h"

#include <QtTest>

using namespace kinora::engine;
using namespace kinora::test;

class TestText : public QObject {
    Q_OBJECT

    std::vector<std::string> prompts() {
        std::vector<std::string> out;
        for (const auto& p : manifestCase(QStringLiteral("c1_text"))["prompts"].toArray()) out.push_back(p.toString().toStdString());
        return out;
    }

private slots:
    void initTestCase() { QCOMPARE(prompts().size(), size_t(8)); }

    void cleaningMatchesTheReference() {
        const auto c = manifestCase(QStringLiteral("c1_text"));
        const auto raw = c["prompts"].toArray();
        const auto cleaned = c["cleaned_prompts"].toArray();
        for (int i = 0; i < raw.size(); ++i) {
            QCOMPARE(QString::fromStdString(cleanPrompt(raw[i].toString().toStdString())), cleaned[i].toString());
        }
    }

    void htmlUnescapeFollowsPython_data() {
        QTest::addColumn<QString>("in");
        QTest::addColumn<QString>("out");
        // Expected values from Python 3.11's html.unescape.
        QTest::newRow("named") << "a &amp; b &lt;i&gt;" << "a & b <i>";
        QTest::newRow("no semicolon") << "&ampx &lt3" << "&x <3";
        QTest::newRow("longest prefix") << "&notit;" << QString::fromUtf8("\u00acit;");
        QTest::newRow("unknown") << "&bogus; &" << "&bogus; &";
        QTest::newRow("decimal") << "&#65;&#66" << "AB";
        QTest::newRow("hex") << "&#x4e00;&#X41;" << QString::fromUtf8("\u4e00A");
        QTest::newRow("windows-1252 table") << "&#150;&#x80;" << QString::fromUtf8("\u2013\u20ac");
        QTest::newRow("surrogate") << "&#xD800;" << QString::fromUtf8("\ufffd");
        QTest::newRow("too large") << "&#99999999999999999999;" << QString::fromUtf8("\ufffd");
        QTest::newRow("dropped control") << "a&#1;b" << "ab";
        QTest::newRow("null") << "&#0;" << QString::fromUtf8("\ufffd");
        QTest::newRow("no digits") << "&#; &#x;" << "&#; &#x;";
        QTest::newRow("chinese untouched") << QString::fromUtf8("红色的圆 &amp; 蓝") << QString::fromUtf8("红色的圆 & 蓝");
    }
    void htmlUnescapeFollowsPython() {
        QFETCH(QString, in);
        QFETCH(QString, out);
        QCOMPARE(QString::fromStdString(htmlUnescape(in.toStdString())), out);
    }

    void cleaningUnescapesTwiceAndCollapsesUnicodeSpace() {
        QCOMPARE(QString::fromStdString(cleanPrompt("&amp;lt;b&amp;gt;")), QStringLiteral("<b>"));
        QCOMPARE(QString::fromStdString(cleanPrompt("\t a \u3000\u00a0 b\n")), QStringLiteral("a b"));
        QCOMPARE(QString::fromStdString(cleanPrompt("")), QString());
    }

    void invalidUtf8IsRejected() {
        QVERIFY_THROWS_EXCEPTION(EngineError, cleanPrompt(std::string("a\xff b")));
        QVERIFY_THROWS_EXCEPTION(EngineError, cleanPrompt(std::string("\xc0\xaf")));  // overlong '/'
        QVERIFY_THROWS_EXCEPTION(EngineError, cleanPrompt(std::string("\xe4\xb8")));  // truncated
    }

    void idsAndMaskAreExact() {
        const auto ref = SafetensorsFile::open(referenceCase("c1_text"));
        const auto tok = Tokenizer::load(referenceModel() + "/tokenizer");
        QCOMPARE(tok->modelMaxLength(), int64_t(32));
        const auto batch = tok->tokenize(prompts(), 32);
        QVERIFY(at::equal(batch.input_ids, ref->tensor("input_ids")));
        QVERIFY(at::equal(batch.attention_mask, ref->tensor("attention_mask")));
        QCOMPARE(batch.truncated[3], true);  // the very long prompt
        QCOMPARE(batch.truncated[0], false);
        // The empty prompt is just [EOS].
        QCOMPARE(batch.input_ids[1][0].item<int64_t>(), tok->eosId());
        QCOMPARE(batch.attention_mask[1].sum().item<int64_t>(), int64_t(1));
    }

    void encoderMatchesTheReference() {
        at::InferenceMode guard;
        const auto ref = SafetensorsFile::open(referenceCase("c1_text"));
        const auto enc = loadTextEncoder(referenceModel() + "/text_encoder");
        const auto ids = ref->tensor("input_ids"), mask = ref->tensor("attention_mask");
        const auto hidden = enc->forward(ids, mask);
        KINORA_COMPARE_TENSORS(hidden, ref->tensor("last_hidden_state"), 1e-4);
        const auto embeds = promptEmbeds(hidden, mask);
        KINORA_COMPARE_TENSORS(embeds, ref->tensor("prompt_embeds"), 1e-4);
    }

    void bucketsFollowT5() {
        // 8 buckets, bidirectional: 4 per sign, 2 exact, then log-spaced up to max_distance 128.
        const auto b = relativePositionBuckets(1, 200, 8, 128);
        QCOMPARE(b[0][0].item<int64_t>(), int64_t(0));
        QCOMPARE(b[0][1].item<int64_t>(), int64_t(5));  // key after query: upper half, distance 1
        QCOMPARE(b[0][199].item<int64_t>(), int64_t(7));  // far away: last bucket
        const auto back = relativePositionBuckets(3, 1, 8, 128);
        QCOMPARE(back[1][0].item<int64_t>(), int64_t(1));  // key before query: lower half
    }

    void bfloat16EncoderIsClose() {
        at::InferenceMode guard;
        const auto ref = SafetensorsFile::open(referenceCase("c1_text"));
        const auto enc = loadTextEncoder(referenceModel() + "/text_encoder", at::kBFloat16);
        QCOMPARE(enc->shared.scalar_type(), at::kBFloat16);
        const auto hidden = enc->forward(ref->tensor("input_ids"), ref->tensor("attention_mask")).to(at::kFloat);
        const double err = maxAbsDiff(hidden, ref->tensor("last_hidden_state"));
        qInfo("bfloat16 max abs error %.3g", err);
        QVERIFY(err < 0.1);
    }
};

QTEST_GUILESS_MAIN(TestText)
#include "test_text.moc"
