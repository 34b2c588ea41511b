"""Losses that return both the value and its gradient: mean squared error, softmax cross-entropy."""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

__all__ = ["mse", "softmax", "log_softmax", "softmax_cross_entropy"]


def _float(value, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"{name}: expected a float array, got dtype {arr.dtype}")
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def _mask(mask, shape, name: str = "mask") -> Optional[np.ndarray]:
    if mask is None:
        return None
    m = np.asarray(mask)
    if m.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected a bool or 0/1 array, got dtype {m.dtype}")
    if m.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got {m.shape}")
    return m.astype(bool)


def mse(pred, target, mask=None) -> Tuple[float, np.ndarray]:
    """Mean squared error ``mean((pred - target)**2)`` and its gradient with respect to ``pred``.

    Parameters
    ----------
    pred, target : ndarray of the same shape
    mask : bool ndarray of that shape, optional
        Only the True elements count; the mean is over them (0 loss when none is True).

    Returns
    -------
    loss : float
    dpred : ndarray
        dloss/dpred, shaped and typed like ``pred``.
    """
    p = _float(pred, "pred")
    t = _float(target, "target")
    if p.shape != t.shape:
        raise ValueError(f"target: expected the shape of pred {p.shape}, got {t.shape}")
    m = _mask(mask, p.shape)
    diff = p - t.astype(p.dtype, copy=False)
    if m is not None:
        diff = np.where(m, diff, 0)
    count = p.size if m is None else int(m.sum())
    if count == 0:
        return 0.0, np.zeros_like(p)
    loss = float(np.sum(diff.astype(np.float64) ** 2) / count)
    return loss, (diff * (2.0 / count)).astype(p.dtype, copy=False)


def log_softmax(logits, axis: int = -1) -> np.ndarray:
    """``log(softmax(logits))`` computed stably (the maximum is subtracted first)."""
    z = _float(logits, "logits")
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(logits, axis: int = -1) -> np.ndarray:
    """The softmax along ``axis``, computed stably."""
    return np.exp(log_softmax(logits, axis))


def softmax_cross_entropy(logits, targets, ignore_index: Optional[int] = None,
                          mask=None) -> Tuple[float, np.ndarray]:
    """Softmax cross-entropy over any leading axes (e.g. time and batch) and its gradient.

    The loss is the mean of ``-log softmax(logits)[..., target]`` over the counted positions:
    every position except those whose target equals ``ignore_index`` or whose ``mask`` is False
    (e.g. the padding past each sequence's length).

    Parameters
    ----------
    logits : ndarray (..., C)
    targets : int ndarray (...)
        Class indices in [0, C) (or ``ignore_index``).
    ignore_index : int, optional
        A target value that does not count.
    mask : bool ndarray (...), optional
        False positions do not count.

    Returns
    -------
    loss : float
        0.0 when no position counts.
    dlogits : ndarray (..., C)
        dloss/dlogits (``(softmax - onehot) / count`` on counted positions, 0 elsewhere).
    """
    z = _float(logits, "logits")
    if z.ndim < 1:
        raise ValueError("logits: expected shape (..., C), got a scalar")
    t = np.asarray(targets)
    if t.dtype.kind not in "iu":
        raise TypeError(f"targets: expected an integer array, got dtype {t.dtype}")
    if t.shape != z.shape[:-1]:
        raise ValueError(f"targets: expected shape {z.shape[:-1]}, got {t.shape}")
    counted = np.ones(t.shape, dtype=bool)
    if ignore_index is not None:
        counted &= t != ignore_index
    m = _mask(mask, t.shape)
    if m is not None:
        counted &= m
    C = z.shape[-1]
    tc = np.where(counted, t, 0)
    if tc.size and (tc.min() < 0 or tc.max() >= C):
        raise ValueError(f"targets: expected class indices in [0, {C}), got min {tc.min()} "
                         f"and max {tc.max()}")
    count = int(counted.sum())
    if count == 0:
        return 0.0, np.zeros_like(z)
    logp = log_softmax(z)
    picked = np.take_along_axis(logp, tc[..., None], axis=-1)[..., 0]
    loss = float(-np.sum(np.where(counted, picked, 0.0), dtype=np.float64) / count)
    grad = np.exp(logp)
    np.put_along_axis(grad, tc[..., None],
                      np.take_along_axis(grad, tc[..., None], axis=-1) - 1.0, axis=-1)
    grad *= (counted / count)[..., None].astype(z.dtype)
    return loss, grad.astype(z.dtype, copy=False)
