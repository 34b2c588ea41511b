"""The adding-problem experiment: train each recurrent cell the same way, measure what it learned.

The task (Hochreiter and Schmidhuber 1997) needs memory: of ``steps`` random numbers, two are
marked, one in each half, and the model must output their sum after the last step. Only a model
that carries the first marked number across up to ``steps`` steps beats the 1/6 ~ 0.167 MSE of
always answering 1.0.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Dict, List, Optional, Sequence, TextIO

import numpy as np

from .. import inspect as lci
from ..train import (Adam, Dense, adding_batches, adding_problem,
                     clip_grad_norm, mse)
from .progress import ProgressBar

__all__ = ["DemoConfig", "ModelSpec", "MODELS", "ModelRun", "train_model", "run_experiment"]

#: The contestants, by the keys ``--models`` takes.
MODELS = ("rnn", "lstm", "gru", "peephole", "coupled")


@dataclasses.dataclass(frozen=True)
class DemoConfig:
    """Settings of one demo run; the defaults finish in a few minutes on two cores."""

    steps: int = 50  #: sequence length T
    hidden: int = 32  #: hidden units of every model
    batch: int = 64  #: sequences per training iteration
    iters: int = 1000  #: training iterations per model (the same budget for each)
    lr: float = 0.02  #: Adam's step size
    clip: float = 1.0  #: global gradient-norm clip
    eval_every: int = 50  #: iterations between evaluations on the held-out set
    eval_size: int = 512  #: held-out sequences
    flow_size: int = 256  #: sequences for the gradient-flow measurement
    seed: int = 0
    models: Sequence[str] = MODELS

    @classmethod
    def quick(cls, **changes) -> "DemoConfig":
        """A tiny run that finishes in seconds (for tests and a first look)."""
        base = dict(steps=12, hidden=8, batch=16, iters=30, eval_every=10, eval_size=64,
                    flow_size=16)
        base.update(changes)
        return cls(**base)


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """One contestant: a display name and a factory of its recurrent layer."""

    key: str
    name: str
    make: Callable[[int, int, int], object]  # (input_size, hidden_size, seed) -> layer


def _models() -> Dict[str, ModelSpec]:
    import lstmcore as lc

    return {m.key: m for m in (
        ModelSpec("rnn", "RNN (tanh)", lambda i, h, s: lc.RNN(i, h, seed=s)),
        ModelSpec("lstm", "LSTM", lambda i, h, s: lc.LSTM(i, h, seed=s)),
        ModelSpec("gru", "GRU", lambda i, h, s: lc.GRU(i, h, seed=s)),
        ModelSpec("peephole", "peephole LSTM",
                  lambda i, h, s: lc.LSTM(i, h, peephole=True, seed=s)),
        ModelSpec("coupled", "coupled LSTM", lambda i, h, s: lc.LSTM(i, h, coupled=True, seed=s)),
    )}



@dataclasses.dataclass
class ModelRun:
    """What one model's training produced."""

    key: str
    name: str
    num_params: int
    iterations: List[int]  #: iterations at which the held-out set was evaluated
    eval_mse: List[float]  #: held-out MSE at those iterations (iteration 0: before training)
    train_mse: List[float]  #: mean training loss over the iterations since the previous point
    seconds: float  #: wall time of training (evaluations included)
    flow_init: Dict[str, np.ndarray]  #: "hidden" (and "cell") gradient norms before training
    flow_trained: Dict[str, np.ndarray]  #: the same after training; index = distance from loss
    layer: object = dataclasses.field(repr=False, default=None)
    head: Optional[Dense] = dataclasses.field(repr=False, default=None)

    @property
    def final_mse(self) -> float:
        return self.eval_mse[-1]


def _predict(layer, head: Dense, x: np.ndarray, training: bool = False) -> np.ndarray:
    y, _ = layer.forward(x, training=training)
    return head.forward(y[-1], training=training)


def _loss_and_backward(layer, head: Dense, x: np.ndarray, target: np.ndarray) -> float:
    """One forward and backward; gradients are added into layer.grads and head.grads."""
    y, _ = layer.forward(x, training=True)
    pred = head.forward(y[-1], training=True)
    loss, dpred = mse(pred, target)
    dy = np.zeros_like(y)
    dy[-1] = head.backward(dpred)  # the loss reads only the last output
    layer.backward(dy)
    return loss


def _gradient_flow(layer, head: Dense, x: np.ndarray, target: np.ndarray) -> Dict[str, np.ndarray]:
    """Mean |dL/dh_t| (and |dL/dc_t|) indexed by distance from the loss (0 = last step)."""
    _loss_and_backward(layer, head, x, target)
    flow = {"hidden": lci.gradient_flow(layer)[::-1].copy()}
    if layer.spec.has_cell_state:
        flow["cell"] = lci.gradient_flow(layer, of="cell")[::-1].copy()
    layer.zero_grad()
    head.zero_grad()
    return flow


def train_model(model: ModelSpec, cfg: DemoConfig, stream: Optional[TextIO] = None) -> ModelRun:
    """Train one model on the adding problem with Adam, as ``cfg`` says; show a progress bar.

    Every model sees the same training batches (the stream is seeded by ``cfg.seed``) and is
    evaluated on the same held-out set.
    """
    layer = model.make(2, cfg.hidden, cfg.seed)
    head = Dense(cfg.hidden, 1, seed=cfg.seed + 1)
    num_params = sum(p.size for p in layer.params.values()) + sum(
        p.size for p in head.params.values())
    held_out = adding_problem(cfg.eval_size, cfg.steps, rng=cfg.seed + 1_000_003)
    probe = adding_problem(cfg.flow_size, cfg.steps, rng=cfg.seed + 2_000_003)
    flow_init = _gradient_flow(layer, head, probe.x, probe.y)

    groups_p = [layer.params, head.params]
    groups_g = [layer.grads, head.grads]
    opt = Adam(groups_p, lr=cfg.lr)
    data = adding_batches(cfg.batch, cfg.steps, seed=cfg.seed)
    bar = ProgressBar(model.name, cfg.iters, stream=stream)

    def evaluate() -> float:
        return mse(_predict(layer, head, held_out.x), held_out.y)[0]

    iterations, eval_curve, train_curve = [0], [evaluate()], [float("nan")]
    window: List[float] = []
    for it in range(1, cfg.iters + 1):
        batch = next(data)
        window.append(_loss_and_backward(layer, head, batch.x, batch.y))
        clip_grad_norm(groups_g, cfg.clip)
        opt.step(groups_g)
        layer.zero_grad()
        head.zero_grad()
        if it % cfg.eval_every == 0 or it == cfg.iters:
            iterations.append(it)
            eval_curve.append(evaluate())
            train_curve.append(float(np.mean(window)))
            window = []
        bar.update(it, f"held-out MSE {eval_curve[-1]:.4f}")
    seconds = bar.elapsed()
    bar.close(f"held-out MSE {eval_curve[-1]:.4f}")
    flow_trained = _gradient_flow(layer, head, probe.x, probe.y)
    return ModelRun(model.key, model.name, int(num_params), iterations, eval_curve, train_curve,
                    seconds, flow_init, flow_trained, layer, head)


def gate_example(run: ModelRun, cfg: DemoConfig) -> Dict[str, np.ndarray]:
    """One held-out sequence through a trained LSTM: its input and the per-step f, i, c.

    Returns a dict with ``values`` (T,), ``marks`` (2,) and ``f``, ``i``, ``c`` as (H, T)
    arrays (hidden units as rows), plus ``prediction`` and ``target``.
    """
    ex = adding_problem(1, cfg.steps, rng=cfg.seed + 3_000_003)
    y, _ = run.layer.forward(ex.x, training=True)
    tr = lci.trace(run.layer)
    pred = run.head.forward(y[-1], training=False)
    return {
        "values": ex.x[:, 0, 0].astype(np.float64),
        "marks": ex.marks[0],
        "f": tr["f"][:, 0, :].T.astype(np.float64),
        "i": tr["i"][:, 0, :].T.astype(np.float64),
        "c": tr["c"][:, 0, :].T.astype(np.float64),
        "prediction": float(pred[0, 0]),
        "target": float(ex.y[0, 0]),
    }


def run_experiment(cfg: DemoConfig, stream: Optional[TextIO] = None) -> List[ModelRun]:
    """Train every model of ``cfg.models`` in turn and return their runs."""
    models = _models()
    unknown = [k for k in cfg.models if k not in models]
    if unknown:
        raise ValueError(f"models: expected names from {list(models)}, got {unknown}")
    return [train_model(models[k], cfg, stream) for k in cfg.models]

