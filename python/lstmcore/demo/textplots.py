"""The demo's pictures as plain text, for when matplotlib is not installed.

Line charts are drawn on a character grid (one letter per model, log scale where the PNG has
one); the gate heatmap uses a ten-step shade ramp.
"""

from __future__ import annotations

import math
import os
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..train import ADDING_BASELINE_MSE
from .adding import ModelRun

__all__ = ["line_chart", "shade_map", "write_texts", "SHADES"]

SHADES = " .:-=+*#%@"  # 0.0 ... 1.0
LETTERS = {"rnn": "R", "lstm": "L", "gru": "G", "peephole": "P", "coupled": "C"}
FLOW_MODELS = ("rnn", "lstm", "gru")

Series = Tuple[str, str, np.ndarray, np.ndarray]  # (label, letter, x, y)


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def line_chart(series: Sequence[Series], *, title: str, xlabel: str, ylabel: str,
               logy: bool = False, hline: Optional[Tuple[str, float]] = None,
               width: int = 64, height: int = 16) -> str:
    """A character-grid line chart: each series drawn with its letter, later series on top.

    ``hline`` is an optional ``(label, y)`` reference line drawn with '-'.
    """
    def ty(v):
        return math.log10(v) if logy else v

    pts = [(np.asarray(x, float), np.asarray(y, float)) for _, _, x, y in series]
    ys = np.concatenate([y for _, y in pts] + ([np.array([hline[1]])] if hline else []))
    ys = ys[np.isfinite(ys) & ((ys > 0) if logy else True)]
    xs = np.concatenate([x for x, _ in pts])
    if ys.size == 0 or xs.size == 0:
        return f"{title}\n(no data)\n"
    y_lo, y_hi = ty(ys.min()), ty(ys.max())
    if y_hi - y_lo < 1e-12:
        y_lo, y_hi = y_lo - 1, y_hi + 1
    x_lo, x_hi = float(xs.min()), float(xs.max())
    if x_hi - x_lo < 1e-12:
        x_hi = x_lo + 1
    grid = [[" "] * width for _ in range(height)]

    def row(v):
        return int(round((y_hi - ty(v)) / (y_hi - y_lo) * (height - 1)))

    def col(v):
        return int(round((v - x_lo) / (x_hi - x_lo) * (width - 1)))

    if hline:
        r = row(hline[1])
        for c in range(width):
            grid[r][c] = "-"
    for (_, letter, _, _), (x, y) in zip(series, pts):
        ok = np.isfinite(y) & ((y > 0) if logy else True)
        x, y = x[ok], y[ok]
        if x.size == 0:
            continue
        cols = np.arange(col(x.min()), col(x.max()) + 1)
        xc = x_lo + cols / (width - 1) * (x_hi - x_lo)
        yi = np.interp(xc, x, np.array([ty(v) for v in y]))
        for c, v in zip(cols, yi):
            grid[int(round((y_hi - v) / (y_hi - y_lo) * (height - 1)))][c] = letter
    top, mid, bottom = (10 ** y_hi, 10 ** ((y_hi + y_lo) / 2), 10 ** y_lo) if logy else (
        y_hi, (y_hi + y_lo) / 2, y_lo)
    labels = {0: _fmt(top), height // 2: _fmt(mid), height - 1: _fmt(bottom)}
    lw = max(len(s) for s in labels.values())
    lines = [title, f"y: {ylabel}{' (log scale)' if logy else ''}"]
    for r in range(height):
        lines.append(f"{labels.get(r, ''):>{lw}} |{''.join(grid[r])}")
    lines.append(" " * lw + " +" + "-" * width)
    left, right = _fmt(x_lo), _fmt(x_hi)
    lines.append(" " * (lw + 2) + left + " " * max(1, width - len(left) - len(right)) + right)
    lines.append(" " * (lw + 2) + f"x: {xlabel}")
    legend = [f"  {letter} = {label}" for label, letter, _, _ in series]
    if hline:
        legend.append(f"  - = {hline[0]}")
    return "\n".join(lines + ["legend:"] + legend) + "\n"


def shade_map(data: np.ndarray, lo: float, hi: float) -> List[str]:
    """Rows of ``data`` as strings of :data:`SHADES` (lo -> ' ', hi -> '@')."""
    scaled = np.clip((np.asarray(data, float) - lo) / (hi - lo), 0.0, 1.0)
    idx = np.minimum((scaled * len(SHADES)).astype(int), len(SHADES) - 1)
    return ["".join(SHADES[k] for k in r) for r in idx]


def _learning_text(runs: Sequence[ModelRun], steps: int) -> str:
    chart = line_chart(
        [(r.name, LETTERS.get(r.key, "?"), np.array(r.iterations), np.array(r.eval_mse))
         for r in runs],
        title=f"Adding problem, sequence length {steps}: held-out MSE while training",
        xlabel="training iteration", ylabel="mean squared error on held-out sequences",
        logy=True, hline=(f"always answer 1.0 ({ADDING_BASELINE_MSE:.3f})", ADDING_BASELINE_MSE))
    n = len(runs[0].iterations)
    cols = sorted(set(np.linspace(0, n - 1, min(n, 7)).round().astype(int)))
    rows = ["", "held-out MSE at iteration:",
            "model            " + "".join(f"{runs[0].iterations[k]:>10}" for k in cols)]
    for r in runs:
        rows.append(f"{r.name:<17}" + "".join(f"{r.eval_mse[k]:>10.4f}" for k in cols))
    return chart + "\n".join(rows) + "\n"


def _flow_text(runs: Sequence[ModelRun], steps: int) -> str:
    chosen = [r for r in runs if r.key in FLOW_MODELS] or list(runs)
    parts = []
    for when, name in (("flow_init", "at initialisation"), ("flow_trained", "after training")):
        parts.append(line_chart(
            [(f"{r.name}: |dL/dh_t|", LETTERS.get(r.key, "?"),
              np.arange(len(getattr(r, when)["hidden"])), getattr(r, when)["hidden"])
             for r in chosen],
            title=f"Gradient reaching back from the loss (step {steps - 1}), {name}",
            xlabel="distance from the loss (steps back)",
            ylabel="|dL/dh_t|, mean over sequences", logy=True))
    return "\n".join(parts)


def _gates_text(gates: Dict[str, np.ndarray]) -> str:
    marks = [int(m) for m in gates["marks"]]
    order = np.argsort(-gates["f"].mean(axis=1))
    T = len(gates["values"])
    ruler = "".join("^" if t in marks else " " for t in range(T))
    out = [f"Inside the trained LSTM on one sequence (marked steps {marks[0]} and {marks[1]}; "
           f"target {gates['target']:.3f}, prediction {gates['prediction']:.3f})",
           f"shades: '{SHADES}' = 0.0 ... 1.0; rows = hidden units sorted by mean forget gate; "
           "columns = time steps; ^ = marked step", ""]
    out.append("input value  |" + shade_map(gates["values"][None, :], 0.0, 1.0)[0] + "|")
    out.append("             |" + ruler + "|")
    for key, label in (("f", "forget gate"), ("i", "input gate")):
        out.append("")
        for u, line in zip(order, shade_map(gates[key][order], 0.0, 1.0)):
            out.append(f"{label[:6]} u{u:<4} |{line}|")
        out.append("             |" + ruler + "|")
    return "\n".join(out) + "\n"


def write_texts(out_dir: str, runs: Sequence[ModelRun], gates: Dict[str, np.ndarray],
                steps: int) -> List[str]:
    """Write learning_curves.txt, gradient_flow.txt and lstm_gates.txt; return their paths."""
    files = {"learning_curves.txt": _learning_text(runs, steps),
             "gradient_flow.txt": _flow_text(runs, steps)}
    if gates:
        files["lstm_gates.txt"] = _gates_text(gates)
    paths = []
    for name, text in files.items():
        path = os.path.join(out_dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        paths.append(path)
    return paths
