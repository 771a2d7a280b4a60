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
    bool cuda_available = false;
    int cuda_devices = 0;
};

// Number of hardware threads (at least 1).
int hardwareThreads();

// LibTorch starts with ONE intra-op thread on Debian's build (DESIGN.md); this sets the intra-op
// thread count to `threads`, or to every hardware thread when `threads` <= 0. Returns the count in use.
int configureThreads(int threads);

// What this process's LibTorch is and can do. Cheap; no benchmarks.
RuntimeInfo runtimeInfo();

}  // namespace kinora::engine
