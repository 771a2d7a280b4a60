// Child process for test_media_roundtrip's determinism test: writes the tests' synthetic clip (MP4 or
// WebM, by the extension) in a fresh process, so the parent can run it with different heap contents
// (MALLOC_PERTURB_) and compare what comes out.
//
//   encode_clip_helper OUT.mp4|OUT.webm WIDTH HEIGHT FRAMES
//
// Every large C++ allocation (the clip's frames among them) is placed so that it ends exactly at an
// inaccessible page: a library that reads past the end of a frame we hand it crashes here instead of
// reading (or writing) whatever the heap holds next: swscale's SIMD input reads did, by 4 bytes.
#include "media/decoder.h"
#include "media/encoder.h"
#include "media/error.h"
#include "media_test_util.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <new>

#if !defined(__SANITIZE_ADDRESS__)  // AddressSanitizer has its own allocator and guards
namespace {

constexpr std::size_t kGuardFrom = 1024;  // smaller blocks: ordinary heap
constexpr std::size_t kMagic = 0x6b696e6f72616755ull;

struct Header {
    std::size_t magic;
    void* base;
    std::size_t length;
    std::size_t pad;
};

void* guardedAlloc(std::size_t n) {
    if (n < kGuardFrom) {
        void* p = std::malloc(sizeof(Header) + n);
        if (!p) throw std::bad_alloc();
        auto* h = static_cast<Header*>(p);
        *h = Header{0, p, 0, 0};
        return h + 1;
    }
    const std::size_t page = std::size_t(sysconf(_SC_PAGESIZE));
    const std::size_t size = (n + 15) / 16 * 16;  // operator new's alignment; multiples of 16 end at the guard
    const std::size_t dataPages = (size + sizeof(Header) + page - 1) / page;
    const std::size_t length = (dataPages + 1) * page;
    void* base = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) throw std::bad_alloc();
    char* guard = static_cast<char*>(base) + dataPages * page;
    if (mprotect(guard, page, PROT_NONE) != 0) throw std::bad_alloc();
    auto* h = reinterpret_cast<Header*>(guard - size) - 1;
    *h = Header{kMagic, base, length, 0};
    return h + 1;
}

void guardedFree(void* p) noexcept {
    if (!p) return;
    auto* h = static_cast<Header*>(p) - 1;
    if (h->magic == kMagic) {
        munmap(h->base, h->length);
    } else {
        std::free(h->base);
    }
}

}  // namespace

void* operator new(std::size_t n) { return guardedAlloc(n); }
void* operator new[](std::size_t n) { return guardedAlloc(n); }
void operator delete(void* p) noexcept { guardedFree(p); }
void operator delete[](void* p) noexcept { guardedFree(p); }
void operator delete(void* p, std::size_t) noexcept { guardedFree(p); }
void operator delete[](void* p, std::size_t) noexcept { guardedFree(p); }
#endif

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s OUT.mp4|OUT.webm WIDTH HEIGHT FRAMES\n", argv[0]);
        return 2;
    }
    try {
        const auto clip = kinora::media::test::makeClip(std::atoi(argv[2]), std::atoi(argv[3]), std::atoi(argv[4]));
        kinora::media::writeClip(clip, argv[1], kinora::media::formatForPath(argv[1]), kinora::media::test::sampleRecord());
        // Decoding writes each frame into a buffer of exactly its size: guarded too.
        const auto back = kinora::media::decodeFile(argv[1]);
        if (back.clip.frames.size() != clip.frames.size()) {
            std::fprintf(stderr, "decoded %zu frames of %zu\n", back.clip.frames.size(), clip.frames.size());
            return 1;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
