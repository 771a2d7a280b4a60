// The engine's runtime set-up and speed checks, run on the real LibTorch.
#include "engine/bench.h"
#include "engine/runtime.h"
#include "engine/speed_check.h"
#include "engine/transformer.h"

#include <ATen/ATen.h>

#include <QtTest>

#include <cmath>

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

    // The allocator policy keeps freed tensor memory mapped: the same step run again (attention scores
    // and a feed-forward at kinora-tiny's sizes) does not fault its few-MiB tensors in afresh. Under
    // glibc's defaults this loop faulted 1,774-2,091 pages per step on machine G, ~70 with the policy.
    void allocatorPolicyKeepsFreedTensorMemoryMapped() {
        applyAllocatorPolicy();
        QCOMPARE(allocatorPolicy(), std::string("mmap threshold 32 MiB, trim threshold 256 MiB"));
        configureThreads(0);
        at::InferenceMode guard;
        const auto q = at::randn({2, 4, 320, 64}), k = at::randn({2, 4, 320, 64}), v = at::randn({2, 4, 320, 64});
        const auto x = at::randn({2, 320, 256}), w1 = at::randn({1024, 256}), w2 = at::randn({256, 1024});
        double checksum = 0;
        auto step = [&] {
            const auto attention = at::matmul(at::softmax(at::matmul(q * 0.125, k.transpose(-1, -2)), -1), v);
            const auto ffn = at::linear(at::gelu(at::linear(x, w1), "tanh"), w2);
            checksum += attention.sum().item<double>() + ffn.sum().item<double>();
        };
        step();
        const int64_t before = minorPageFaults();
        constexpr int kSteps = 20;
        for (int i = 0; i < kSteps; ++i) step();
        const int64_t perStep = (minorPageFaults() - before) / kSteps;
        QVERIFY(std::isfinite(checksum));
        QVERIFY2(perStep < 400, qPrintable(QStringLiteral("%1 page faults per step").arg(perStep)));
    }

    // Attention over more tokens than kinora-tiny's default clip is computed in blocks of query rows
    // small enough for the policy to serve from the heap. At 1280 tokens (a 256x256 clip) one block
    // of all the scores, 52 MB, and its softmax were mapped afresh at every call: 23,000-38,000 faults
    // per call, for ever, on machine G. With 24-30 MiB blocks the heap grows over the first two or
    // three calls (fragmentation) and then no call faults at all.
    void attentionScoreBlocksStayOnTheHeap() {
        applyAllocatorPolicy();
        configureThreads(0);
        at::InferenceMode guard;
        const auto q = at::randn({2, 4, 1280, 64}), k = at::randn({2, 4, 1280, 64}), v = at::randn({2, 4, 1280, 64});
        const auto reference = at::matmul(at::softmax(at::matmul(q * 0.125, k.transpose(-1, -2)), -1), v);
        QVERIFY(at::allclose(dotProductAttention(q, k, v), reference, 1e-5, 1e-6));
        for (int i = 0; i < 5; ++i) QVERIFY(std::isfinite(dotProductAttention(q, k, v).sum().item<double>()));
        const int64_t before = minorPageFaults();
        constexpr int kCalls = 4;
        for (int i = 0; i < kCalls; ++i) QVERIFY(std::isfinite(dotProductAttention(q, k, v).sum().item<double>()));
        const int64_t perCall = (minorPageFaults() - before) / kCalls;
        const int64_t scorePages = 2 * 4 * 1280 * 1280 * 4 / 4096;
        QVERIFY2(perCall < scorePages / 4,
                 qPrintable(QStringLiteral("%1 page faults per attention call (the scores are %2 pages)").arg(perCall).arg(scorePages)));
    }

    void allocatorPolicyLeavesAUsersMallocSettings() {
        qputenv("MALLOC_TRIM_THRESHOLD_", "1000000");
        applyAllocatorPolicy();
        qunsetenv("MALLOC_TRIM_THRESHOLD_");
        QCOMPARE(allocatorPolicy(), std::string("from the environment (MALLOC_TRIM_THRESHOLD_=1000000)"));
        applyAllocatorPolicy();
        QCOMPARE(allocatorPolicy(), std::string("mmap threshold 32 MiB, trim threshold 256 MiB"));
    }

    // What the policy keeps mapped is given back on request (the studio does so when it goes idle).
    void freedMemoryIsGivenBackOnRequest() {
        applyAllocatorPolicy();
        {
            std::vector<at::Tensor> blocks;
            for (int i = 0; i < 32; ++i) blocks.push_back(at::ones({1 << 20}));  // 32 x 4 MiB, written
        }
        const double kept = rssMiB();
        releaseFreedMemory();
        const double after = rssMiB();
        QVERIFY2(kept - after > 64, qPrintable(QStringLiteral("RSS %1 MiB before, %2 MiB after").arg(kept).arg(after)));
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
