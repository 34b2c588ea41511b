"""Gradient clipping by the global norm over several gradient dicts."""

from __future__ import annotations

import math

import numpy as np

from ._groups import DictOrDicts, as_dict_list

__all__ = ["global_norm", "clip_grad_norm"]


def global_norm(grads: DictOrDicts) -> float:
    """The 2-norm of all gradient arrays together, as if concatenated into one vector."""
    total = 0.0
    for g in as_dict_list(grads, "grads"):
        for arr in g.values():
            a = np.asarray(arr, dtype=np.float64)
            total += float(np.dot(a.ravel(), a.ravel()))
    return math.sqrt(total)


def clip_grad_norm(grads: DictOrDicts, max_norm: float) -> float:
    """Scale every gradient in place so that their global norm is at most ``max_norm``.

    Parameters
    ----------
    grads : dict or list of dicts
        E.g. ``[lstm.grads, head.grads]``; the arrays are modified in place.
    max_norm : float > 0

    Returns
    -------
    float
        The global norm before clipping (inf or nan when a gradient is not finite; the
        gradients are then left as they are, so the caller can skip the step).
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float, np.integer,
                                                               np.floating)):
        raise TypeError(f"max_norm: expected a number > 0, got {type(max_norm).__name__}")
    if not (max_norm > 0 and math.isfinite(max_norm)):
        raise ValueError(f"max_norm: expected a finite number > 0, got {max_norm!r}")
    dicts = as_dict_list(grads, "grads")
    norm = global_norm(dicts)
    if math.isfinite(norm) and norm > max_norm:
        scale = max_norm / norm
        for g in dicts:
            for arr in g.values():
                arr *= scale
    return norm
