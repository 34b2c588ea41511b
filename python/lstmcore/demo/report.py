"""The demo's numbers: CSV files behind every picture and the results table printed at the end."""

from __future__ import annotations

import csv
import os
from typing import Dict, List, Sequence

import numpy as np

from ..train import ADDING_BASELINE_MSE
from .adding import ModelRun

__all__ = ["write_csvs", "results_table"]


def _fmt(v: float) -> str:
    return "" if v is None or not np.isfinite(v) else f"{v:.6g}"


def write_csvs(out_dir: str, runs: Sequence[ModelRun], gates: Dict[str, np.ndarray],
               steps: int) -> List[str]:
    """Write results.csv, learning_curves.csv, gradient_flow.csv and lstm_gates.csv.

    Returns the paths written.
    """
    paths = []

    def open_csv(name):
        path = os.path.join(out_dir, name)
        paths.append(path)
        return open(path, "w", newline="", encoding="utf-8")

    with open_csv("results.csv") as f:
        w = csv.writer(f)
        w.writerow(["model", "parameters", "final_mse", "baseline_mse", "seconds", "steps"])
        for r in runs:
            w.writerow([r.name, r.num_params, _fmt(r.final_mse), _fmt(ADDING_BASELINE_MSE),
                        f"{r.seconds:.2f}", steps])
    with open_csv("learning_curves.csv") as f:
        w = csv.writer(f)
        w.writerow(["model", "iteration", "heldout_mse", "train_mse"])
        for r in runs:
            for it, ev, tr in zip(r.iterations, r.eval_mse, r.train_mse):
                w.writerow([r.name, it, _fmt(ev), _fmt(tr)])
    with open_csv("gradient_flow.csv") as f:
        w = csv.writer(f)
        w.writerow(["model", "distance_from_loss", "grad_h_norm_init", "grad_h_norm_trained",
                    "grad_c_norm_init", "grad_c_norm_trained"])
        for r in runs:
            has_c = "cell" in r.flow_init
            for d in range(len(r.flow_init["hidden"])):
                w.writerow([r.name, d, _fmt(r.flow_init["hidden"][d]),
                            _fmt(r.flow_trained["hidden"][d]),
                            _fmt(r.flow_init["cell"][d]) if has_c else "",
                            _fmt(r.flow_trained["cell"][d]) if has_c else ""])
    if gates:
        with open_csv("lstm_gates.csv") as f:
            w = csv.writer(f)
            w.writerow(["step", "unit", "value", "marked", "forget_gate", "input_gate", "cell"])
            marks = set(int(m) for m in gates["marks"])
            H, T = gates["f"].shape
            for t in range(T):
                for u in range(H):
                    w.writerow([t, u, _fmt(gates["values"][t]), int(t in marks),
                                _fmt(gates["f"][u, t]), _fmt(gates["i"][u, t]),
                                _fmt(gates["c"][u, t])])
    return paths


def results_table(runs: Sequence[ModelRun], steps: int) -> str:
    """The closing table: final held-out MSE against the 0.167 baseline, and time per model."""
    rows = [("model", "params", "final MSE", "vs baseline", "verdict", "time")]
    for r in runs:
        ratio = r.final_mse / ADDING_BASELINE_MSE
        if ratio < 0.1:
            verdict = "solved"
        elif ratio < 0.7:
            verdict = "partly"
        else:
            verdict = "no better than guessing"
        rows.append((r.name, str(r.num_params), f"{r.final_mse:.4f}", f"{100 * ratio:5.1f} %",
                     verdict, f"{r.seconds:5.1f} s"))
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    right = {1, 2, 3, 5}

    def line(row):
        return "  ".join(c.rjust(w) if k in right else c.ljust(w)
                         for k, (c, w) in enumerate(zip(row, widths)))

    out = [f"Adding problem, T = {steps}: held-out MSE after training "
           f"(baseline of always answering 1.0: {ADDING_BASELINE_MSE:.3f})", "",
           line(rows[0]), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows[1:]]
    return "\n".join(out)
