"""``lstmcore demo``: arguments, the run from training to pictures, and the closing summary."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import List, Optional, TextIO

from .adding import MODELS as _MODEL_KEYS

__all__ = ["add_parser", "run", "main"]


def _positive_int(text: str) -> int:
    v = int(text)
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected an int >= 1, got {v}")
    return v


def _models(text: str) -> List[str]:
    keys = [k.strip().lower() for k in text.split(",") if k.strip()]
    bad = [k for k in keys if k not in _MODEL_KEYS]
    if bad or not keys:
        raise argparse.ArgumentTypeError(
            f"expected a comma-separated subset of {','.join(_MODEL_KEYS)}, got {text!r}")
    return keys


def configure(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the demo's options to ``parser``."""
    parser.add_argument("--steps", type=_positive_int, default=None,
                        help="sequence length T of the adding problem "
                             "(default 50; 12 with --quick)")
    parser.add_argument("--out", default="lstmcore-demo",
                        help="folder for the pictures and CSV files (default ./lstmcore-demo/)")
    parser.add_argument("--quick", action="store_true",
                        help="a tiny run that finishes in seconds (for tests and a first look)")
    parser.add_argument("--iters", type=_positive_int, default=None,
                        help="training iterations per model (default 1000; 30 with --quick)")
    parser.add_argument("--hidden", type=_positive_int, default=None,
                        help="hidden units of every model (default 32)")
    parser.add_argument("--batch", type=_positive_int, default=None,
                        help="sequences per training iteration (default 64)")
    parser.add_argument("--lr", type=float, default=None, help="Adam step size (default 0.02)")
    parser.add_argument("--seed", type=int, default=0, help="seed of data and weights (default 0)")
    parser.add_argument("--models", type=_models, default=None,
                        help="comma-separated subset of " + ",".join(_MODEL_KEYS))
    parser.add_argument("--backend", choices=("cpp", "reference"), default="cpp",
                        help="run the layers on the C++ core (default) or on the pure-NumPy "
                             "reference (slower; same numbers to rounding)")
    parser.add_argument("--text", action="store_true",
                        help="write text charts even when matplotlib is installed")
    return parser


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``demo`` on the ``lstmcore`` command's subparsers."""
    p = subparsers.add_parser(
        "demo", help="train RNN, LSTM, GRU and two LSTM variants on the adding problem",
        description="The adding problem: remember two marked numbers in a long random sequence "
                    "and output their sum. Trains a vanilla RNN, an LSTM, a GRU, a peephole "
                    "LSTM and a coupled-gate LSTM with the same budget, prints a results table "
                    "and writes learning curves, gradient-flow curves and an LSTM gate heatmap "
                    "(PNG with matplotlib, text otherwise) plus their numbers as CSV.")
    configure(p)
    p.set_defaults(handler=run)
    return p


def _config(args):
    from .adding import DemoConfig

    changes = {k: getattr(args, k) for k in ("steps", "iters", "hidden", "batch", "lr")
               if getattr(args, k) is not None}
    changes["seed"] = args.seed
    if args.models:
        changes["models"] = tuple(args.models)
    if args.lr is not None and not args.lr > 0:
        raise SystemExit(f"lstmcore demo: --lr: expected a number > 0, got {args.lr}")
    if changes.get("steps", 2) < 2:
        raise SystemExit("lstmcore demo: --steps: expected at least 2")
    return DemoConfig.quick(**changes) if args.quick else DemoConfig(**changes)


def run(args: argparse.Namespace, stream: Optional[TextIO] = None) -> int:
    """Run the demo as the parsed ``args`` say; print progress and the results table."""
    from .adding import gate_example, run_experiment
    from .backend import describe_backend, using_backend
    from .plots import have_matplotlib, write_pngs
    from .report import results_table, write_csvs
    from .textplots import write_texts

    out = sys.stdout if stream is None else stream
    cfg = _config(args)
    os.makedirs(args.out, exist_ok=True)
    with using_backend(args.backend):
        where = describe_backend()
    print(f"lstmcore demo: the adding problem, T = {cfg.steps}; {len(cfg.models)} models, "
          f"{cfg.iters} iterations of {cfg.batch} sequences each, hidden size {cfg.hidden}, "
          f"Adam lr {cfg.lr}, {where}", file=out)
    started = time.perf_counter()
    with using_backend(args.backend):
        runs = run_experiment(cfg, out)
        lstm = next((r for r in runs if r.layer.spec.mode == "lstm"), None)
        gates = gate_example(lstm, cfg) if lstm is not None else {}
    written = write_csvs(args.out, runs, gates, cfg.steps)
    if have_matplotlib() and not args.text:
        written += write_pngs(args.out, runs, gates, cfg.steps)
    else:
        written += write_texts(args.out, runs, gates, cfg.steps)
        if not args.text:
            print("matplotlib is not installed: wrote text charts instead of PNGs "
                  "(pip install 'lstmcore[demo]' for pictures)", file=out)
    total = time.perf_counter() - started
    print("", file=out)
    print(results_table(runs, cfg.steps), file=out)
    print("", file=out)
    print(_flow_summary(runs), file=out)
    print(f"\nwrote {len(written)} files to {os.path.abspath(args.out)}:", file=out)
    for path in written:
        print(f"  {os.path.basename(path)}", file=out)
    print(f"total time {total:.1f} s", file=out)
    return 0


def _flow_summary(runs) -> str:
    """One sentence per model: how much of the gradient is left 'far' steps back."""
    lines = ["Gradient reaching back (trained models; |dL/dh_t| at the first step relative to "
             "the last):"]
    for r in runs:
        if r.key not in ("rnn", "lstm", "gru"):
            continue
        h = r.flow_trained["hidden"]
        ratio = h[-1] / h[0] if h[0] > 0 else float("nan")
        lines.append(f"  {r.name:<12} {ratio:9.2e}  ({len(h) - 1} steps back)")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m lstmcore.demo``: the demo alone."""
    parser = configure(argparse.ArgumentParser(prog="lstmcore demo"))
    return run(parser.parse_args(argv))
