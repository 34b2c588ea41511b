"""The benchmark's Markdown report: header (date, machine, versions, sgemm rates), the table of
times and ratios, and the issue's targets checked against this run's ratios."""

from __future__ import annotations

import datetime
import os
import platform
from typing import Dict, List, Optional, Sequence

from .peers import Peer
from .runner import Result

__all__ = ["machine_description", "markdown", "check_targets", "summary_table"]


def machine_description() -> str:
    """CPU model, usable cores and OS."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return f"{model}, {cores} cores, {platform.system()} {platform.release()}"


def _ms(t: Optional[float]) -> str:
    if t is None:
        return "-"
    return f"{t * 1e3:.3g}" if t < 0.1 else f"{t * 1e3:.0f}"


def _ratio(x: Optional[float]) -> str:
    return "-" if x is None else f"{x:.2f}x"


def load_average() -> Optional[float]:
    """The 1-minute load average (None where the OS has none)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def markdown(results: Sequence[Result], peers: Sequence[Peer], sgemm: Dict[int, float],
             title: str = "lstmcore benchmark", note: str = "", sgemm_size: int = 2048,
             loads: Sequence[Optional[float]] = ()) -> str:
    """The whole report as Markdown; ``loads``: load averages seen during the run."""
    from .. import get_isa

    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [f"## {title}", "",
             f"- Date: {now}; machine: {machine_description()}; kernels: {get_isa()}",
             "- Versions: " + ", ".join(f"{p.title} {p.version()}" for p in peers
                                        if p.available() is None)]
    rates = ", ".join(f"{n} thread{'s' if n > 1 else ''}: {r:.0f} GFLOP/s"
                      for n, r in sorted(sgemm.items()) if r)
    if rates:
        lines.append(f"- sgemm (torch.mm {sgemm_size}^3, same run): {rates}")
    seen = [f"{x:.1f}" for x in loads if x is not None]
    if seen:
        lines.append("- Load average (1 min) at the start, middle and end: " + " / ".join(seen)
                     + f" on {os.cpu_count()} CPUs (other processes slow the runs down)")
    missing = sorted({f"{p.title} ({p.available()})" for p in peers if p.available()})
    if missing:
        lines.append("- Not run: " + "; ".join(missing))
    lines += ["- Median wall time per call in ms (T = 100, float32, time-major); \"vs X\" is X's "
              "time / lstmcore's (> 1: lstmcore is faster); GFLOP/s of lstmcore counts the "
              "matrix products only (training = 3x the forward), % of the sgemm rate at the "
              "same thread count.", ""]
    if note:
        lines += [note, ""]
    others = [p for p in peers if p.name != "lstmcore"]
    head = (["case", "mode", "thr", "lstmcore"] + [p.title for p in others]
            + [f"vs {p.title}" for p in others] + ["GFLOP/s", "% sgemm"])
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---"] * 3 + ["--:"] * (len(head) - 3)) + "|")
    disagree = []
    for r in results:
        gf = r.gflops()
        rate = sgemm.get(r.threads)
        row = [r.case.label, r.mode, str(r.threads), _ms(r.times.get("lstmcore"))]
        row += [_ms(r.times.get(p.name)) for p in others]
        row += [_ratio(r.ratio(p.name)) for p in others]
        row += ["-" if gf is None else f"{gf:.0f}",
                "-" if gf is None or not rate else f"{100 * gf / rate:.0f}%"]
        lines.append("| " + " | ".join(row) + " |")
        disagree += [f"{r.case.label} {r.mode} {name}: {d:.1e}"
                     for name, d in r.agreement.items() if d > 1e-3]
    lines.append("")
    worst = max((d for r in results for d in r.agreement.values()), default=None)
    if worst is not None:
        lines.append(f"Inference outputs of every peer agree with lstmcore's to a normalised max "
                     f"difference of {worst:.1e}." if not disagree else
                     "Outputs that DISAGREE with lstmcore's: " + "; ".join(disagree))
        lines.append("")
    compared = any(r.ratio(p) is not None for r in results for p in ("torch", "onnx"))
    for n in sorted({r.threads for r in results}) if compared else []:
        lines += [f"### Summary, {n} thread{'s' if n > 1 else ''}: time of the peer / lstmcore's",
                  "", summary_table(results, n), ""]
    targets = check_targets(results, sgemm)
    if targets:
        lines += ["### Targets (issue 4), ratios from this run", ""]
        lines += [f"- {t}" for t in targets]
        lines.append("")
    return "\n".join(lines)


def summary_table(results: Sequence[Result], threads: int) -> str:
    """One row per case: lstmcore's speed-up over PyTorch and ONNX Runtime, inference and
    training, at ``threads`` threads."""
    rows: Dict[str, Dict[str, str]] = {}
    for r in results:
        if r.threads != threads:
            continue
        row = rows.setdefault(r.case.label, {})
        row[f"{r.mode} torch"] = _ratio(r.ratio("torch"))
        row[f"{r.mode} onnx"] = _ratio(r.ratio("onnx"))
    cols = [("inference torch", "inference vs PyTorch"), ("inference onnx", "vs ONNX Runtime"),
            ("training torch", "training vs PyTorch")]
    out = ["| case | " + " | ".join(t for _, t in cols) + " |",
           "|---|" + "|".join("--:" for _ in cols) + "|"]
    for label, row in rows.items():
        out.append(f"| {label} | " + " | ".join(row.get(k, "-") for k, _ in cols) + " |")
    return "\n".join(out)


def _fmt_check(label: str, value: Optional[float], goal: float, unit: str = "x",
               at: str = "") -> str:
    if value is None:
        return f"{label}: not measured"
    met = "met" if value >= goal else f"short by {100 * (1 - value / goal):.0f}%"
    where = f" (worst: {at})" if at else ""
    return f"{label}: {value:.2f}{unit} vs goal {goal:g}{unit} - {met}{where}"


def _worst(results: Sequence[Result], peer: str, pick) -> tuple:
    """Lowest ratio to ``peer`` over the results ``pick`` accepts, and where it happened."""
    best = (None, "")
    for r in results:
        if not pick(r):
            continue
        ratio = r.ratio(peer)
        if ratio is not None and (best[0] is None or ratio < best[0]):
            best = (ratio, f"{r.case.label} {r.threads}t")
    return best


def check_targets(results: Sequence[Result], sgemm: Optional[Dict[int, float]] = None
                  ) -> List[str]:
    """The issue's targets, each as one line: the worst ratio of its cases and whether met."""
    out = []
    plain = ("lstm", "gru", "rnn")

    def inference(batches):
        return lambda r: (not r.training and r.case.kind in plain and r.case.batch in batches)

    for peer, title in (("torch", "PyTorch"), ("onnx", "ONNX Runtime")):
        ratio, at = _worst(results, peer, inference((1, 16)))
        out.append(_fmt_check(f"Inference B=1/16 vs {title}", ratio, 1.5, at=at))
        ratio, at = _worst(results, peer, inference((64, 128)))
        out.append(_fmt_check(f"Inference B=64/128 vs {title}", ratio, 1.0, at=at))
    ratio, at = _worst(results, "torch", lambda r: r.training and r.case.mode == "lstm"
                       and not (r.case.peephole or r.case.coupled))
    out.append(_fmt_check("Training LSTM (plain, bidir, ragged) vs PyTorch", ratio, 1.3, at=at))
    ratio, at = _worst(results, "torch", lambda r: r.training and r.case.kind in ("gru", "rnn"))
    out.append(_fmt_check("Training GRU/RNN vs PyTorch", ratio, 2.0, at=at))
    ratio, at = _worst(results, "torch", lambda r: r.case.ragged)
    out.append(_fmt_check("Ragged vs PyTorch PackedSequence", ratio, 3.0, at=at))
    # Peephole / coupled: lstmcore's own time against its plain LSTM at the same size.
    plain_times = {(r.case.batch, r.case.hidden, r.training, r.threads): r.times.get("lstmcore")
                   for r in results if r.case.kind == "lstm"}
    worst, where = None, ""
    for r in results:
        if r.case.kind not in ("peephole", "coupled"):
            continue
        base = plain_times.get((r.case.batch, r.case.hidden, r.training, r.threads))
        mine = r.times.get("lstmcore")
        if base and mine:
            overhead = mine / base - 1
            if worst is None or overhead > worst:
                worst, where = overhead, f"{r.case.label} {r.mode} {r.threads}t"
    if worst is not None:
        met = "met" if worst <= 0.15 else "not met"
        out.append(f"Peephole/coupled time over plain LSTM: {100 * worst:+.0f}% vs goal +15% - "
                   f"{met} (worst: {where})")
    sgemm = sgemm or {}
    worst, where = None, ""
    for r in results:
        gf, rate = r.gflops(), sgemm.get(r.threads)
        if r.training or r.case.kind != "lstm" or r.case.batch < 64 or not gf or not rate:
            continue
        if worst is None or gf / rate < worst:
            worst, where = gf / rate, f"{r.case.label} {r.threads}t"
    if worst is not None:
        met = "met" if worst >= 0.85 else f"short by {100 * (0.85 - worst):.0f} points"
        out.append(f"Inference B=64/128 LSTM at {100 * worst:.0f}% of sgemm vs aim 85% - {met} "
                   f"(worst: {where})")
    return out
