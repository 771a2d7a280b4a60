// The engine through the command line: models, debug tokenize/run-component and generate, on the
// reference model, compared with the reference outputs.
#include "../engine/parity.h"
#include "cli_runner.h"
#include "media/decoder.h"

#include <QtTest>

using namespace kinora::test;
using kinora::engine::SafetensorsFile;

namespace {

QString refModel() { return QString::fromStdString(referenceModel()); }

QProcessEnvironment envWithModels(const QString& path) {
    auto env = testEnvironment();
    env.insert(QStringLiteral("KINORA_MODEL_PATH"), path);
    return env;
}

// `kinora models --json` entries other than the bundled model (listed too once it is in the tree).
QJsonArray notBundled(const QJsonArray& models) {
    QJsonArray out;
    for (const auto& m : models) {
        if (m.toObject()["source"].toString() != QLatin1String("bundled")) out.append(m);
    }
    return out;
}

}  // namespace

class TestCliEngine : public QObject {
    Q_OBJECT
private slots:
    void modelsListsGoodAndBrokenFolders() {
        QTemporaryDir dir;
        QVERIFY(QDir().mkpath(dir.path() + "/broken"));
        QFile index(dir.path() + "/broken/model_index.json");
        QVERIFY(index.open(QIODevice::WriteOnly));
        index.write("{\"_class_name\": \"WanPipeline\"");  // truncated JSON
        index.close();
        const auto env = envWithModels(QStringLiteral(KINORA_TEST_DATA_DIR "/wan-tiny:") + dir.path());
        const auto r = runKinora({"models", "--json"}, env);
        QCOMPARE(r.exitCode, 0);
        const auto models = notBundled(QJsonDocument::fromJson(r.out.toUtf8()).object()["models"].toArray());
        QCOMPARE(models.size(), 2);
        const auto good = models[0].toObject(), bad = models[1].toObject();
        QCOMPARE(good["name"].toString(), QStringLiteral("tiny-wan2.1-t2v"));
        QVERIFY(good["ok"].toBool());
        QCOMPARE(good["components"].toArray().size(), 5);
        QVERIFY(good["parameters"].toDouble() > 250000);
        QCOMPARE(bad["ok"].toBool(), false);
        QVERIFY(bad["error"].toString().contains("model_index.json"));
        const auto text = runKinora({"models"}, env);
        QVERIFY(text.out.contains("BROKEN"));
        QVERIFY(text.out.contains("WanTransformer3DModel"));
    }

    void debugTokenizeEqualsTheReference() {
        const auto c = manifestCase(QStringLiteral("c1_text"));
        QStringList args{"debug", "tokenize", "--model", refModel(), "--max-length", "32"};
        for (const auto& p : c["prompts"].toArray()) args << p.toString();
        const auto r = runKinora(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const auto ref = SafetensorsFile::open(referenceCase("c1_text"));
        const auto ids = ref->tensor("input_ids"), mask = ref->tensor("attention_mask");
        const auto jids = j["input_ids"].toArray(), jmask = j["attention_mask"].toArray();
        QCOMPARE(jids.size(), 8);
        for (int b = 0; b < 8; ++b) {
            for (int t = 0; t < 32; ++t) {
                QCOMPARE(jids[b].toArray()[t].toInteger(), ids[b][t].item<int64_t>());
                QCOMPARE(jmask[b].toArray()[t].toInteger(), mask[b][t].item<int64_t>());
            }
        }
    }

    void runComponentMatchesTheReference_data() {
        QTest::addColumn<QString>("component");
        QTest::addColumn<QString>("caseName");
        QTest::addColumn<QStringList>("outputs");
        QTest::newRow("text_encoder") << "text_encoder" << "c1_text" << QStringList{"last_hidden_state", "prompt_embeds"};
        QTest::newRow("transformer") << "transformer" << "a2_transformer_batch2_nonsquare" << QStringList{"sample"};
        QTest::newRow("vae_encode") << "vae_encode" << "b1_vae_encode" << QStringList{"latent_mean", "latent_logvar"};
        QTest::newRow("vae_decode") << "vae_decode" << "b2_vae_decode" << QStringList{"sample"};
    }
    void runComponentMatchesTheReference() {
        QFETCH(QString, component);
        QFETCH(QString, caseName);
        QFETCH(QStringList, outputs);
        QTemporaryDir dir;
        const QString out = dir.path() + "/out.safetensors";
        const QString in = QString::fromStdString(referenceCase(caseName.toStdString()));
        const auto r = runKinora({"debug", "run-component", "--model", refModel(), "--component", component,
                                  "--inputs", in, "--out", out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto ours = SafetensorsFile::open(out.toStdString());
        const auto ref = SafetensorsFile::open(in.toStdString());
        for (const auto& name : outputs) {
            QVERIFY2(ours->find(name.toStdString()), qPrintable(name));
            QCOMPARE(ours->find(name.toStdString())->dtype, kinora::engine::StDType::F32);
            KINORA_COMPARE_TENSORS(ours->tensor(name.toStdString()), ref->tensor(name.toStdString()), 1e-4);
        }
    }

    void runComponentRejectsBadInputs() {
        QTemporaryDir dir;
        const auto wrong = runKinora({"debug", "run-component", "--model", refModel(), "--component", "text_encoder",
                                      "--inputs", QString::fromStdString(referenceCase("a1_transformer")), "--out",
                                      dir.path() + "/o.safetensors"});
        QCOMPARE(wrong.exitCode, 1);
        QVERIFY(wrong.err.contains("input_ids"));
        const auto unknown = runKinora({"debug", "run-component", "--model", refModel(), "--component", "unet",
                                        "--inputs", QString::fromStdString(referenceCase("a1_transformer")), "--out",
                                        dir.path() + "/o.safetensors"});
        QCOMPARE(unknown.exitCode, 2);
    }

    void generateReproducesTheReferenceFrames() {
        const auto c = manifestCase(QStringLiteral("e_pipeline"));
        QTemporaryDir dir;
        const auto r = runKinora({"generate", "--model", refModel(), "--prompt", c["prompt"].toString(), "--negative",
                                  c["negative_prompt"].toString(), "--width", "32", "--height", "32", "--frames", "5",
                                  "--steps", "4", "--guidance", "5", "--seed", "1234", "--no-label", "--quiet",
                                  "--out", dir.path()});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.isEmpty() && r.err.isEmpty());  // --quiet
        const auto clip = kinora::media::decodeFile(dir.path().toStdString());
        const auto ref = SafetensorsFile::open(referenceCase("e_pipeline"))->tensor("frames_uint8").to(at::kInt);
        QCOMPARE(static_cast<int64_t>(clip.clip.frames.size()), ref.size(1));
        for (size_t f = 0; f < clip.clip.frames.size(); ++f) {
            const auto& fr = clip.clip.frames[f];
            QCOMPARE(fr.width, 32);
            const auto ours = at::from_blob(const_cast<uint8_t*>(fr.rgb.data()), {32, 32, 3}, at::kByte).to(at::kInt);
            QVERIFY((ours - ref[0][static_cast<int64_t>(f)]).abs().max().item<int>() <= 1);
        }
        QVERIFY(QFile::exists(dir.path() + "/frames.kinora.json"));

        // `--out clip/` (issue 6's own example): a folder that does not exist yet, made for the frames.
        const QString fresh = dir.path() + "/clip/";
        const auto again = runKinora({"generate", "--model", refModel(), "--prompt", c["prompt"].toString(), "--negative",
                                      c["negative_prompt"].toString(), "--width", "32", "--height", "32", "--frames", "5",
                                      "--steps", "4", "--guidance", "5", "--seed", "1234", "--no-label", "--quiet", "--out", fresh});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        const auto same = kinora::media::decodeFile(fresh.toStdString());
        QCOMPARE(same.clip.frames.size(), clip.clip.frames.size());
        for (size_t f = 0; f < same.clip.frames.size(); ++f) QVERIFY(same.clip.frames[f].rgb == clip.clip.frames[f].rgb);
        QVERIFY(QFile::exists(fresh + "frames.kinora.json"));
    }

    void generateErrorsExitWithOne_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expect");
        QTest::newRow("width") << QStringList{"--width", "30"} << "multiple of 16";
        QTest::newRow("frames") << QStringList{"--frames", "16"} << "4k+1";
        QTest::newRow("guidance") << QStringList{"--guidance", "-3"} << "guidance";
        QTest::newRow("guidance nan") << QStringList{"--guidance", "nan"} << "guidance";
        QTest::newRow("extension") << QStringList{"--out", "/tmp/x.avi"} << ".avi";
        QTest::newRow("model") << QStringList{"--model", "no-such-model"} << "no-such-model";
        QTest::newRow("cuda") << QStringList{"--device", "cuda"} << "CUDA";
    }
    void generateErrorsExitWithOne() {
        QFETCH(QStringList, args);
        QFETCH(QString, expect);
        QTemporaryDir dir;
        QStringList all{"generate", "--prompt", "a red circle", "--steps", "1"};
        if (!args.contains("--model")) all << "--model" << refModel();
        if (!args.contains("--out")) all << "--out" << dir.path() + "/clip.mp4";
        all << args;
        const auto r = runKinora(all);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(expect), qPrintable(r.err));
        QCOMPARE(r.err.trimmed().count('\n'), 0);  // one line
        QVERIFY(!QFile::exists(dir.path() + "/clip.mp4"));
    }

    void brokenModelFilesAreOneLineErrors_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("keepBytes");
        QTest::newRow("truncated transformer weights") << "transformer/diffusion_pytorch_model.safetensors" << 5000;
        QTest::newRow("truncated header length") << "vae/diffusion_pytorch_model.safetensors" << 6;
        QTest::newRow("truncated text encoder config") << "text_encoder/config.json" << 40;
        QTest::newRow("empty tokenizer") << "tokenizer/spiece.model" << 0;
    }
    void brokenModelFilesAreOneLineErrors() {
        QFETCH(QString, file);
        QFETCH(int, keepBytes);
        QTemporaryDir dir;
        const QString model = dir.path() + "/broken-model";
        QVERIFY(QProcess::execute("cp", {"-r", refModel(), model}) == 0);
        QFile f(model + "/" + file);
        QVERIFY(f.resize(keepBytes));
        for (const QStringList& args : {QStringList{"generate", "--prompt", "x", "--model", model, "--out", dir.path() + "/c.mp4"},
                                        QStringList{"debug", "run-component", "--model", model, "--component", "transformer",
                                                    "--inputs", QString::fromStdString(referenceCase("a1_transformer")),
                                                    "--out", dir.path() + "/o.safetensors"}}) {
            const auto r = runKinora(args);
            if (args[0] == "debug" && !file.startsWith("transformer")) continue;  // only loads the transformer
            QCOMPARE(r.exitCode, 1);
            QCOMPARE(r.err.trimmed().count('\n'), 0);
            QVERIFY2(r.err.contains(file.section('/', 0, 0)), qPrintable(r.err));
        }
        const auto models = runKinora({"models", "--json"}, envWithModels(dir.path()));
        QCOMPARE(models.exitCode, 0);
        const auto list = notBundled(QJsonDocument::fromJson(models.out.toUtf8()).object()["models"].toArray());
        QCOMPARE(list.size(), 1);
        QCOMPARE(list[0].toObject()["ok"].toBool(), false);
        QVERIFY(list[0].toObject()["error"].toString().contains(file.section('/', 0, 0)));
    }

    void generateUsageErrorsExitWithTwo() {
        QCOMPARE(runKinora({"generate", "--out", "/tmp/x.mp4"}).exitCode, 2);  // no --prompt
        QCOMPARE(runKinora({"generate", "--prompt", "x", "--steps", "0"}).exitCode, 2);
        QCOMPARE(runKinora({"generate", "--prompt", "x", "--sampler", "ddim"}).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliEngine)
#include "test_cli_engine.moc"
