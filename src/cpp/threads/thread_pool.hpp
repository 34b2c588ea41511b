// A persistent pool of worker threads and parallel_for over task indices.
//
// Workers are started once (and again only when the thread count changes), wait between calls
// by spinning briefly and then sleeping, and the calling thread takes part in the work. A
// parallel_for returns when every task is done (one barrier per call). Tasks must not depend on
// which thread runs them: callers split outputs (rows/columns), never a reduction, so results are
// bitwise identical for any thread count. A parallel_for issued from inside a task, or while
// another thread holds the pool, runs its tasks inline on the calling thread.
#pragma once

#include <cstddef>
#include <type_traits>

namespace lstmcore::threads {

// Threads used by parallel regions (>= 1). Default: LSTMCORE_NUM_THREADS if set (>= 1), else the
// CPUs this process may run on.
int get_num_threads();
// n >= 1 sets the count; n <= 0 restores the default. Not to be called while a parallel_for runs.
void set_num_threads(int n);
// True on a thread that is running a task of a parallel_for.
bool in_parallel_region();

namespace detail {
using TaskFn = void (*)(void* context, int task);
void run_tasks(int n_tasks, TaskFn fn, void* context);
}  // namespace detail

// Runs f(task) for every task in [0, n_tasks) across the pool; returns when all are done.
// Exceptions must not escape f.
template <class F>
void parallel_for(int n_tasks, F&& f) {
  if (n_tasks <= 0) return;
  using Fn = std::remove_reference_t<F>;
  detail::run_tasks(
      n_tasks, [](void* ctx, int task) { (*static_cast<Fn*>(ctx))(task); },
      const_cast<void*>(static_cast<const void*>(&f)));
}

// Splits [0, total) into at most get_num_threads() chunks whose boundaries are multiples of
// `grain` (except the end) and runs f(begin, end) on each. Chunks smaller than min_chunk are not
// made: small ranges stay on fewer threads.
template <class F>
void parallel_ranges(std::ptrdiff_t total, std::ptrdiff_t grain, std::ptrdiff_t min_chunk, F&& f) {
  if (total <= 0) return;
  if (grain < 1) grain = 1;
  const std::ptrdiff_t units = (total + grain - 1) / grain;
  std::ptrdiff_t chunks = get_num_threads();
  const std::ptrdiff_t min_units = min_chunk > grain ? (min_chunk + grain - 1) / grain : 1;
  if (units / min_units < chunks) chunks = units / min_units;
  if (chunks < 1) chunks = 1;
  if (chunks == 1 || in_parallel_region()) {
    f(std::ptrdiff_t{0}, total);
    return;
  }
  parallel_for(static_cast<int>(chunks), [&](int c) {
    const std::ptrdiff_t u0 = units * c / chunks;
    const std::ptrdiff_t u1 = units * (c + 1) / chunks;
    const std::ptrdiff_t begin = u0 * grain;
    const std::ptrdiff_t end = u1 * grain < total ? u1 * grain : total;
    if (begin < end) f(begin, end);
  });
}

}  // namespace lstmcore::threads
