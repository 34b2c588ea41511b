"""Times lstmcore's gemm_fast (the C++ timing program) against torch.mm, interleaved.

Not a test. Build the timing program first, e.g.::

    cmake -S . -B build/h6 -DLSTMCORE_BUILD_TESTS=ON && cmake --build build/h6 -j2 \
        --target lstmcore_bench_gemm
    python benchmarks/gemm_vs_torch.py --bin build/h6/tests/cpp_kernels/lstmcore_bench_gemm

Each round runs torch.mm and then the C++ program for every ISA; the best time of all rounds
is reported for each, so that load from other processes hurts both sides alike. With one
thread the rates are also given by CPU time, which other processes on a busy machine do not
inflate.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import time


def torch_gflops(m: int, n: int, k: int, reps: int, threads: int,
                 dtype: str) -> tuple[float, float]:
    """Best GFLOP/s of torch.mm over `reps` runs, by wall-clock and by CPU time per thread."""
    import torch

    torch.set_num_threads(threads)
    dt = torch.float32 if dtype == "f32" else torch.float64
    a = torch.randn(m, k, dtype=dt)
    b = torch.randn(k, n, dtype=dt)
    torch.mm(a, b)
    best = best_cpu = float("inf")
    for _ in range(reps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    flop = 2.0 * m * n * k
    return flop / best / 1e9, flop / (best_cpu / threads) / 1e9


def ours_gflops(binary: str, m: int, n: int, k: int, reps: int, isa: str, threads: int,
                dtype: str) -> tuple[float, float]:
    """Best GFLOP/s of gemm_fast (wall-clock, CPU time) reported by the C++ timing program."""
    out = subprocess.run(
        [binary, str(m), str(n), str(k), str(reps), isa, str(threads), "0", "0", dtype],
        check=True, capture_output=True, text=True).stdout
    found = re.search(r"([0-9.]+) GFLOP/s \(by CPU time ([0-9.]+)\)", out)
    return float(found.group(1)), float(found.group(2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default="build/h6/tests/cpp_kernels/lstmcore_bench_gemm")
    parser.add_argument("--size", type=int, nargs=3, default=[2048, 2048, 2048])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--dtype", choices=["f32", "f64"], default="f32")
    parser.add_argument("--isas", nargs="+", default=["avx512", "avx2", "baseline"])
    args = parser.parse_args()
    m, n, k = args.size
    wall = {"torch.mm": 0.0, **{isa: 0.0 for isa in args.isas}}
    cpu = dict(wall)
    for _ in range(args.rounds):
        w, c = torch_gflops(m, n, k, args.reps, args.threads, args.dtype)
        wall["torch.mm"], cpu["torch.mm"] = max(wall["torch.mm"], w), max(cpu["torch.mm"], c)
        for isa in args.isas:
            w, c = ours_gflops(args.bin, m, n, k, args.reps, isa, args.threads, args.dtype)
            wall[isa], cpu[isa] = max(wall[isa], w), max(cpu[isa], c)
    print(f"{args.dtype} gemm {m}x{n}x{k}, {args.threads} thread(s), best of {args.rounds} rounds")
    for name in wall:
        line = (f"  {name:10s} {wall[name]:7.1f} GFLOP/s "
                f"({wall[name] / wall['torch.mm']:4.0%} of torch.mm)")
        if args.threads == 1:
            line += (f"   by CPU time {cpu[name]:7.1f} GFLOP/s "
                     f"({cpu[name] / cpu['torch.mm']:4.0%})")
        print(line)


if __name__ == "__main__":
    main()
