"""Small helpers shared by several test modules: the normalised error and state-as-tuple."""

from __future__ import annotations

import numpy as np


def norm_err(a, b) -> float:
    """max|a - b| / max(1, max|b|), in float64; a and b must agree in shape and dtype."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    if b.size == 0:
        return 0.0
    a, b = a.astype(np.float64), b.astype(np.float64)
    return float(np.max(np.abs(a - b)) / max(1.0, float(np.max(np.abs(b)))))


def as_tuple(state):
    """A recurrent state as a tuple: (h, c) stays, a bare h becomes (h,)."""
    return state if isinstance(state, tuple) else (state,)


def central_difference(f, arr: np.ndarray, idx, eps: float) -> float:
    """(f(arr[idx] + eps) - f(arr[idx] - eps)) / (2 eps), perturbing ``arr`` in place (restored).

    ``f`` takes no arguments: it must read ``arr`` (or a view of it) itself.
    """
    keep = arr[idx]
    arr[idx] = keep + eps
    up = f()
    arr[idx] = keep - eps
    down = f()
    arr[idx] = keep
    return (up - down) / (2 * eps)
