// The persistent worker pool behind parallel_for.
#include "threads/thread_pool.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#include <emmintrin.h>
#define LSTMCORE_CPU_RELAX() _mm_pause()
#else
#define LSTMCORE_CPU_RELAX() std::this_thread::yield()
#endif

namespace lstmcore::threads {

namespace {

// Spins before a waiting thread sleeps: long enough to bridge the gap between the steps of a
// recurrence (microseconds), short enough not to burn a core when idle.
constexpr int kSpinIterations = 4000;

thread_local bool tls_in_region = false;

int default_num_threads() {
  const char* env = std::getenv("LSTMCORE_NUM_THREADS");
  if (env != nullptr && *env != '\0') {
    char* end = nullptr;
    const long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n >= 1 && n <= 1024) return static_cast<int>(n);
  }
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n >= 1) return n;
  }
#endif
  const unsigned hw = std::thread::hardware_concurrency();
  return hw >= 1 ? static_cast<int>(hw) : 1;
}

class Pool {
 public:
  explicit Pool(int n_threads) : n_threads_(n_threads) {
    for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      stopping_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

  int size() const { return n_threads_; }

  // Caller holds run_mutex_ (one job at a time).
  void run(int n_tasks, detail::TaskFn fn, void* ctx) {
    fn_ = fn;
    ctx_ = ctx;
    n_tasks_ = n_tasks;
    next_task_.store(0, std::memory_order_relaxed);
    finished_.store(0, std::memory_order_relaxed);
    const unsigned job = generation_.load(std::memory_order_relaxed) + 1;
    // Open the job to joiners (publishes the fields above), then wake the workers.
    entry_.store(static_cast<std::uint64_t>(job) << 32, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      generation_.store(job, std::memory_order_release);
    }
    wake_.notify_all();
    work();
    // Every task is claimed: close the job, so that a worker that has not joined yet (asleep,
    // or descheduled on a busy machine) is not waited for; it finds the job closed and skips it.
    const std::uint64_t joined = entry_.fetch_or(kClosed, std::memory_order_acq_rel) & kJoinedMask;
    // The barrier: every worker that joined has finished its share.
    for (int spins = 0; finished_.load(std::memory_order_acquire) != joined; ++spins) {
      if (spins < kSpinIterations) {
        LSTMCORE_CPU_RELAX();
      } else {
        std::this_thread::yield();
      }
    }
  }

  std::mutex run_mutex_;

 private:
  void work() {
    const bool was_in_region = tls_in_region;
    tls_in_region = true;
    for (;;) {
      const int task = next_task_.fetch_add(1, std::memory_order_relaxed);
      if (task >= n_tasks_) break;
      fn_(ctx_, task);
    }
    tls_in_region = was_in_region;
  }

  void worker_loop() {
    // The generation at construction: a worker that starts late must still take the first job.
    unsigned seen = 0;
    for (;;) {
      // Wait for the next job: spin, then sleep.
      unsigned now = generation_.load(std::memory_order_acquire);
      for (int spins = 0; now == seen && spins < kSpinIterations; ++spins) {
        LSTMCORE_CPU_RELAX();
        now = generation_.load(std::memory_order_acquire);
      }
      if (now == seen) {
        std::unique_lock<std::mutex> lock(sleep_mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        now = generation_.load(std::memory_order_acquire);
      }
      seen = now;
      if (stopping_) return;
      if (!join(seen)) continue;
      work();
      finished_.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  // Joins job `job` unless it is closed or already replaced by a newer one.
  bool join(unsigned job) {
    std::uint64_t e = entry_.load(std::memory_order_acquire);
    for (;;) {
      if (static_cast<unsigned>(e >> 32) != job || (e & kClosed) != 0) return false;
      if (entry_.compare_exchange_weak(e, e + 1, std::memory_order_acq_rel,
                                       std::memory_order_acquire))
        return true;
    }
  }

  // entry_: the job's generation in the high 32 bits, kClosed once the caller stops waiting for
  // joiners, and the count of workers that joined in the low bits.
  static constexpr std::uint64_t kClosed = std::uint64_t{1} << 31;
  static constexpr std::uint64_t kJoinedMask = kClosed - 1;

  int n_threads_;
  std::vector<std::thread> workers_;
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
  std::atomic<unsigned> generation_{0};
  bool stopping_ = false;
  detail::TaskFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int n_tasks_ = 0;
  std::atomic<int> next_task_{0};
  std::atomic<std::uint64_t> entry_{0};
  std::atomic<std::uint64_t> finished_{0};
};

std::mutex config_mutex;
int configured_threads = 0;  // 0: default not read yet
std::shared_ptr<Pool> pool;

int configured_count() {
  if (configured_threads == 0) configured_threads = default_num_threads();
  return configured_threads;
}

}  // namespace

int get_num_threads() {
  std::lock_guard<std::mutex> lock(config_mutex);
  return configured_count();
}

void set_num_threads(int n) {
  std::lock_guard<std::mutex> lock(config_mutex);
  configured_threads = n >= 1 ? n : default_num_threads();
  // Retire a pool of another size; a job still running on it keeps it alive until it ends, and
  // the next parallel_for starts a new one.
  if (pool && pool->size() != configured_threads) pool.reset();
}

bool in_parallel_region() { return tls_in_region; }

namespace detail {

void run_tasks(int n_tasks, TaskFn fn, void* ctx) {
  if (n_tasks <= 0) return;
  std::shared_ptr<Pool> p;  // shared: a concurrent set_num_threads may retire the pool
  if (!tls_in_region && n_tasks > 1) {
    std::lock_guard<std::mutex> lock(config_mutex);
    if (configured_count() > 1) {
      if (!pool) pool = std::make_shared<Pool>(configured_threads);
      p = pool;
    }
  }
  if (p) {
    std::unique_lock<std::mutex> run_lock(p->run_mutex_, std::try_to_lock);
    if (run_lock.owns_lock()) {
      p->run(n_tasks, fn, ctx);
      return;
    }
  }
  // Nested, single-threaded, or the pool is busy with another caller's job: run inline.
  const bool was_in_region = tls_in_region;
  tls_in_region = true;
  for (int task = 0; task < n_tasks; ++task) fn(ctx, task);
  tls_in_region = was_in_region;
}

}  // namespace detail

}  // namespace lstmcore::threads
