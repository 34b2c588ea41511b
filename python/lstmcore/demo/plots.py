"""The demo's pictures as PNG files, drawn with matplotlib (the ``demo`` extra).

Figures are built with the object API and the Agg canvas, so the demo never touches pyplot's
global state or needs a display.
"""

from __future__ import annotations

import os
from typing import Dict, List, Sequence

import numpy as np

from ..train import ADDING_BASELINE_MSE
from .adding import ModelRun

__all__ = ["have_matplotlib", "COLORS", "plot_learning_curves", "plot_gradient_flow",
           "plot_gates", "write_pngs"]

COLORS = {"rnn": "#d62728", "lstm": "#1f77b4", "gru": "#2ca02c", "peephole": "#ff7f0e",
          "coupled": "#9467bd"}
FLOW_MODELS = ("rnn", "lstm", "gru")


def have_matplotlib() -> bool:
    """Whether matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _positive(a) -> np.ndarray:
    # Log axes cannot show zeros (a gradient that underflowed): leave those points out (NaN)
    # rather than drawing a made-up floor.
    a = np.asarray(a, dtype=np.float64)
    return np.where(a > 0, a, np.nan)


def plot_learning_curves(path: str, runs: Sequence[ModelRun], steps: int) -> str:
    """Held-out MSE against training iteration for every model, with the guessing baseline."""
    fig = _figure(7.5, 4.6)
    ax = fig.add_subplot()
    for r in runs:
        ax.plot(r.iterations, _positive(r.eval_mse), color=COLORS.get(r.key), lw=2,
                label=f"{r.name} (final {r.final_mse:.4f})")
    ax.axhline(ADDING_BASELINE_MSE, color="black", ls="--", lw=1.2,
               label=f"always answer 1.0 ({ADDING_BASELINE_MSE:.3f})")
    ax.set_yscale("log")
    ax.set_xlabel("training iteration (Adam, same batches for every model)")
    ax.set_ylabel("mean squared error on held-out sequences")
    ax.set_title(f"Adding problem, sequence length {steps}: who can remember?")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower left", fontsize=9)
    fig.savefig(path)
    return path


def plot_gradient_flow(path: str, runs: Sequence[ModelRun], steps: int) -> str:
    """|dL/dh_t| against distance from the loss, before and after training, RNN vs LSTM vs GRU."""
    chosen = [r for r in runs if r.key in FLOW_MODELS] or list(runs)
    fig = _figure(10, 4.4)
    axes = fig.subplots(1, 2, sharey=True)
    for ax, when, title in ((axes[0], "flow_init", "at initialisation"),
                            (axes[1], "flow_trained", "after training")):
        for r in chosen:
            flow = getattr(r, when)
            d = np.arange(len(flow["hidden"]))
            ax.plot(d, _positive(flow["hidden"]), color=COLORS.get(r.key), lw=2,
                    label=f"{r.name}: |dL/dh_t|")
            if "cell" in flow:
                ax.plot(d, _positive(flow["cell"]), color=COLORS.get(r.key), lw=1.2, ls=":",
                        label=f"{r.name}: |dL/dc_t|")
        ax.set_yscale("log")
        ax.set_xlabel("distance from the loss (steps back from the last one)")
        ax.set_title(title)
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel("gradient norm, mean over sequences")
    axes[1].legend(loc="best", fontsize=8)
    fig.suptitle(f"How far back does the gradient reach? (loss on step {steps - 1} only)")
    fig.savefig(path)
    return path


def plot_gates(path: str, gates: Dict[str, np.ndarray]) -> str:
    """The trained LSTM's forget and input gates (and cell) over one sequence, units as rows."""
    values, marks = gates["values"], [int(m) for m in gates["marks"]]
    # Units with the most persistent forget gates first: the memory units end up at the top.
    order = np.argsort(-gates["f"].mean(axis=1))
    T = len(values)
    fig = _figure(9, 8.2)
    axes = fig.subplots(4, 1, sharex=True, height_ratios=[1, 2, 2, 2])
    t = np.arange(T)
    bar_colors = ["#d62728" if k in marks else "#999999" for k in t]
    axes[0].bar(t, values, color=bar_colors, width=0.8)
    axes[0].set_ylabel("input value")
    axes[0].set_ylim(0, 1)
    axes[0].set_title(f"Inside the trained LSTM on one sequence: marked steps {marks[0]} and "
                      f"{marks[1]} (red); target {gates['target']:.3f}, "
                      f"prediction {gates['prediction']:.3f}")
    panels = (("f", "forget gate f_t", "viridis", 0.0, 1.0),
              ("i", "input gate i_t", "viridis", 0.0, 1.0),
              ("c", "cell state c_t", "RdBu_r", None, None))
    for ax, (key, label, cmap, lo, hi) in zip(axes[1:], panels):
        data = gates[key][order]
        if lo is None:
            hi = float(np.max(np.abs(data))) or 1.0
            lo = -hi
        im = ax.imshow(data, aspect="auto", cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest",
                       extent=(-0.5, T - 0.5, data.shape[0] - 0.5, -0.5))
        ax.set_ylabel(f"{label}\nunit (sorted)")
        fig.colorbar(im, ax=ax, pad=0.01, label=label.split()[-1])
    for ax in axes:
        for m in marks:
            ax.axvline(m, color="#d62728", ls="--", lw=1.2)
    axes[-1].set_xlabel("time step")
    axes[1].plot([], [], color="#d62728", ls="--", label="marked step")
    axes[1].legend(loc="upper right", fontsize=8, framealpha=0.8)
    fig.savefig(path)
    return path


def write_pngs(out_dir: str, runs: Sequence[ModelRun], gates: Dict[str, np.ndarray],
               steps: int) -> List[str]:
    """Draw all pictures into ``out_dir``; return their paths."""
    paths = [plot_learning_curves(os.path.join(out_dir, "learning_curves.png"), runs, steps),
             plot_gradient_flow(os.path.join(out_dir, "gradient_flow.png"), runs, steps)]
    if gates:
        paths.append(plot_gates(os.path.join(out_dir, "lstm_gates.png"), gates))
    return paths
