"""``lstmcore bench``: options, the run, and where the Markdown report goes."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from .cases import KINDS, full_suite, quick_suite, select
from .peers import PEER_NAMES, all_peers
from .report import load_average, markdown
from .runner import run_cases, sgemm_rate

__all__ = ["add_parser", "configure", "main", "run"]


def _subset(choices):
    def parse(text: str) -> List[str]:
        keys = [k.strip().lower() for k in text.split(",") if k.strip()]
        bad = [k for k in keys if k not in choices]
        if bad or not keys:
            raise argparse.ArgumentTypeError(
                f"expected a comma-separated subset of {','.join(choices)}, got {text!r}")
        return keys
    return parse


def _threads(text: str) -> List[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected thread counts >= 1 like 1,2, got {text!r}")
    return values


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an int >= 1, got {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected seconds >= 0, got {text!r}")
    return value


def configure(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the benchmark's options to ``parser``."""
    parser.add_argument("--quick", action="store_true",
                        help="tiny cases, one thread, two repeats: a smoke test in seconds")
    parser.add_argument("--only", type=_subset(KINDS), default=None,
                        help="comma-separated subset of " + ",".join(KINDS))
    parser.add_argument("--threads", type=_threads, default=None,
                        help="thread counts, comma-separated (default 1,2; 1 with --quick)")
    parser.add_argument("--mode", choices=("inference", "training", "both"), default="both",
                        help="inference, training (forward + backward) or both (default)")
    parser.add_argument("--peers", type=_subset(PEER_NAMES), default=None,
                        help="comma-separated subset of " + ",".join(PEER_NAMES)
                             + " (lstmcore always runs)")
    parser.add_argument("--repeats", type=_positive_int, default=None,
                        help="least timed calls per peer (default 5; 2 with --quick)")
    parser.add_argument("--budget", type=_seconds, default=None,
                        help="seconds per case beyond which no more rounds start (default 2)")
    parser.add_argument("--output", default=None,
                        help="also write the Markdown report to this file")
    parser.add_argument("--no-sgemm", action="store_true",
                        help="skip the torch.mm 2048^3 reference rate")
    return parser


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``bench`` on the ``lstmcore`` command's subparsers."""
    parser = subparsers.add_parser(
        "bench", help="time lstmcore against PyTorch, ONNX Runtime and a NumPy loop",
        description="Times lstmcore against PyTorch, ONNX Runtime (when installed) and the "
                    "NumPy reference, interleaved in one process; prints a Markdown table.")
    configure(parser)
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the benchmark the parsed options describe; returns the exit code."""
    cases = select(quick_suite() if args.quick else full_suite(), args.only)
    threads = args.threads or ([1] if args.quick else [1, 2])
    modes = {"inference": [False], "training": [True], "both": [False, True]}[args.mode]
    peers = [p for p in all_peers()
             if p.name == "lstmcore" or args.peers is None or p.name in args.peers]
    repeats = args.repeats or (2 if args.quick else 5)
    budget = args.budget if args.budget is not None else (0.0 if args.quick else 2.0)
    size = 256 if args.quick else 2048

    def measure_sgemm(rates):
        # Before and after the cases: the better of the two is the machine's rate.
        for n in threads:
            rate = None if args.no_sgemm else sgemm_rate(n, size=size)
            if rate and rate > rates.get(n, 0.0):
                rates[n] = rate
                print(f"sgemm {n} thread(s): {rate:.0f} GFLOP/s", file=sys.stderr)

    sgemm: dict = {}
    loads = [load_average()]
    measure_sgemm(sgemm)
    half = len(cases) // 2
    results = []
    for part in (cases[:half], cases[half:]):
        results += run_cases(part, peers, threads, modes, min_repeats=repeats,
                             max_repeats=max(repeats, 50), budget=budget,
                             progress=lambda line: print(line, file=sys.stderr, flush=True))
        loads.append(load_average())
    measure_sgemm(sgemm)
    report = markdown(results, peers, sgemm, sgemm_size=size, loads=loads)
    print(report)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(report + "\n")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = configure(argparse.ArgumentParser(prog="lstmcore bench", description=__doc__))
    return run(parser.parse_args(argv))
