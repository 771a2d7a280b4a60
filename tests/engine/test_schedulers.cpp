// The UniPC and Euler samplers against Diffusers' outputs (tests/data/wan-tiny, cases d_unipc and
// d_euler), their config parsing and the ways they can be misused.
#include "engine/error.h"
#include "engine/safetensors.h"
#include "engine/schedulers.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <functional>
#include <map>
#include <stdexcept>

using namespace kinora::engine;

namespace {

const std::string kDataDir = KINORA_TEST_DATA_DIR "/wan-tiny";
const std::string kModelSchedulerConfig = kDataDir + "/tiny-wan2.1-t2v/scheduler/scheduler_config.json";
constexpr double kTolerance = 1e-5;  // manifest.json: tolerance_abs of d_unipc and d_euler

std::shared_ptr<SafetensorsFile> openCase(const std::string& name) {
    return SafetensorsFile::open(kDataDir + "/cases/" + name + ".safetensors");
}

double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) {
    if (a.sizes() != b.sizes()) return INFINITY;
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

QJsonObject readJson(const std::string& path) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

// Writes a scheduler_config.json into `dir` (raw text, or a JSON object below); returns its path.
std::string writeConfig(const QTemporaryDir& dir, const QByteArray& text) {
    const QString path = dir.filePath("scheduler_config.json");
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return {};
    f.write(text);
    return path.toStdString();
}

std::string writeConfig(const QTemporaryDir& dir, const QJsonObject& json) {
    return writeConfig(dir, QJsonDocument(json).toJson());
}

// The reference's d_euler config (the manifest's) as a scheduler_config.json of its class.
std::string writeEulerReferenceConfig(const QTemporaryDir& dir) {
    QJsonObject cfg = readJson(kDataDir + "/manifest.json")["cases"].toObject()["d_euler"].toObject()["config"].toObject();
    cfg["_class_name"] = SchedulerConfig::kEulerClass;
    return writeConfig(dir, cfg);
}

// Runs `fn` and returns the EngineError's message ("" when nothing or something else was thrown).
std::string engineErrorOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const EngineError& e) {
        return e.what();
    } catch (...) {
        return "";
    }
    return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The chained 12 steps of a case: each output feeds the next step, starting from sample_0.
std::vector<at::Tensor> runChain(Scheduler& s, const SafetensorsFile& ref, int steps = 12) {
    s.setTimesteps(12);
    std::vector<at::Tensor> out;
    at::Tensor sample = ref.tensor("sample_0");
    for (int i = 0; i < steps; ++i) {
        sample = s.step(ref.tensor("model_output_" + std::to_string(i)), i, sample);
        out.push_back(sample);
    }
    return out;
}

// Compares the schedules of `s` for 1, 12 and 50 steps with the reference; returns the largest error.
double compareSchedules(Scheduler& s, const SafetensorsFile& ref) {
    double worst = 0;
    for (int n : {1, 12, 50}) {
        s.setTimesteps(n);
        const std::string N = std::to_string(n);
        if (s.steps() != n || s.timesteps().scalar_type() != at::kFloat || s.sigmas().scalar_type() != at::kFloat) {
            return INFINITY;
        }
        const double et = maxAbsDiff(s.timesteps(), ref.tensor("timesteps_" + N));
        const double es = maxAbsDiff(s.sigmas(), ref.tensor("sigmas_" + N));
        qInfo("%s N=%d: timesteps max abs error %.3g, sigmas %.3g", s.name().c_str(), n, et, es);
        worst = std::max({worst, et, es});
    }
    return worst;
}

}  // namespace

class TestSchedulers : public QObject {
    Q_OBJECT
private slots:
    void shiftSigmaIsTheFlowShift() {
        QCOMPARE(shiftSigma(0.5, 3.0), 0.75);
        QCOMPARE(shiftSigma(1.0, 5.0), 1.0);
        QCOMPARE(shiftSigma(0.0, 5.0), 0.0);
        QCOMPARE(shiftSigma(0.25, 1.0), 0.25);
    }

    void modelConfigParses() {
        const auto cfg = SchedulerConfig::fromFile(kModelSchedulerConfig);
        QCOMPARE(cfg.class_name, std::string("UniPCMultistepScheduler"));
        QCOMPARE(cfg.num_train_timesteps, int64_t{1000});
        QCOMPARE(cfg.shift, 3.0);
        QCOMPARE(cfg.solver_order, int64_t{2});
        QCOMPARE(cfg.solver_type, std::string("bh2"));
        QVERIFY(cfg.lower_order_final);
        QVERIFY(cfg.disable_corrector.empty());
        QCOMPARE(makeScheduler(cfg)->name(), std::string("unipc"));
    }

    void parity_data() {
        QTest::addColumn<QString>("which");
        QTest::newRow("unipc") << "unipc";
        QTest::newRow("euler") << "euler";
    }

    void parity() {
        QFETCH(QString, which);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const bool unipc = which == "unipc";
        const auto cfg = SchedulerConfig::fromFile(unipc ? kModelSchedulerConfig : writeEulerReferenceConfig(dir));
        const auto s = makeScheduler(cfg);
        QCOMPARE(QString::fromStdString(s->name()), which);
        const auto ref = openCase(unipc ? "d_unipc" : "d_euler");

        const double schedule_error = compareSchedules(*s, *ref);
        QVERIFY2(schedule_error <= kTolerance, std::to_string(schedule_error).c_str());

        const auto out = runChain(*s, *ref);
        double worst = 0;
        for (size_t i = 0; i < out.size(); ++i) {
            const double e = maxAbsDiff(out[i], ref->tensor("sample_" + std::to_string(i + 1)));
            qInfo("%s step %zu: max abs error %.3g", s->name().c_str(), i, e);
            QVERIFY2(e <= kTolerance, ("step " + std::to_string(i) + ": " + std::to_string(e)).c_str());
            worst = std::max(worst, e);
        }
        qInfo("%s: worst step error %.3g", s->name().c_str(), worst);
    }

    // Each batch element steps on its own: with the reference in element 0 of a batch of two, element 0
    // follows the reference.
    void batchElementsAreIndependent() {
        const auto s = makeScheduler(SchedulerConfig::fromFile(kModelSchedulerConfig));
        const auto ref = openCase("d_unipc");
        s->setTimesteps(12);
        at::Tensor sample = at::cat({ref->tensor("sample_0"), ref->tensor("sample_0").flip(-1) * 0.5});
        for (int i = 0; i < 12; ++i) {
            const at::Tensor mo = ref->tensor("model_output_" + std::to_string(i));
            sample = s->step(at::cat({mo, -mo}), i, sample);
            const double e = maxAbsDiff(sample.slice(0, 0, 1), ref->tensor("sample_" + std::to_string(i + 1)));
            QVERIFY2(e <= kTolerance, std::to_string(e).c_str());
        }
    }

    void eulerFromTheUniPCConfigMatchesTheEulerReference() {
        // Both references use shift 3 and 1000 training steps.
        const auto s = makeScheduler(SchedulerConfig::fromFile(kModelSchedulerConfig), "euler");
        QCOMPARE(s->name(), std::string("euler"));
        const auto ref = openCase("d_euler");
        QVERIFY(compareSchedules(*s, *ref) <= kTolerance);
        const auto out = runChain(*s, *ref);
        QVERIFY(maxAbsDiff(out.back(), ref->tensor("sample_12")) <= kTolerance);
    }

    void unipcFromTheEulerConfigMatchesTheUniPCReference() {
        QTemporaryDir dir;
        const auto s = makeScheduler(SchedulerConfig::fromFile(writeEulerReferenceConfig(dir)), "unipc");
        QCOMPARE(s->name(), std::string("unipc"));
        const auto ref = openCase("d_unipc");
        QVERIFY(compareSchedules(*s, *ref) <= kTolerance);
        const auto out = runChain(*s, *ref);
        QVERIFY(maxAbsDiff(out.back(), ref->tensor("sample_12")) <= kTolerance);
    }

    void shiftOverrideChangesTheSchedule() {
        const auto cfg = SchedulerConfig::fromFile(kModelSchedulerConfig);
        const auto u = makeScheduler(cfg, "", 5.0);
        u->setTimesteps(4);
        // linspace(1, 0.001, 5) without its end, shifted by 5; the first lowered by 1e-6.
        const auto sig = u->sigmas();
        QCOMPARE(sig.size(0), int64_t{5});
        QCOMPARE(sig[0].item<float>(), static_cast<float>(1.0 - 1e-6));
        for (int i = 1; i < 4; ++i) {
            QCOMPARE(sig[i].item<float>(), static_cast<float>(shiftSigma(1.0 - i * 0.999 / 4, 5.0)));
        }
        QCOMPARE(sig[4].item<float>(), 0.0f);
        QCOMPARE(u->timesteps()[1].item<float>(), std::trunc(static_cast<float>(shiftSigma(1.0 - 0.999 / 4, 5.0) * 1000)));

        // Euler with shift 1: the unshifted schedule from 1 to 1/1000.
        const auto e = makeScheduler(cfg, "euler", 1.0);
        e->setTimesteps(4);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(e->sigmas()[i].item<float>(), static_cast<float>(1.0 - i * 0.999 / 3));
        }
        QCOMPARE(e->timesteps()[3].item<float>(), 1.0f);
    }

    void reuseAfterResetAndSetTimestepsIsIdentical() {
        for (const char* sampler : {"unipc", "euler"}) {
            const auto s = makeScheduler(SchedulerConfig::fromFile(kModelSchedulerConfig), sampler);
            const auto ref = openCase(std::string("d_") + sampler);
            const auto first = runChain(*s, *ref);
            // A generation cut short, then reset() (same schedule) and a full run.
            s->setTimesteps(50);
            runChain(*s, *ref, 5);
            s->reset();
            at::Tensor sample = ref->tensor("sample_0");
            for (int i = 0; i < 12; ++i) {
                sample = s->step(ref->tensor("model_output_" + std::to_string(i)), i, sample);
                QVERIFY(at::equal(sample, first[static_cast<size_t>(i)]));
            }
            // A new setTimesteps starts a clean generation too.
            const auto again = runChain(*s, *ref);
            for (size_t i = 0; i < again.size(); ++i) QVERIFY(at::equal(again[i], first[i]));
        }
    }

    // UniPC of order 1 without the corrector is exactly the Euler step x + (sigma_next - sigma) v for
    // flow sigmas (alpha = 1 - sigma); checks the generic B(h) path away from the reference's order 2.
    void unipcOrderOneIsTheEulerStep() {
        auto cfg = SchedulerConfig::fromFile(kModelSchedulerConfig);
        cfg.solver_order = 1;
        for (int64_t i = 0; i < 12; ++i) cfg.disable_corrector.push_back(i);
        UniPCScheduler s(cfg);
        s.setTimesteps(12);
        const auto ref = openCase("d_unipc");
        at::Tensor sample = ref->tensor("sample_0");
        for (int i = 0; i < 12; ++i) {
            const at::Tensor v = ref->tensor("model_output_" + std::to_string(i));
            const at::Tensor expected =
                sample.to(at::kDouble) + (s.sigmas()[i + 1].item<double>() - s.sigmas()[i].item<double>()) * v.to(at::kDouble);
            sample = s.step(v, i, sample);
            const double e = maxAbsDiff(sample, expected);
            QVERIFY2(e <= 1e-5, std::to_string(e).c_str());
        }
    }

    // The reference covers order 2 with bh2 only; this checks the other orders and bh1 on a flow whose
    // ODE solution is known. On data drawn from N(0, s^2) the exact velocity is
    // v(x, t) = x (t - (1-t) s^2) / r(t)^2 with r(t)^2 = (1-t)^2 s^2 + t^2, and the ODE maps x at t to
    // x r(0)/r(t). Every variant must land near that endpoint, and the multistep orders closer than the
    // first order (which still has its corrector). Measured at 80 steps: order 1 ~1.1e-2 to 1.3e-2,
    // orders 2 and 3 with bh2 ~2e-3; the remaining error is the first-order last step down to sigma 0.
    void unipcOrdersConvergeOnAnExactFlow() {
        const double s2 = 0.25;  // data variance
        auto velocity = [s2](const at::Tensor& x, double t) {
            const double r2 = (1 - t) * (1 - t) * s2 + t * t;
            return x * ((t - (1 - t) * s2) / r2);
        };
        std::map<std::string, double> errors;
        for (int64_t order = 1; order <= 3; ++order) {
            for (const char* type : {"bh1", "bh2"}) {
                auto cfg = SchedulerConfig::fromFile(kModelSchedulerConfig);
                cfg.solver_order = order;
                cfg.solver_type = type;
                UniPCScheduler s(cfg);
                const int n = 80;
                s.setTimesteps(n);
                const double t0 = s.sigmas()[0].item<double>();
                const at::Tensor x0 = at::linspace(-2, 2, 16).reshape({1, 1, 4, 4});
                at::Tensor x = x0.clone();
                for (int i = 0; i < n; ++i) x = s.step(velocity(x, s.sigmas()[i].item<double>()), i, x);
                const double rt = std::sqrt((1 - t0) * (1 - t0) * s2 + t0 * t0);
                const double e = maxAbsDiff(x, x0 * (std::sqrt(s2) / rt));
                errors[std::to_string(order) + type] = e;
                qInfo("order %ld %s: endpoint error %.3g", static_cast<long>(order), type, e);
                QVERIFY2(e < 2e-2, std::to_string(e).c_str());
            }
        }
        QVERIFY(errors["2bh2"] < 0.5 * errors["1bh2"]);
        QVERIFY(errors["3bh2"] < 0.5 * errors["1bh2"]);
    }

    void stepsOutOfRangeAreRejected() {
        const auto s = makeScheduler(SchedulerConfig::fromFile(kModelSchedulerConfig));
        for (int bad : {0, -3, 10001}) {
            const std::string msg = engineErrorOf([&] { s->setTimesteps(bad); });
            QVERIFY2(contains(msg, std::to_string(bad)), msg.c_str());
        }
        const auto e = makeScheduler(SchedulerConfig::fromFile(kModelSchedulerConfig), "euler");
        QVERIFY(!engineErrorOf([&] { e->setTimesteps(0); }).empty());
    }

    void misuseOfStepIsAProgrammingError() {
        const auto s = makeScheduler(SchedulerConfig::fromFile(kModelSchedulerConfig));
        const at::Tensor x = at::zeros({1, 4, 3, 4, 4});
        QVERIFY_THROWS_EXCEPTION(std::logic_error, s->step(x, 0, x));  // before setTimesteps
        s->setTimesteps(4);
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, s->step(x, 4, x));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, s->step(at::zeros({1, 4, 3, 4, 2}), 0, x));
        s->step(x, 0, x);
        QVERIFY_THROWS_EXCEPTION(std::logic_error, s->step(x, 2, x));  // skipped step 1
        QVERIFY_THROWS_EXCEPTION(std::logic_error, s->step(x, 0, x));  // step 0 again without reset()
        s->reset();
        s->step(x, 0, x);
    }

    void samplerAndShiftOverridesAreChecked() {
        const auto cfg = SchedulerConfig::fromFile(kModelSchedulerConfig);
        const std::string msg = engineErrorOf([&] { makeScheduler(cfg, "dpm++"); });
        QVERIFY2(contains(msg, "dpm++") && contains(msg, "unipc") && contains(msg, "euler"), msg.c_str());
        for (double bad : {0.0, -1.0, double(NAN), double(INFINITY)}) {
            QVERIFY(contains(engineErrorOf([&] { makeScheduler(cfg, "", bad); }), "shift"));
        }
    }

    void badConfigsNameTheFileAndKey_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");  // JSON text; "remove" deletes the key
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown class") << "_class_name" << "\"DDIMScheduler\"" << "DDIMScheduler";
        QTest::newRow("missing shift") << "flow_shift" << "remove" << "'flow_shift' is missing";
        QTest::newRow("missing class") << "_class_name" << "remove" << "'_class_name' is missing";
        QTest::newRow("shift NaN string") << "flow_shift" << "\"NaN\"" << "'flow_shift'";
        QTest::newRow("negative shift") << "flow_shift" << "-3.0" << "'flow_shift'";
        QTest::newRow("zero shift") << "flow_shift" << "0" << "'flow_shift'";
        QTest::newRow("negative train steps") << "num_train_timesteps" << "-1000" << "'num_train_timesteps'";
        QTest::newRow("epsilon") << "prediction_type" << "\"epsilon\"" << "'prediction_type'";
        QTest::newRow("no flow sigmas") << "use_flow_sigmas" << "false" << "'use_flow_sigmas'";
        QTest::newRow("order 4") << "solver_order" << "4" << "'solver_order'";
        QTest::newRow("bh3") << "solver_type" << "\"bh3\"" << "'solver_type'";
        QTest::newRow("karras") << "use_karras_sigmas" << "true" << "'use_karras_sigmas'";
        QTest::newRow("dynamic shifting") << "use_dynamic_shifting" << "true" << "'use_dynamic_shifting'";
        QTest::newRow("thresholding") << "thresholding" << "true" << "'thresholding'";
        QTest::newRow("final sigma") << "final_sigmas_type" << "\"one\"" << "'final_sigmas_type'";
        QTest::newRow("shift terminal") << "shift_terminal" << "0.1" << "'shift_terminal'";
        QTest::newRow("no lower order final") << "lower_order_final" << "false" << "'lower_order_final'";
        QTest::newRow("corrector list") << "disable_corrector" << "[-1]" << "'disable_corrector'";
    }

    void badConfigsNameTheFileAndKey() {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QJsonObject cfg = readJson(kModelSchedulerConfig);
        QVERIFY(!cfg.isEmpty());
        if (value == "remove") {
            cfg.remove(key);
        } else {
            cfg[key] = QJsonDocument::fromJson("[" + value.toUtf8() + "]").array().at(0);
        }
        const std::string path = writeConfig(dir, cfg);
        const std::string msg = engineErrorOf([&] { SchedulerConfig::fromFile(path); });
        QVERIFY2(contains(msg, path), msg.c_str());
        QVERIFY2(contains(msg, expected.toStdString()), msg.c_str());
    }

    void eulerOnlyOptionsAreRejected() {
        QTemporaryDir dir;
        for (const char* key : {"invert_sigmas", "stochastic_sampling", "use_dynamic_shifting"}) {
            QJsonObject cfg = readJson(kDataDir + "/manifest.json")["cases"].toObject()["d_euler"].toObject()["config"].toObject();
            cfg["_class_name"] = SchedulerConfig::kEulerClass;
            cfg[key] = true;
            const std::string path = writeConfig(dir, cfg);
            const std::string msg = engineErrorOf([&] { SchedulerConfig::fromFile(path); });
            QVERIFY2(contains(msg, path) && contains(msg, key), msg.c_str());
        }
    }

    void invalidJsonIsAnEngineError() {
        QTemporaryDir dir;
        const std::string path = writeConfig(dir, QByteArray("{\"_class_name\": \"UniPCMultistepScheduler\", \"flow_shift\": NaN}"));
        QVERIFY(contains(engineErrorOf([&] { SchedulerConfig::fromFile(path); }), path));
    }

    void programmaticConfigsAreValidated() {
        SchedulerConfig cfg;
        cfg.source = "test config";
        cfg.shift = std::nan("");
        QVERIFY(contains(engineErrorOf([&] { makeScheduler(cfg); }), "test config: key 'flow_shift'"));
        QVERIFY(contains(engineErrorOf([&] { EulerScheduler(1000, 0.0); }), "'shift'"));
        QVERIFY(contains(engineErrorOf([&] { EulerScheduler(0, 3.0); }), "'num_train_timesteps'"));
    }
};

QTEST_GUILESS_MAIN(TestSchedulers)
#include "test_schedulers.moc"
