"""The stack: layers, directions and inter-layer dropout, and the public forward/backward.

Layer k reads the output of layer k-1 (the input x for k = 0). Each layer runs a forward
direction and, when bidirectional, a reverse direction that reads every sequence backwards from
its own last valid step; their outputs are concatenated [forward, reverse] along features. In
training, the output of every layer but the last is multiplied by an inverted dropout mask.
State index of layer k, direction d in h0/h_n/c_n: k * D + d (PyTorch's order).
"""

from __future__ import annotations

from typing import Dict, Mapping, Optional

import numpy as np

from .. import _checks
from ..dropout import dropout_mask
from ..params import check_params
from ..spec import RNNSpec
from .layer import layer_backward, layer_forward
from .tape import Tape, reverse_order, time_order

__all__ = ["forward", "backward"]

Array = np.ndarray


def _suffix(layer: int, direction: int) -> str:
    return f"_l{layer}" + ("_reverse" if direction == 1 else "")


def _layer_params(spec: RNNSpec, params: Mapping[str, Array], layer: int, direction: int):
    """One layer-direction's parameters under their suffix-free names."""
    sfx = _suffix(layer, direction)
    return {base: params[base + sfx] for base in spec.layer_param_shapes(layer)}


def _initial(state: Optional[Array], index: int, shape, dtype) -> Array:
    return np.zeros(shape, dtype=dtype) if state is None else state[index]


def forward(spec: RNNSpec, params: Mapping[str, object], x, state=None, lengths=None,
            training: bool = False, seed: Optional[int] = None):
    """Run the recurrent stack over ``x`` in plain NumPy.

    Parameters
    ----------
    spec : RNNSpec
        Mode and settings of the stack.
    params : dict of str to array
        Every parameter of ``spec.param_names()`` (DESIGN.md section 4); cast to x's dtype.
    x : ndarray
        (T, B, I), (B, T, I) when ``spec.batch_first``, or unbatched (T, I); float32 or float64.
    state : ndarray or tuple (h0, c0), optional
        Initial state, h0 (L*D, B, P) and c0 (L*D, B, H) (LSTM); None means zeros.
    lengths : int array (B,), optional
        Valid steps of each right-padded sequence, in [0, T].
    training : bool, default False
        Keep a tape for :func:`backward` and apply inter-layer dropout.
    seed : int, optional
        Dropout seed; None draws one (the tape records it).

    Returns
    -------
    y : ndarray
        (T, B, D*P) (batch-first or unbatched like ``x``); 0 past each length.
    state : ndarray or tuple (h_n, c_n)
        The state at each sequence's last valid step, h_n (L*D, B, P), c_n (L*D, B, H).
    tape : Tape or None
        The saved activations when ``training``, else None.
    """
    prep = _checks.prepare_forward(spec, params, x, state, lengths)
    seed = _checks.resolve_training(training, seed)
    spec, dtype, T, B = prep.spec, prep.dtype, prep.seq_len, prep.batch
    D, P, H = spec.num_directions, spec.output_size, spec.hidden_size
    LD = spec.num_layers * D

    active = None if prep.lengths is None else np.arange(T)[:, None] < prep.lengths[None, :]
    orders = [None, reverse_order(T, prep.lengths, B)][:D]
    h_n = np.empty((LD, B, P), dtype=dtype)
    c_n = np.empty((LD, B, H), dtype=dtype) if spec.has_cell_state else None
    records, masks = {}, []
    inp = prep.x
    for layer in range(spec.num_layers):
        outs = []
        for direction in range(D):
            s = layer * D + direction
            h0 = _initial(prep.h0, s, (B, P), dtype)
            c0 = _initial(prep.c0, s, (B, H), dtype) if spec.has_cell_state else None
            x_scan = time_order(inp, orders[direction])
            p = _layer_params(spec, prep.params, layer, direction)
            y_scan, h_n[s], c_last, record = layer_forward(spec, p, x_scan, h0, c0, active)
            if c_n is not None:
                c_n[s] = c_last
            records[(layer, direction)] = record
            outs.append(time_order(y_scan, orders[direction]))
        out = outs[0] if D == 1 else np.concatenate(outs, axis=2)
        mask = None
        if training and spec.dropout > 0 and layer < spec.num_layers - 1:
            mask = dropout_mask(seed, layer, out.shape, spec.dropout, dtype)
            out = out * mask
        masks.append(mask)
        inp = out
    y, state_n = _checks.finish_forward(prep, inp, h_n, c_n)
    tape = Tape(prep, seed, records, orders, masks) if training else None
    return y, state_n, tape


def backward(spec: RNNSpec, params: Mapping[str, object], tape: Tape, dy, dstate=None):
    """Backpropagation through time for a training :func:`forward`.

    Parameters
    ----------
    spec, params
        The same as the forward's.
    tape : Tape
        The tape that forward returned (it is not consumed).
    dy : ndarray
        Gradient of the loss w.r.t. y (y's shape).
    dstate : ndarray or tuple, optional
        Gradient w.r.t. the final state (state's structure); None (or a None element) = zeros.

    Returns
    -------
    dx : ndarray
        Gradient w.r.t. x (x's shape).
    dstate0 : ndarray or tuple (dh0, dc0)
        Gradient w.r.t. the initial state (always arrays, also when the forward had none).
    grads : dict of str to ndarray
        Every parameter's gradient, in the compute dtype.
    """
    prep = _checks.check_tape(spec, tape, Tape, "lstmcore.reference.forward")
    p_all = check_params(spec, params, prep.dtype)
    dy_t, dh_n, dc_n = _checks.prepare_backward(prep, dy, dstate)
    dtype, B = prep.dtype, prep.batch
    D, P, H = spec.num_directions, spec.output_size, spec.hidden_size
    LD = spec.num_layers * D

    dh0 = np.empty((LD, B, P), dtype=dtype)
    dc0 = np.empty((LD, B, H), dtype=dtype) if spec.has_cell_state else None
    grads: Dict[str, Array] = {}
    d_out = dy_t
    for layer in reversed(range(spec.num_layers)):
        if tape._masks[layer] is not None:
            d_out = d_out * tape._masks[layer]
        d_inp = None
        for direction in range(D):
            s = layer * D + direction
            order = tape._orders[direction]
            dy_scan = time_order(d_out[:, :, direction * P:(direction + 1) * P], order)
            dh_last = _initial(dh_n, s, (B, P), dtype)
            dc_last = _initial(dc_n, s, (B, H), dtype) if spec.has_cell_state else None
            p = _layer_params(spec, p_all, layer, direction)
            dx_scan, dh0[s], dc_first, g, dh_total, dc_total = layer_backward(
                spec, p, tape._records[(layer, direction)], dy_scan, dh_last, dc_last
            )
            if dc0 is not None:
                dc0[s] = dc_first
                tape._grad_c[(layer, direction)] = dc_total
            tape._grad_h[(layer, direction)] = dh_total
            sfx = _suffix(layer, direction)
            grads.update({base + sfx: value for base, value in g.items()})
            dx = time_order(dx_scan, order)
            d_inp = dx if d_inp is None else d_inp + dx
        d_out = d_inp
    grads = {name: grads[name] for name in spec.param_names()}
    dx, dstate0 = _checks.finish_backward(prep, d_out, dh0, dc0)
    return dx, dstate0, grads
