// Runs the two directions of a bidirectional layer at once, one pool thread each.
#pragma once

#include <exception>

#include "threads/thread_pool.hpp"

namespace lstmcore::detail {

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
