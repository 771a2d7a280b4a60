// The engine's runtime set-up and speed checks, run on the real LibTorch.
#include "engine/runtime.h"
#include "engine/speed_check.h"

#include <QtTest>

using namespace kinora::engine;

class TestRuntime : public QObject {
    Q_OBJECT
private slots:
    void configureThreadsUsesEveryCoreByDefault() {
        QCOMPARE(configureThreads(1), 1);
        QCOMPARE(runtimeInfo().threads, 1);
        QCOMPARE(configureThreads(0), hardwareThreads());
        QCOMPARE(runtimeInfo().threads, hardwareThreads());
    }

    // The tests compute under the programs' OpenMP wait policy (tests/CMakeLists.txt gives CTest's
    // environment the spin count applyOpenMpWaitPolicy sets): under libgomp's default, a 2.3 s
    // generation in test_studio_window took over 60 s beside test_trainer on two cores and failed CI.
    void testsRunUnderTheProgramsWaitPolicy() {
        QVERIFY2(openMpWaitPolicy() == "GOMP_SPINCOUNT=" KINORA_GOMP_SPINCOUNT,
                 qPrintable(QStringLiteral("wait policy %1: run the tests through ctest, or with GOMP_SPINCOUNT=%2")
                                .arg(QString::fromStdString(openMpWaitPolicy()), QStringLiteral(KINORA_GOMP_SPINCOUNT))));
    }

    void runtimeInfoDescribesTheBuild() {
        const auto info = runtimeInfo();
        QVERIFY(!info.torch_version.empty());
        QVERIFY(info.hardware_threads >= 1);
        // Debian's LibTorch is built with OpenMP and oneDNN; Kinora's VAE relies on oneDNN convolutions.
        QVERIFY(info.openmp);
        QVERIFY(info.mkldnn);
        QVERIFY2(!info.blas_library.empty(), "no shared object provides sgemm_");
        QVERIFY(info.cuda_devices == 0 || info.cuda_available);
    }

    void matmulSpeedIsMeasuredAndVerified() {
        configureThreads(0);
        const auto r = measureMatmul(0.2, 256);
        QCOMPARE(r.operation, std::string("matmul"));
        QVERIFY(r.verified);
        QVERIFY(r.repetitions >= 1);
        QVERIFY(r.gflops > 0.1);
        QVERIFY(r.seconds < 5.0);
    }

    void conv3dSpeedIsMeasuredAndVerified() {
        const auto r = measureConv3d(0.1);
        QCOMPARE(r.operation, std::string("conv3d"));
        QVERIFY(r.verified);
        QVERIFY(r.gflops > 0.1);
    }
};

QTEST_GUILESS_MAIN(TestRuntime)
#include "test_runtime.moc"
