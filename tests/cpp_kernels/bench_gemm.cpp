// Times gemm_fast (not a test): bench_gemm M N K REPS [ISA] [THREADS] [TA TB]; prints the best
// GFLOP/s by wall-clock time and by CPU time (the latter is robust to other load on the machine
// for one thread). benchmarks/gemm_vs_torch.py runs it next to torch.mm.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "dispatch/isa.hpp"
#include "kernels/gemm_fast.hpp"
#include "threads/thread_pool.hpp"

// CPU time of the whole process (all threads).
double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

struct Rates {
  double wall, cpu;  // GFLOP/s by wall-clock time and by CPU time per thread
};

template <class T>
Rates bench(long m, long n, long k, int reps, bool ta, bool tb) {
  std::vector<T> a(m * k), b(k * n), c(m * n);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  for (auto& x : a) x = u(rng);
  for (auto& x : b) x = u(rng);
  double best = 1e30, best_cpu = 1e30;
  for (int r = 0; r < reps + 1; ++r) {
    const double c0 = cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    lstmcore::kernels::gemm_fast(ta, tb, m, n, k, T(1), a.data(), ta ? m : k, b.data(),
                                 tb ? k : n, T(0), c.data(), n);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cs = cpu_seconds() - c0;
    if (r > 0 && s < best) best = s;  // the first run warms caches and scratch
    if (r > 0 && cs < best_cpu) best_cpu = cs;
  }
  const double flop = 2.0 * m * n * k;
  return {flop / best / 1e9, flop / (best_cpu / lstmcore::threads::get_num_threads()) / 1e9};
}

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s M N K REPS [ISA] [THREADS] [TA TB] [f32|f64]\n", argv[0]);
    return 2;
  }
  const long m = std::atol(argv[1]), n = std::atol(argv[2]), k = std::atol(argv[3]);
  const int reps = std::atoi(argv[4]);
  if (argc > 5) {
    lstmcore::dispatch::Isa isa;
    if (!lstmcore::dispatch::parse_isa(argv[5], &isa)) return 2;
    lstmcore::dispatch::set_max_isa(isa);
  }
  if (argc > 6) lstmcore::threads::set_num_threads(std::atoi(argv[6]));
  const bool ta = argc > 8 && std::atoi(argv[7]) != 0;
  const bool tb = argc > 8 && std::atoi(argv[8]) != 0;
  const bool f64 = argc > 9 && std::string(argv[9]) == "f64";
  const Rates r =
      f64 ? bench<double>(m, n, k, reps, ta, tb) : bench<float>(m, n, k, reps, ta, tb);
  std::printf("%s %s threads=%d m=%ld n=%ld k=%ld ta=%d tb=%d: %.1f GFLOP/s (by CPU time %.1f)\n",
              lstmcore::dispatch::isa_name(lstmcore::dispatch::active_isa()), f64 ? "f64" : "f32",
              lstmcore::threads::get_num_threads(), m, n, k, ta, tb, r.wall, r.cpu);
  return 0;
}
