"""One layer-direction: the scan of a cell over time, forward and backpropagation through time.

The layer sees its input already in scan order (the stack reverses each sequence for the reverse
direction), so a scan always runs t = 0, 1, ..., T-1 forward and T-1, ..., 0 backward.

Variable lengths are a mask ``active`` [T, B] (``t < length``): a finished sequence keeps its state
(h_t = h_{t-1}), and its output is 0. The cell is still evaluated on the held state of finished
rows, which keeps the code vectorised over the batch; the mask removes those values again.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional

import numpy as np

from ..spec import RNNSpec
from .cells import step_functions

__all__ = ["LayerRecord", "layer_forward", "layer_backward"]

Array = np.ndarray


@dataclasses.dataclass
class LayerRecord:
    """What a training forward of one layer-direction keeps for its backward (scan order)."""

    x: Array  # [T, B, I] the layer's input in scan order
    y: Array  # [T, B, P] the layer's output h_t in scan order, 0 where not active
    steps: List[Dict[str, Array]]  # per step, the cell's ``saved`` dict
    active: Optional[Array]  # [T, B] bool, or None when every sequence runs all T steps

    @property
    def nbytes(self) -> int:
        # h_prev of step t is h of step t-1: count each distinct array once.
        seen = {id(self.x): self.x.nbytes, id(self.y): self.y.nbytes}
        for saved in self.steps:
            for arr in saved.values():
                seen.setdefault(id(arr), arr.nbytes)
        return sum(seen.values())


def layer_forward(spec: RNNSpec, p: Dict[str, Array], x: Array, h0: Array, c0: Optional[Array],
                  active: Optional[Array]):
    """Run one layer-direction over a sequence.

    Parameters
    ----------
    spec : RNNSpec
    p : dict
        This layer-direction's parameters under suffix-free names (``weight_ih``, ...).
    x : ndarray [T, B, I]
        Input in scan order.
    h0, c0 : ndarray [B, P], [B, H] (c0 None outside LSTM)
        Initial state.
    active : ndarray [T, B] of bool, or None
        Which sequences are still running at each step.

    Returns
    -------
    y : ndarray [T, B, P]
        h at every step, 0 where not active.
    h_n, c_n : ndarray
        The state after each sequence's last step.
    record : LayerRecord
        What :func:`layer_backward` needs.
    """
    step, _ = step_functions(spec)
    xw = x @ p["weight_ih"].T  # [T, B, G*H]: the input projection of every step in one product
    if "bias_ih" in p:
        xw += p["bias_ih"]
    y = np.zeros(x.shape[:2] + h0.shape[1:], dtype=x.dtype)
    h, c, steps = h0, c0, []
    for t in range(x.shape[0]):
        h_new, c_new, saved = step(spec, xw[t], h, c, p)
        steps.append(saved)
        if active is None:
            h, c = h_new, c_new
            y[t] = h_new
        else:
            run = active[t][:, None]
            h = np.where(run, h_new, h)
            c = None if c is None else np.where(run, c_new, c)
            y[t] = np.where(run, h_new, 0.0)
    return y, h, c, LayerRecord(x, y, steps, active)


def layer_backward(spec: RNNSpec, p: Dict[str, Array], record: LayerRecord, dy: Array,
                   dh_n: Array, dc_n: Optional[Array]):
    """Backpropagation through time for one layer-direction.

    Parameters
    ----------
    dy : ndarray [T, B, P]
        Gradient of the loss w.r.t. ``y`` (scan order).
    dh_n, dc_n : ndarray [B, P], [B, H] (dc_n None outside LSTM)
        Gradient w.r.t. the final state.

    Returns
    -------
    dx : ndarray [T, B, I]
        Gradient w.r.t. the layer's input (scan order).
    dh0, dc0 : ndarray
        Gradient w.r.t. the initial state.
    grads : dict
        Gradients of the layer-direction's parameters (suffix-free names).
    dh_total, dc_total : ndarray [T, B, P], [T, B, H] (or None)
        The total gradient that reached h_t and c_t (0 where not active), for the tape.
    """
    _, step_backward = step_functions(spec)
    grads = {name: np.zeros_like(value) for name, value in p.items()}
    T = dy.shape[0]
    dxw = np.zeros((T,) + record.x.shape[1:2] + p["weight_ih"].shape[:1], dtype=dy.dtype)
    dh_total = np.zeros_like(dy)
    dc_total = None if dc_n is None else np.zeros((T,) + dc_n.shape, dtype=dy.dtype)
    dh, dc = dh_n, dc_n
    for t in reversed(range(T)):
        if record.active is None:
            dh = dh + dy[t]
            dxw[t], dh_prev, dc_prev, dc_t = step_backward(spec, dh, dc, record.steps[t], p, grads)
            dh_total[t] = dh
            if dc_t is not None:
                dc_total[t] = dc_t
            dh, dc = dh_prev, dc_prev
        else:
            # A finished row passed its state through unchanged: its gradient does the same.
            run = record.active[t][:, None]
            dh_run = np.where(run, dh + dy[t], 0.0)  # y is constant 0 past the length
            dc_run = None if dc is None else np.where(run, dc, 0.0)
            dxw[t], dh_prev, dc_prev, dc_t = step_backward(spec, dh_run, dc_run, record.steps[t],
                                                           p, grads)
            dh_total[t] = dh_run
            if dc_t is not None:
                dc_total[t] = dc_t
            dh = np.where(run, dh_prev, dh)
            dc = None if dc is None else np.where(run, dc_prev, dc)
    # The input projection's gradients, as one large product over all steps.
    grads["weight_ih"] = np.einsum("tbg,tbi->gi", dxw, record.x)
    if "bias_ih" in grads:
        grads["bias_ih"] = dxw.sum(axis=(0, 1))
    dx = dxw @ p["weight_ih"]
    return dx, dh, dc, grads, dh_total, dc_total
