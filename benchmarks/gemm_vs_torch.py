"""Times lstmcore's gemm_fast (the C++ timing program) against torch.mm, interleaved.

Not a test. Build the timing program first, e.g.::

    cmake -S . -B build/h6 -DLSTMCORE_BUILD_TESTS=ON && cmake --build build/h6 -j2 \
        --target lstmcore_bench_gemm
    python benchmarks/gemm_vs_torch.py --bin build/h6/tests/cpp_kernels/lstmcore_bench_gemm

Each round runs torch.mm and then the C++ program for every ISA; the best time of all rounds
is reported for each, so that load from other processes hurts both sides alike.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import time


def torch_gflops(m: int, n: int, k: int, reps: int, threads: int, dtype: str) -> float:
    """Best GFLOP/s of torch.mm over `reps` runs."""
    import torch

    torch.set_num_threads(threads)
    dt = torch.float32 if dtype == "f32" else torch.float64
    a = torch.randn(m, k, dtype=dt)
    b = torch.randn(k, n, dtype=dt)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    return 2.0 * m * n * k / best / 1e9


def ours_gflops(binary: str, m: int, n: int, k: int, reps: int, isa: str, threads: int,
                dtype: str) -> float:
    """Best GFLOP/s of gemm_fast reported by the C++ timing program."""
    out = subprocess.run(
        [binary, str(m), str(n), str(k), str(reps), isa, str(threads), "0", "0", dtype],
        check=True, capture_output=True, text=True).stdout
    return float(re.search(r"([0-9.]+) GFLOP/s", out).group(1))


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
    best = {"torch.mm": 0.0, **{isa: 0.0 for isa in args.isas}}
    for _ in range(args.rounds):
        best["torch.mm"] = max(best["torch.mm"],
                               torch_gflops(m, n, k, args.reps, args.threads, args.dtype))
        for isa in args.isas:
            best[isa] = max(best[isa], ours_gflops(args.bin, m, n, k, args.reps, isa,
                                                   args.threads, args.dtype))
    print(f"{args.dtype} gemm {m}x{n}x{k}, {args.threads} thread(s), best of {args.rounds} rounds")
    for name, g in best.items():
        print(f"  {name:10s} {g:7.1f} GFLOP/s  ({g / best['torch.mm']:.0%} of torch.mm)")


if __name__ == "__main__":
    main()
