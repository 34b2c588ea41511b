"""Shared fixtures: random recurrent-stack problems, random linear losses over their outputs and
the backend of the layer classes."""

from __future__ import annotations

import importlib
import os
from typing import Optional, Sequence

import numpy as np
import pytest

import lstmcore as lc
from lstmcore import modules


def _make_case(spec: "lc.RNNSpec", T: int = 4, B: int = 3, dtype=np.float64, seed: int = 0,
               lengths: Optional[Sequence[int]] = None, with_state: bool = True,
               unbatched: bool = False) -> dict:
    """Random params, x (in spec's layout), initial state (or None) and lengths for ``spec``.

    Returns a dict with keys ``params``, ``x``, ``state``, ``lengths`` ready for
    ``forward(spec, **case)``.
    """
    rng = np.random.default_rng(seed)
    params = lc.init_params(spec, dtype=dtype, seed=seed)
    if unbatched:
        x = rng.standard_normal((T, spec.input_size)).astype(dtype)
    elif spec.batch_first:
        x = rng.standard_normal((B, T, spec.input_size)).astype(dtype)
    else:
        x = rng.standard_normal((T, B, spec.input_size)).astype(dtype)
    state = None
    if with_state:
        shapes = spec.state_shapes(None if unbatched else B)
        arrays = tuple(0.5 * rng.standard_normal(s).astype(dtype) for s in shapes)
        state = arrays if spec.has_cell_state else arrays[0]
    lens = None if lengths is None else np.asarray(lengths, dtype=np.int64)
    return {"params": params, "x": x, "state": state, "lengths": lens}


class LinearLoss:
    """L = <Wy, y> + <Wh, h_n> (+ <Wc, c_n>) with random weights: dy = Wy, dstate = (Wh, Wc)."""

    def __init__(self, y: np.ndarray, state, seed: int = 1):
        rng = np.random.default_rng(seed)
        self.dy = rng.standard_normal(y.shape).astype(y.dtype)
        if isinstance(state, tuple):
            self.dstate = tuple(rng.standard_normal(s.shape).astype(s.dtype) for s in state)
        else:
            self.dstate = rng.standard_normal(state.shape).astype(state.dtype)

    def __call__(self, y: np.ndarray, state) -> float:
        total = float(np.sum(self.dy * y))
        if isinstance(state, tuple):
            return total + sum(float(np.sum(w * s)) for w, s in zip(self.dstate, state))
        return total + float(np.sum(self.dstate * state))


@pytest.fixture
def make_case():
    """Factory of random problems: ``make_case(spec, T=4, B=3, dtype=..., seed=0, lengths=None,
    with_state=True, unbatched=False)``."""
    return _make_case


@pytest.fixture
def linear_loss():
    """Factory of random linear losses: ``linear_loss(y, state, seed=1)`` (see LinearLoss)."""
    return LinearLoss


@pytest.fixture
def class_backend(monkeypatch):
    """Run the layer and cell classes on lstmcore.functional, or on the backend that
    LSTMCORE_TEST_BACKEND names (e.g. ``reference``); modules that want it use
    ``pytestmark = pytest.mark.usefixtures("class_backend")``."""
    name = os.environ.get("LSTMCORE_TEST_BACKEND", "functional")
    monkeypatch.setattr(modules, "_backend", importlib.import_module(f"lstmcore.{name}"))
