"""Timing: the peers of one case run interleaved (round-robin, rotating who goes first), medians
of wall-clock times; the machine's sgemm rate (torch.mm 2048^3) measured in the same run.

Peephole and coupled cases also time lstmcore's standard LSTM of the same sizes in the same
rounds (the runner named PLAIN): their overhead over it is then free of the load's drift between
cases. It is no peer: its outputs differ from the variant's by design."""

from __future__ import annotations

import dataclasses
import os
import statistics
import threading
import time
from typing import Callable, Dict, Iterable, List, Optional, Sequence

import numpy as np

from .cases import Case, CaseData
from .peers import LstmcorePeer, Peer

__all__ = ["PLAIN", "PLAIN_TITLE", "Result", "run_cases", "sgemm_rate"]

PLAIN = "lstm_plain"
PLAIN_TITLE = "lstmcore plain LSTM"


@dataclasses.dataclass
class Result:
    """Median seconds per call of each peer for one case, mode and thread count."""

    case: Case
    training: bool
    threads: int
    times: Dict[str, float]  # peer name (or PLAIN) -> median seconds
    repeats: Dict[str, int]
    agreement: Dict[str, float]  # peer name -> max |y - y_lstmcore| / max |y_lstmcore|
    skipped: Dict[str, str]  # peer name -> why it did not run

    @property
    def mode(self) -> str:
        return "training" if self.training else "inference"

    def ratio(self, peer: str) -> Optional[float]:
        """peer time / lstmcore time (> 1: lstmcore is faster)."""
        if peer not in self.times or "lstmcore" not in self.times:
            return None
        return self.times[peer] / self.times["lstmcore"]

    def plain_ratio(self) -> Optional[float]:
        """lstmcore's time / its plain LSTM's of the same sizes in the same rounds (> 1: the
        peephole or coupled variant is slower); None for other cases."""
        if PLAIN not in self.times or "lstmcore" not in self.times:
            return None
        return self.times["lstmcore"] / self.times[PLAIN]

    def ceiling(self, peer: str, sgemm_gflops: Optional[float]) -> Optional[float]:
        """The highest ratio vs ``peer`` (peer time / ours) reachable on this machine: that of
        an implementation running every matrix product of the case at the measured sgemm rate
        (GFLOP/s, same thread count) with no other cost. None without a rate or peer time."""
        if not sgemm_gflops or peer not in self.times:
            return None
        least = self.case.flops(self.training) / (sgemm_gflops * 1e9)
        return self.times[peer] / least

    def gflops(self) -> Optional[float]:
        t = self.times.get("lstmcore")
        return None if t is None else self.case.flops(self.training) / t / 1e9


def sgemm_rate(threads: int, size: int = 2048, repeats: int = 7) -> Optional[float]:
    """Best GFLOP/s of a float32 size^3 product in torch.mm on ``threads`` threads (None without
    torch). The best of several runs: the machine's rate, not its load's."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(size, size, generator=gen)
    b = torch.randn(size, size, generator=gen)
    out = torch.empty(size, size)
    torch.mm(a, b, out=out)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        torch.mm(a, b, out=out)
        best = min(best, time.perf_counter() - t0)
    return 2.0 * size**3 / best / 1e9


def _agreement(y: np.ndarray, ref: np.ndarray) -> float:
    scale = float(np.max(np.abs(ref))) or 1.0
    return float(np.max(np.abs(np.asarray(y, np.float64) - ref))) / scale


# Pause before each peer's turn. Thread pools keep spinning for a while after a call returns
# (ONNX Runtime's for tens of ms, OpenBLAS's, under the NumPy loop, for over 100 ms, OpenMP's
# less): measured on the 2-core VM, lstmcore's 2-thread LSTM B=16/H=256 call took 25 ms right
# after an ONNX Runtime call and 12.6 ms once 50 ms had passed. Without the pause, whoever runs
# next pays for the previous peer's spinning. The pause lasts at least SETTLE_SECONDS and, where
# the OS reports per-thread CPU time, until the process's other threads are idle
# (QUIET_FRACTION of a core over QUIET_WINDOW), at most SETTLE_MAX_SECONDS.
SETTLE_SECONDS = 0.03
SETTLE_MAX_SECONDS = 1.0
QUIET_WINDOW = 0.01
QUIET_FRACTION = 0.05


def _other_threads_cpu_ns() -> Optional[int]:
    """CPU time (ns) of this process's threads other than the calling one; None where the OS
    does not report it (no /proc/<pid>/task/<tid>/schedstat)."""
    me = threading.get_native_id()
    total = 0
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return None
    for tid in tids:
        if tid == str(me):
            continue
        try:
            with open(f"/proc/self/task/{tid}/schedstat", encoding="ascii") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that just ended, or no schedstat
    return total


def settle() -> None:
    """Wait until other peers' thread pools have stopped spinning (see SETTLE_SECONDS)."""
    time.sleep(SETTLE_SECONDS)
    start = time.perf_counter()
    before = _other_threads_cpu_ns()
    if before is None:
        return
    while time.perf_counter() - start < SETTLE_MAX_SECONDS:
        time.sleep(QUIET_WINDOW)
        now = _other_threads_cpu_ns()
        if now is None or now - before < QUIET_FRACTION * QUIET_WINDOW * 1e9:
            return
        before = now
# Below this many seconds per call, a peer's turn starts with one untimed call, so that its own
# pool is awake and its caches warm, as in a loop of calls in an application.
WARM_BELOW_SECONDS = 0.05


def _time_interleaved(runners: Dict[str, Callable], min_repeats: int, max_repeats: int,
                      budget: float) -> Dict[str, List[float]]:
    """Round-robin timing: each round runs every peer once, starting with a different one, so
    slow drifts of the machine's load fall on all peers alike. Each turn starts after a pause
    (SETTLE_SECONDS) so no peer runs while another's threads still spin."""
    names = list(runners)
    times: Dict[str, List[float]] = {n: [] for n in names}
    start = time.perf_counter()
    for rnd in range(max_repeats):
        for j in range(len(names)):
            name = names[(rnd + j) % len(names)]
            settle()
            if not times[name] or min(times[name]) < WARM_BELOW_SECONDS:
                runners[name]()
            t0 = time.perf_counter()
            runners[name]()
            times[name].append(time.perf_counter() - t0)
        if rnd + 1 >= min_repeats and time.perf_counter() - start > budget:
            break
    return times


def run_cases(cases: Sequence[Case], peers: Sequence[Peer], thread_counts: Iterable[int],
              modes: Iterable[bool], min_repeats: int = 5, max_repeats: int = 50,
              budget: float = 2.0, progress: Optional[Callable[[str], None]] = None
              ) -> List[Result]:
    """Time every case x mode x thread count with every peer that supports it."""
    results = []
    thread_counts = list(thread_counts)
    modes = list(modes)
    for case in cases:
        data = CaseData.make(case)
        for training in modes:
            for threads in thread_counts:
                runners, skipped = {}, {}
                for peer in peers:
                    why = peer.available()
                    if why is None and not peer.supports(data, training):
                        why = "not run for this case"
                    if why is not None:
                        skipped[peer.name] = why
                        continue
                    peer.set_threads(threads)
                    runners[peer.name] = peer.build(data, training, threads)
                twin = case.plain_twin()
                if twin is not None and "lstmcore" in runners:
                    # No set_threads of its own: lstmcore's thread count is process-wide.
                    runners[PLAIN] = LstmcorePeer().build(CaseData.make(twin), training, threads)
                # Warm-up (first-call allocations, thread pools, lazy init) and the check that
                # every peer computes the same outputs.
                agreement = {}
                ref = None
                for name, run in runners.items():
                    y = run()
                    if name == PLAIN:
                        continue
                    if y is not None and name == "lstmcore":
                        ref = np.asarray(y, np.float64)
                    elif y is not None and ref is not None:
                        agreement[name] = _agreement(y, ref)
                raw = _time_interleaved(runners, min_repeats, max_repeats, budget)
                result = Result(case, training, threads,
                                {n: statistics.median(v) for n, v in raw.items()},
                                {n: len(v) for n, v in raw.items()}, agreement, skipped)
                results.append(result)
                if progress is not None:
                    progress(_progress_line(result))
    return results


def _progress_line(r: Result) -> str:
    parts = [f"{r.case.label:28s} {r.mode:9s} {r.threads}t"]
    for name, t in r.times.items():
        ratio = r.plain_ratio() if name == PLAIN else r.ratio(name)
        extra = ("" if name == "lstmcore" or ratio is None else
                 f" (ours / it {ratio:.2f})" if name == PLAIN else f" ({ratio:.2f}x)")
        parts.append(f"{name} {t * 1e3:.2f} ms{extra}")
    return "  ".join(parts)
