// The thread pool: every task runs once, nested regions run inline, thread counts change.
#include <atomic>
#include <vector>

#include "kernel_test.hpp"
#include "threads/thread_pool.hpp"

namespace kt {

void test_threads() {
  namespace th = lstmcore::threads;
  const int saved = th::get_num_threads();
  KT_CHECK(saved >= 1, "default thread count %d", saved);
  for (int threads : {1, 2, 3, 5}) {
    th::set_num_threads(threads);
    KT_CHECK(th::get_num_threads() == threads, "set_num_threads(%d) not applied", threads);
    for (int round = 0; round < 200; ++round) {
      const int n_tasks = 1 + round % 17;
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n_tasks));
      std::atomic<int> nested{0};
      th::parallel_for(n_tasks, [&](int task) {
        hits[static_cast<size_t>(task)].fetch_add(1);
        KT_CHECK(th::in_parallel_region(), "task outside a region");
        th::parallel_for(3, [&](int) { nested.fetch_add(1); });
      });
      int wrong = 0;
      for (auto& h : hits) wrong += h.load() != 1;
      KT_CHECK(wrong == 0, "%d tasks not run exactly once (threads %d)", wrong, threads);
      KT_CHECK(nested.load() == 3 * n_tasks, "nested tasks %d", nested.load());
    }
    // Ranges: chunk boundaries on the grain, the whole range covered once.
    std::vector<int> cover(1000, 0);
    th::parallel_ranges(1000, 16, 1, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
      KT_CHECK(b % 16 == 0, "chunk start %td off the grain", b);
      for (std::ptrdiff_t i = b; i < e; ++i) ++cover[static_cast<size_t>(i)];
    });
    int wrong = 0;
    for (int c : cover) wrong += c != 1;
    KT_CHECK(wrong == 0, "parallel_ranges covered %d elements wrongly", wrong);
  }
  KT_CHECK(!th::in_parallel_region(), "in a region after the regions ended");
  th::set_num_threads(0);
  th::set_num_threads(saved);
  std::printf("  thread pool: ok\n");
}

}  // namespace kt
