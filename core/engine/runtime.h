// LibTorch runtime set-up and description: thread count, build flags, devices.
#pragma once

#include <string>

namespace kinora::engine {

struct RuntimeInfo {
    std::string torch_version;     // TORCH_VERSION of the headers we were built with
    int threads = 0;               // at::get_num_threads() now
    int interop_threads = 0;       // at::get_num_interop_threads() now
    int hardware_threads = 0;      // cores the OS reports
    bool openmp = false;
    bool mkldnn = false;           // oneDNN, used for convolutions
    bool mkl = false;
    std::string blas_build;        // BLAS_INFO from the LibTorch build config
    std::string blas_library;      // the shared object that provides sgemm_ in this process
    std::string cpu_capability;    // AVX2, AVX512, ... as LibTorch reports it
    bool native_bfloat16 = false;  // nativeBfloat16()
    bool cuda_available = false;
    int cuda_devices = 0;
};

// Number of hardware threads (at least 1).
int hardwareThreads();

// Two OpenMP threads on two cores collapse when a third process competes: libgomp's barriers spin
// for a long time by default, and a spinning thread holds a core its partner needs. Measured on a
// transformer call (docs/BENCHMARKS.md, "Notes on contention"): 0.28 s quiet / 3-12 s contended with
// the default, 0.31 / 1.2 s passive, 0.26 / 1.5-1.7 s with GOMP_SPINCOUNT 2000-20000. libgomp reads its
// environment when it is loaded, before main(), so this sets GOMP_SPINCOUNT=10000 (KINORA_GOMP_SPINCOUNT
// in CMakeLists.txt) and re-executes the program, unless the user chose a policy (OMP_WAIT_POLICY or
// GOMP_SPINCOUNT set). Call first in main().
// Returns only when no re-exec happened (already set, or exec failed).
void applyOpenMpWaitPolicy(char** argv);

// The OpenMP wait settings in effect ("GOMP_SPINCOUNT=10000", "OMP_WAIT_POLICY=passive" or "default").
std::string openMpWaitPolicy();

// Tensors of a few MiB are allocated and freed many times per denoising step (attention scores,
// feed-forward activations, every VAE feature map). glibc serves blocks over its mmap threshold
// (128 KiB at start, raised only as such blocks are freed) with mmap and unmaps them on free, and trims
// the top of the heap once 2x that threshold is free: each such tensor then costs a page fault per
// 4 KiB page on its first write. Measured on kinora-tiny (machine G, docs/BENCHMARKS.md "Tensor
// allocator policy"): a 20-step clip faulted 34,000 pages, 40 with the policy; VAE decode 10-17% faster,
// the trainer's latent encoding 1.4x.
// This keeps blocks up to 32 MiB on the heap and keeps up to 256 MiB of freed heap mapped, unless the
// user tuned malloc (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_ or a
// glibc.malloc tunable in GLIBC_TUNABLES). Call at the start of main(), before tensors exist.
void applyAllocatorPolicy();

// Gives the freed heap the policy keeps mapped back to the OS (glibc malloc_trim): for a program that
// goes idle after generating (the studio when its queue runs dry), so an idle window does not hold up
// to 256 MiB of memory it is not using. The next generation faults that memory in once.
void releaseFreedMemory();

// The allocator settings in effect: "mmap threshold 32 MiB, trim threshold 256 MiB", "from the
// environment (...)", "default" when applyAllocatorPolicy was not called, or why it could not apply.
std::string allocatorPolicy();

// LibTorch starts with ONE intra-op thread on Debian's build (DESIGN.md); this sets the intra-op
// thread count to `threads`, or to every hardware thread when `threads` <= 0. Returns the count in use.
int configureThreads(int threads);

// Whether the processor computes bfloat16 products in hardware (the avx512_bf16 or amx_bf16 flag in
// /proc/cpuinfo). Without them LibTorch emulates bfloat16, and it is much slower than float32, not
// faster: measured on an AVX2-only AMD EPYC (2 threads), a 2048x384 by 384x1536 product took 0.58 s
// in bfloat16 against 0.027 s in float32 (21x); with AVX512-BF16 a training step of kinora-tiny ran 1.8x
// faster in bfloat16. False where /proc/cpuinfo cannot be read.
bool nativeBfloat16();

// What this process's LibTorch is and can do. Cheap; no benchmarks.
RuntimeInfo runtimeInfo();

}  // namespace kinora::engine
