// Per-thread scratch memory for kernels that need packing buffers (grown, never shrunk).
#pragma once

#include <cstddef>

namespace lstmcore::kernels {

// A 64-byte aligned buffer of at least `bytes` owned by the calling thread; valid until the
// next call on that thread with the same slot. Slots let one kernel hold several buffers.
void* thread_scratch(int slot, std::size_t bytes);

constexpr int kScratchSlots = 4;
constexpr int kScratchGemmA = 0;
constexpr int kScratchGemmB = 1;

}  // namespace lstmcore::kernels
