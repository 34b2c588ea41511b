// Per-thread scratch memory: one growing aligned block per slot and thread.
#include "kernels/scratch.hpp"

#include <cstdlib>
#if defined(_MSC_VER)
#include <malloc.h>
#endif
#include <new>

namespace lstmcore::kernels {

namespace {

void* aligned_allocate(std::size_t size) {
#if defined(_MSC_VER)
  return _aligned_malloc(size, 64);
#else
  return std::aligned_alloc(64, size);
#endif
}

void aligned_free(void* p) {
#if defined(_MSC_VER)
  _aligned_free(p);
#else
  std::free(p);
#endif
}

struct ScratchBlock {
  void* data = nullptr;
  std::size_t size = 0;
  ~ScratchBlock() { aligned_free(data); }
};

thread_local ScratchBlock blocks[kScratchSlots];

}  // namespace

void* thread_scratch(int slot, std::size_t bytes) {
  ScratchBlock& block = blocks[slot];
  if (block.size < bytes) {
    aligned_free(block.data);
    block.data = nullptr;
    block.size = 0;
    // Grow geometrically so that a slowly rising demand does not reallocate every call.
    std::size_t size = bytes + bytes / 4;
    size = (size + 63) / 64 * 64;
    void* p = aligned_allocate(size);
    if (p == nullptr) throw std::bad_alloc();
    block.data = p;
    block.size = size;
  }
  return block.data;
}

}  // namespace lstmcore::kernels
