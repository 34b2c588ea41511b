// Runs the two directions of a bidirectional layer at once, one pool thread each.
#pragma once

#include <exception>

#include "lstmcore/types.hpp"
#include "threads/thread_pool.hpp"

namespace lstmcore::detail {

// Whether the two directions of each layer should run side by side: two directions, two
// threads, not already inside a parallel region, and enough work per direction (multiply-adds
// over the sequence, first layer) that waking a second thread pays.
inline bool directions_side_by_side(Index directions, Index steps, Index batch, Index gate_width,
                                    Index input_size, Index output_size) {
  constexpr double kMinWork = 1.0e6;
  const double work = static_cast<double>(steps) * static_cast<double>(batch) *
                      static_cast<double>(gate_width) *
                      static_cast<double>(input_size + output_size);
  return directions == 2 && work >= kMinWork && threads::get_num_threads() >= 2 &&
         !threads::in_parallel_region();
}

// f(0) and f(1) on two threads of the pool; work they start runs on their own thread only
// (threads::in_parallel_region). An exception of either is rethrown here once both are done
// (a pool task must not let one escape).
template <class F>
void run_side_by_side(F&& f) {
  std::exception_ptr error[2];
  threads::parallel_for(2, [&](int d) {
    try {
      f(d);
    } catch (...) {
      error[d] = std::current_exception();
    }
  });
  for (const std::exception_ptr& e : error)
    if (e) std::rethrow_exception(e);
}

}  // namespace lstmcore::detail
