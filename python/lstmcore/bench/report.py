"""The benchmark's Markdown report: header (date, machine, versions, sgemm rates), the table of
times and ratios, and the issue's targets checked against this run's ratios."""

from __future__ import annotations

import datetime
import os
import platform
from typing import Dict, List, Optional, Sequence

from .peers import Peer
from .runner import PLAIN, PLAIN_TITLE, Result

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


def _ceiling(x: Optional[float]) -> str:
    # Ceilings span 1x to 1000x (tiny cases are all overhead): three digits suffice.
    return "-" if x is None else f"{x:.3g}x"


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
    others = [p for p in peers if p.name != "lstmcore"]
    ceiling = any(sgemm.values()) and any(p.name == "torch" for p in others)
    plain = any(PLAIN in r.times for r in results)
    lines.append("- Median wall time per call in ms (T = 100, float32, time-major); \"vs X\" is "
                 "X's time / lstmcore's (> 1: lstmcore is faster); GFLOP/s of lstmcore counts the "
                 "matrix products only (training = 3x the forward), % of the sgemm rate at the "
                 "same thread count.")
    if ceiling:
        lines.append("- \"ceiling vs PyTorch\": PyTorch's time / the time of the case's matrix "
                     "products at the sgemm rate, the highest \"vs PyTorch\" any implementation "
                     "can reach on this machine (below a target: the target is unreachable here).")
    if plain:
        lines.append(f"- \"{PLAIN_TITLE}\": lstmcore's standard LSTM of the same sizes, timed in "
                     "the same rounds as the peephole/coupled case; \"variant / plain LSTM\" is "
                     "the variant's time / that time (1.15x = 15% slower than plain).")
    lines.append("")
    if note:
        lines += [note, ""]
    head = (["case", "mode", "thr", "lstmcore"] + [p.title for p in others]
            + [f"vs {p.title}" for p in others] + (["ceiling vs PyTorch"] if ceiling else [])
            + ["GFLOP/s", "% sgemm"] + ([PLAIN_TITLE, "variant / plain LSTM"] if plain else []))
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---"] * 3 + ["--:"] * (len(head) - 3)) + "|")
    disagree = []
    for r in results:
        gf = r.gflops()
        rate = sgemm.get(r.threads)
        row = [r.case.label, r.mode, str(r.threads), _ms(r.times.get("lstmcore"))]
        row += [_ms(r.times.get(p.name)) for p in others]
        row += [_ratio(r.ratio(p.name)) for p in others]
        row += [_ceiling(r.ceiling("torch", rate))] if ceiling else []
        row += ["-" if gf is None else f"{gf:.0f}",
                "-" if gf is None or not rate else f"{100 * gf / rate:.0f}%"]
        row += [_ms(r.times.get(PLAIN)), _ratio(r.plain_ratio())] if plain else []
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


def _where(r: Result, with_mode: bool) -> str:
    return f"{r.case.label} {r.mode + ' ' if with_mode else ''}{r.threads}t"


def _ratio_check(label: str, results: Sequence[Result], peer: str, goal: float,
                 sgemm: Dict[int, float]) -> str:
    """One ratio target vs ``peer``: the worst ratio of ``results``, where, whether it is met,
    and the ceiling there; then the lowest ceiling below the goal at other cases, if any."""
    measured = [r for r in results if r.ratio(peer) is not None]
    if not measured:
        return f"{label}: not measured"
    both = len({r.training for r in measured}) > 1
    worst = min(measured, key=lambda r: r.ratio(peer))
    ratio = worst.ratio(peer)
    met = "met" if ratio >= goal else f"short by {100 * (1 - ratio / goal):.0f}%"
    text = f"{label} - worst {_where(worst, both)}: {ratio:.2f}x (target {goal:g}x, {met}"
    ceiling = worst.ceiling(peer, sgemm.get(worst.threads))
    if ceiling is not None:
        text += f"; ceiling {_ceiling(ceiling)}" + (": unreachable here" if ceiling < goal else "")
    below = [(r.ceiling(peer, sgemm.get(r.threads)), r) for r in measured if r is not worst]
    below = [(c, r) for c, r in below if c is not None and c < goal]
    if below:
        c, r = min(below, key=lambda item: item[0])
        text += (f"; ceiling below target at {len(below)} more case(s), lowest {_ceiling(c)} at "
                 f"{_where(r, both)}")
    return text + ")"


def _plain_check(results: Sequence[Result]) -> Optional[str]:
    """Peephole/coupled: lstmcore's time over its plain LSTM of the same sizes, both timed in
    the same rounds (comparing rows timed minutes apart mistook load drift for overhead)."""
    if not any(r.case.peephole or r.case.coupled for r in results):
        return None
    label = "Peephole/coupled time over lstmcore's plain LSTM, timed in the same rounds"
    measured = [r for r in results if r.plain_ratio() is not None]
    if not measured:
        return f"{label}: not measured"
    worst = max(measured, key=lambda r: r.plain_ratio())
    over = worst.plain_ratio() - 1
    both = len({r.training for r in measured}) > 1
    met = "met" if over <= 0.15 else "not met"
    return f"{label} - worst {_where(worst, both)}: {100 * over:+.0f}% (target within +15%, {met})"


def check_targets(results: Sequence[Result], sgemm: Optional[Dict[int, float]] = None
                  ) -> List[str]:
    """The issue's targets, each as one line: the worst ratio of its cases, where, whether met,
    and (with sgemm rates) the ceiling this machine puts on that ratio."""
    sgemm = sgemm or {}
    out = []
    plain = ("lstm", "gru", "rnn")

    def inference(batches):
        return [r for r in results
                if not r.training and r.case.kind in plain and r.case.batch in batches]

    for peer, title in (("torch", "PyTorch"), ("onnx", "ONNX Runtime")):
        out.append(_ratio_check(f"Inference B=1/16 vs {title}", inference((1, 16)), peer, 1.5,
                                sgemm))
        out.append(_ratio_check(f"Inference B=64/128 vs {title}", inference((64, 128)), peer,
                                1.0, sgemm))
    lstm = [r for r in results if r.training and r.case.mode == "lstm"
            and not (r.case.peephole or r.case.coupled)]
    out.append(_ratio_check("Training LSTM (plain, bidir, ragged) vs PyTorch", lstm, "torch",
                            1.3, sgemm))
    others = [r for r in results if r.training and r.case.kind in ("gru", "rnn")]
    out.append(_ratio_check("Training GRU/RNN vs PyTorch", others, "torch", 2.0, sgemm))
    ragged = [r for r in results if r.case.ragged]
    out.append(_ratio_check("Ragged vs PyTorch PackedSequence", ragged, "torch", 3.0, sgemm))
    line = _plain_check(results)
    if line is not None:
        out.append(line)
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
