"""Optimizers that update ``params`` dicts in place from ``grads`` dicts: SGD and Adam."""

from __future__ import annotations

import abc

import math
from typing import Dict, List, Tuple

import numpy as np

from ._groups import DictOrDicts, as_dict_list, matching_grads

__all__ = ["Optimizer", "SGD", "Adam"]


def _nonneg(name: str, value, upper: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
    v = float(value)
    if not (0.0 <= v < upper) or not math.isfinite(v):
        bound = "" if upper == math.inf else f" and < {upper}"
        raise ValueError(f"{name}: expected a finite number >= 0{bound}, got {value!r}")
    return v


class Optimizer(abc.ABC):
    """Base class: keeps the parameter dicts and a per-parameter state.

    ``params`` is one dict of arrays (``lstm.params``) or a list of them
    (``[lstm.params, head.params]``); :meth:`step` takes ``grads`` in the same structure. The
    arrays are updated in place, so layers that hold them see the new values.
    """

    def __init__(self, params: DictOrDicts, lr: float) -> None:
        self.param_groups: List[Dict[str, np.ndarray]] = as_dict_list(params, "params")
        for k, group in enumerate(self.param_groups):
            for key, arr in group.items():
                if not isinstance(arr, np.ndarray) or arr.dtype.kind != "f":
                    raise TypeError(f"params[{k}][{key!r}]: expected a float ndarray "
                                    f"(updated in place), got {type(arr).__name__}")
                if not arr.flags.writeable:
                    raise ValueError(f"params[{k}][{key!r}]: the array is read-only")
        self.lr = _nonneg("lr", lr)
        self.step_count = 0
        self._state: Dict[Tuple[int, str], Dict[str, np.ndarray]] = {}

    def step(self, grads: DictOrDicts) -> None:
        """Update every parameter in place from its gradient."""
        gl = matching_grads(self.param_groups, grads)
        self.step_count += 1
        for k, (group, g) in enumerate(zip(self.param_groups, gl)):
            for key, p in group.items():
                grad = np.asarray(g[key], dtype=p.dtype)
                self._update(self._state.setdefault((k, key), {}), p, grad)

    @abc.abstractmethod
    def _update(self, state: Dict[str, np.ndarray], p: np.ndarray, g: np.ndarray) -> None:
        """Update ``p`` in place from its gradient ``g``; ``state`` is this parameter's slots."""


class SGD(Optimizer):
    """Stochastic gradient descent with optional (heavy-ball or Nesterov) momentum.

    Per parameter ``p`` with gradient ``g`` (PyTorch's convention, buffer starts at ``g``)::

        g = g + weight_decay * p
        v = momentum * v + g          (v = g on the first step)
        p = p - lr * (g + momentum * v   if nesterov else   v)

    Parameters
    ----------
    params : dict or list of dicts
    lr : float
    momentum : float in [0, 1), default 0
    nesterov : bool, default False
    weight_decay : float, default 0
    """

    def __init__(self, params: DictOrDicts, lr: float = 0.01, momentum: float = 0.0, *,
                 nesterov: bool = False, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _nonneg("momentum", momentum, 1.0)
        self.nesterov = bool(nesterov)
        self.weight_decay = _nonneg("weight_decay", weight_decay)

    def _update(self, state, p, g):
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum:
            v = state.get("velocity")
            if v is None:
                v = state["velocity"] = g.copy()
            else:
                v *= self.momentum
                v += g
            g = g + self.momentum * v if self.nesterov else v
        p -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015, Algorithm 1), with bias-corrected moments.

    Per parameter at step ``t`` (1-based)::

        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        p = p - lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)

    ``weight_decay`` adds ``weight_decay * p`` to ``g`` first (L2, not AdamW).

    Parameters
    ----------
    params : dict or list of dicts
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0
    """

    def __init__(self, params: DictOrDicts, lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, *,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas: expected a pair (beta1, beta2), got {betas!r}")
        self.betas = (_nonneg("betas[0]", betas[0], 1.0), _nonneg("betas[1]", betas[1], 1.0))
        self.eps = _nonneg("eps", eps)
        self.weight_decay = _nonneg("weight_decay", weight_decay)

    def _update(self, state, p, g):
        b1, b2 = self.betas
        if self.weight_decay:
            g = g + self.weight_decay * p
        if "m" not in state:
            state["m"] = np.zeros_like(p)
            state["v"] = np.zeros_like(p)
        m, v = state["m"], state["v"]
        m *= b1
        m += (1.0 - b1) * g
        v *= b2
        v += (1.0 - b2) * (g * g)
        t = self.step_count
        # Folding both bias corrections into the step size saves two temporaries per parameter;
        # eps is scaled the same way so the result equals the published formula exactly.
        c1 = 1.0 - b1 ** t
        c2 = math.sqrt(1.0 - b2 ** t)
        p -= (self.lr * c2 / c1) * m / (np.sqrt(v) + self.eps * c2)
