#include "engine/runtime.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <dlfcn.h>
#include <malloc.h>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <thread>
#include <unistd.h>

namespace kinora::engine {
namespace {

// Value of `key=` in LibTorch's comma-separated build settings, or "".
std::string buildSetting(const std::string& config, const std::string& key) {
    const auto pos = config.find(key + "=");
    if (pos == std::string::npos) return {};
    const auto start = pos + key.size() + 1;
    const auto end = config.find_first_of(",\n", start);
    return config.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string lineValue(const std::string& config, const std::string& prefix) {
    const auto pos = config.find(prefix);
    if (pos == std::string::npos) return {};
    const auto start = pos + prefix.size();
    const auto end = config.find('\n', start);
    return config.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// Debian switches BLAS implementations with alternatives behind libblas.so.3 (and LD_PRELOAD can
// override them), so the build config cannot say which one runs: ask the dynamic linker which shared
// object provides sgemm_, the symbol LibTorch's float32 matrix products call.
std::string blasLibraryProviding_sgemm() {
    void* sym = dlsym(RTLD_DEFAULT, "sgemm_");
    Dl_info info{};
    if (sym == nullptr || dladdr(sym, &info) == 0 || info.dli_fname == nullptr) return {};
    // Resolve the alternatives symlink so the report names the real library (OpenBLAS or reference).
    char resolved[PATH_MAX];
    return realpath(info.dli_fname, resolved) ? std::string(resolved) : std::string(info.dli_fname);
}

}  // namespace

void applyOpenMpWaitPolicy(char** argv) {
    if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
    setenv("GOMP_SPINCOUNT", KINORA_GOMP_SPINCOUNT, 0);
    execv("/proc/self/exe", argv);
    // exec failed (no /proc?): run on with the default policy rather than not at all.
}

namespace {
std::string& allocatorPolicyState() {
    static std::string state = "default";
    return state;
}
}  // namespace

void applyAllocatorPolicy() {
    std::string& state = allocatorPolicyState();
    std::string tuned;
    for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"}) {
        if (std::getenv(name)) tuned += (tuned.empty() ? "" : ", ") + std::string(name) + "=" + std::getenv(name);
    }
    if (const char* t = std::getenv("GLIBC_TUNABLES"); t && std::strstr(t, "glibc.malloc.")) {
        tuned += (tuned.empty() ? "" : ", ") + std::string("GLIBC_TUNABLES=") + t;
    }
    if (!tuned.empty()) {
        state = "from the environment (" + tuned + ")";
        return;
    }
    constexpr int kMmapThreshold = 32 << 20;  // glibc's own ceiling for its adaptive threshold
    constexpr int kTrimThreshold = 256 << 20;
    // mallopt returns 0 where the allocator does not take the setting (a replacement malloc may not).
    if (mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1) {
        state = "mmap threshold 32 MiB, trim threshold 256 MiB";
    } else {
        state = "default (this allocator refused mallopt)";
    }
}

std::string allocatorPolicy() { return allocatorPolicyState(); }

void releaseFreedMemory() { malloc_trim(0); }

std::string openMpWaitPolicy() {
    if (const char* p = std::getenv("OMP_WAIT_POLICY")) return std::string("OMP_WAIT_POLICY=") + p;
    if (const char* c = std::getenv("GOMP_SPINCOUNT")) return std::string("GOMP_SPINCOUNT=") + c;
    return "default";
}

bool nativeBfloat16() {
    static const bool native = [] {
        std::ifstream in("/proc/cpuinfo");
        std::string line;
        while (std::getline(in, line)) {
            // x86 lists its features on "flags : ..." lines, one per core; the first is enough.
            if (line.rfind("flags", 0) != 0) continue;
            std::istringstream words(line.substr(line.find(':') + 1));
            std::string flag;
            while (words >> flag) {
                if (flag == "avx512_bf16" || flag == "amx_bf16") return true;
            }
            return false;
        }
        return false;
    }();
    return native;
}

int hardwareThreads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

int configureThreads(int threads) {
    const int wanted = threads > 0 ? threads : hardwareThreads();
    if (at::get_num_threads() != wanted) at::set_num_threads(wanted);
    return at::get_num_threads();
}

RuntimeInfo runtimeInfo() {
    RuntimeInfo info;
    info.torch_version = TORCH_VERSION;
    info.threads = at::get_num_threads();
    info.interop_threads = at::get_num_interop_threads();
    info.hardware_threads = hardwareThreads();
    info.openmp = at::hasOpenMP();
    info.mkldnn = at::hasMKLDNN();
    info.mkl = at::hasMKL();
    const std::string config = at::show_config();
    info.blas_build = buildSetting(config, "BLAS_INFO");
    info.cpu_capability = lineValue(config, "CPU capability usage: ");
    info.blas_library = blasLibraryProviding_sgemm();
    info.native_bfloat16 = nativeBfloat16();
    info.cuda_available = torch::cuda::is_available();
    info.cuda_devices = info.cuda_available ? static_cast<int>(torch::cuda::device_count()) : 0;
    return info;
}

}  // namespace kinora::engine
