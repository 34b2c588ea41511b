// Runs a sequence of dependent phases (the steps of a recurrence), each split into chunks, in ONE
// parallel region: a phase starts when every chunk of the one before is done (one barrier per
// phase, on atomics), instead of one fork-join per step.
//
// Chunks are claimed, not assigned: thread k tries chunk k first (so a thread keeps the same
// weights in its cache step after step) and then takes any chunk still free. If the pool runs
// the tasks one after another (nested call, busy pool, one thread), the first task does every
// phase alone and the others find nothing left: no barrier can wait on a task that has not
// started. What a chunk computes never depends on the thread that runs it.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "lstmcore/types.hpp"
#include "threads/thread_pool.hpp"

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#include <emmintrin.h>
#define LSTMCORE_PHASE_RELAX() _mm_pause()
#else
#define LSTMCORE_PHASE_RELAX() std::this_thread::yield()
#endif

namespace lstmcore::detail {

// fn(phase, chunk) for phase in [0, n_phases) in order and chunk in [0, n_chunks); fn must not
// throw.
template <class F>
void run_phases(Index n_phases, int n_chunks, F&& fn) {
  if (n_phases <= 0) return;
  if (n_chunks <= 1) {
    for (Index ph = 0; ph < n_phases; ++ph) fn(ph, 0);
    return;
  }
  struct alignas(64) Slot {
    std::atomic<Index> v{0};
  };
  // claimed[c] == ph + 1 once chunk c of phase ph is taken; done counts finished chunks.
  std::unique_ptr<Slot[]> claimed(new Slot[static_cast<std::size_t>(n_chunks)]);
  Slot done;
  const Index total = n_phases * n_chunks;
  threads::parallel_for(n_chunks, [&](int k) {
    Index ph = 0;
    int spins = 0;
    for (;;) {
      const Index finished = done.v.load(std::memory_order_acquire);
      if (finished >= total) return;
      const Index open = finished / n_chunks;  // the phase now running
      if (open < ph) {
        // Phase ph - 1 still has chunks in flight on other threads.
        if (++spins < 2000) {
          LSTMCORE_PHASE_RELAX();
        } else {
          std::this_thread::yield();
        }
        continue;
      }
      spins = 0;
      ph = open;
      for (int i = 0; i < n_chunks; ++i) {
        const int c = (k + i) % n_chunks;
        Index expect = ph;
        if (claimed[c].v.load(std::memory_order_relaxed) != ph ||
            !claimed[c].v.compare_exchange_strong(expect, ph + 1, std::memory_order_acq_rel))
          continue;
        fn(ph, c);
        done.v.fetch_add(1, std::memory_order_acq_rel);
      }
      ++ph;
    }
  });
}

// [first, last) of chunk c when n items are split into n_chunks nearly equal ranges.
inline Index chunk_begin(Index n, int n_chunks, int c) { return n * c / n_chunks; }

}  // namespace lstmcore::detail
