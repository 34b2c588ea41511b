"""One time step of each cell (RNN, LSTM and its variants, GRU), forward and backward, in NumPy.

Every equation of DESIGN.md section 3 is written here exactly once. Read it next to Christopher
Olah's "Understanding LSTM Networks" (colah.github.io, 2015):

* the "cell state conveyor belt" is ``c``; the forget gate ``f`` scales what stays on it, the
  input gate ``i`` scales the candidate ``g`` (Olah's C-tilde) that is added to it;
* the output gate ``o`` chooses how much of ``tanh(c)`` becomes the hidden state ``h``;
* peepholes let the gates see the cell (the old one for i and f, the new one for o);
* the coupled (CIFG) variant ties the input gate to the forget gate: ``i = 1 - f``;
* the GRU merges cell and hidden state; its update gate ``z`` mixes the old state with the
  candidate ``n``.

Update-gate convention: we write ``h' = (1 - z) * n + z * h`` as PyTorch, ONNX and Keras do. Olah's
essay (and Cho et al. 2014) write ``h' = z * n + (1 - z) * h``: the same cell with z renamed 1 - z.

Conventions shared by every function below. Shapes use B = batch, H = hidden size, P = width of h
(the projection size, or H), G = number of gate blocks.

* ``xw`` [B, G*H] is the input part of every gate's pre-activation, ``x W_ih^T + b_ih``: the layer
  computes it for all time steps at once before the scan (one large product).
* ``p`` holds one layer-direction's parameters under their suffix-free names (``weight_hh``,
  ``bias_hh`` (absent when bias=False), ``weight_hr``, ``weight_peephole``).
* A forward step returns ``(h_new, c_new, saved)``; ``c`` is None for RNN and GRU. ``saved`` is a
  dict of what the backward step needs; its gate entries are also what ``Tape.gates`` shows.
* A backward step takes the gradients reaching the new state, adds the recurrent parameters'
  gradients of this step into ``grads`` and returns ``(dxw, dh, dc, dc_new)``: the gradient of
  the input pre-activations (the layer turns it into dx, dW_ih and db_ih after the loop), of the
  previous state, and the total gradient that reached the new cell state (None outside LSTM).
"""

from __future__ import annotations

from typing import Dict, Tuple

import numpy as np

from ..spec import RNNSpec

__all__ = [
    "sigmoid",
    "rnn_step",
    "rnn_step_backward",
    "lstm_step",
    "lstm_step_backward",
    "gru_step",
    "gru_step_backward",
    "step_functions",
]

Array = np.ndarray
Params = Dict[str, Array]


def sigmoid(a: Array) -> Array:
    """The logistic function, written through tanh so that it never overflows (and keeps dtype)."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _recurrent(h: Array, p: Params) -> Array:
    """``h W_hh^T + b_hh``: the recurrent part of every gate's pre-activation, [B, G*H]."""
    out = h @ p["weight_hh"].T
    if "bias_hh" in p:
        out += p["bias_hh"]
    return out


def _accumulate_recurrent(grads: Params, da: Array, h: Array) -> None:
    """Add the gradients of ``h W_hh^T + b_hh`` given its output gradient ``da`` [B, G*H]."""
    grads["weight_hh"] += da.T @ h
    if "bias_hh" in grads:
        grads["bias_hh"] += da.sum(axis=0)


# ------------------------------------------------------------------------------------------------
# Vanilla RNN: h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu.
# ------------------------------------------------------------------------------------------------


def rnn_step(spec: RNNSpec, xw: Array, h: Array, c: None, p: Params):
    """One RNN step. Returns ``(h_new, None, saved)`` with saved ``h`` (the activation)."""
    a = xw + _recurrent(h, p)
    h_new = np.tanh(a) if spec.nonlinearity == "tanh" else np.maximum(a, 0.0)
    return h_new, None, {"h_prev": h, "h": h_new}


def rnn_step_backward(spec: RNNSpec, dh_new: Array, dc_new: None, saved, p: Params, grads: Params):
    """Backward of :func:`rnn_step`; returns ``(dxw, dh, None, None)``."""
    h_new = saved["h"]
    if spec.nonlinearity == "tanh":
        da = dh_new * (1.0 - h_new * h_new)
    else:
        da = dh_new * (h_new > 0)
    _accumulate_recurrent(grads, da, saved["h_prev"])
    return da, da @ p["weight_hh"], None, None


# ------------------------------------------------------------------------------------------------
# LSTM, gate rows i, f, g, o (coupled: f, g, o), with optional peepholes and projection:
#   i = σ(a_i + p_i⊙c)     f = σ(a_f + p_f⊙c)     g = tanh(a_g)       (coupled: i = 1 - f)
#   c' = f⊙c + i⊙g
#   o = σ(a_o + p_o⊙c')    m = o⊙tanh(c')         h' = W_hr m  (no projection: h' = m)
# where a_· = W_i· x + b_i· + W_h· h + b_h·, and the p_· terms exist only with peepholes.
# ------------------------------------------------------------------------------------------------


def _peepholes(spec: RNNSpec, p: Params, H: int) -> Dict[str, Array]:
    """Peephole weights by gate name ({} without peepholes); rows i, f, o (coupled: f, o)."""
    if not spec.peephole:
        return {}
    w = p["weight_peephole"]
    return {name: w[k * H:(k + 1) * H] for k, name in enumerate(spec.peephole_names)}


def lstm_step(spec: RNNSpec, xw: Array, h: Array, c: Array, p: Params):
    """One LSTM step. Returns ``(h_new, c_new, saved)``; saved has the gates i, f, g, o and c."""
    H = spec.hidden_size
    a = xw + _recurrent(h, p)
    peep = _peepholes(spec, p, H)
    blocks = {name: a[:, k * H:(k + 1) * H] for k, name in enumerate(spec.gate_names)}

    def peek(name: str, cell: Array):
        """The peephole term p_name ⊙ cell of gate ``name`` (0 without peepholes)."""
        return peep[name] * cell if name in peep else 0.0

    f = sigmoid(blocks["f"] + peek("f", c))
    i = 1.0 - f if spec.coupled else sigmoid(blocks["i"] + peek("i", c))
    g = np.tanh(blocks["g"])
    c_new = f * c + i * g
    o = sigmoid(blocks["o"] + peek("o", c_new))
    tanh_c = np.tanh(c_new)
    m = o * tanh_c
    h_new = m @ p["weight_hr"].T if spec.proj_size else m
    saved = {"h_prev": h, "c_prev": c, "i": i, "f": f, "g": g, "o": o, "c": c_new,
             "tanh_c": tanh_c}
    if spec.proj_size:
        saved["m"] = m
    return h_new, c_new, saved


def lstm_step_backward(spec: RNNSpec, dh_new: Array, dc_new: Array, saved, p: Params,
                       grads: Params):
    """Backward of :func:`lstm_step`; returns ``(dxw, dh, dc, dc_new_total)``."""
    H = spec.hidden_size
    i, f, g, o, c, c_new, tanh_c = (saved[k] for k in ("i", "f", "g", "o", "c_prev", "c",
                                                        "tanh_c"))
    peep = _peepholes(spec, p, H)

    if spec.proj_size:
        grads["weight_hr"] += dh_new.T @ saved["m"]
        dm = dh_new @ p["weight_hr"]
    else:
        dm = dh_new
    da_o = dm * tanh_c * o * (1.0 - o)
    # Everything that reaches c': the next step's cell, h' through tanh, and o's peephole.
    dc_total = dc_new + dm * o * (1.0 - tanh_c * tanh_c)
    if "o" in peep:
        dc_total = dc_total + da_o * peep["o"]

    df = dc_total * c
    if spec.coupled:
        df = df - dc_total * g  # i = 1 - f sends its gradient to f with the opposite sign
    da_f = df * f * (1.0 - f)
    da_g = dc_total * i * (1.0 - g * g)
    da = {"f": da_f, "g": da_g, "o": da_o}
    if not spec.coupled:
        da["i"] = dc_total * g * i * (1.0 - i)

    dc = dc_total * f
    for name in ("i", "f"):  # the old cell reaches i and f through their peepholes
        if name in peep:
            dc = dc + da[name] * peep[name]
    if peep:
        cell_seen = {"i": c, "f": c, "o": c_new}
        grads["weight_peephole"] += np.concatenate(
            [(da[name] * cell_seen[name]).sum(axis=0) for name in spec.peephole_names]
        )

    da_all = np.concatenate([da[name] for name in spec.gate_names], axis=1)
    _accumulate_recurrent(grads, da_all, saved["h_prev"])
    return da_all, da_all @ p["weight_hh"], dc, dc_total


# ------------------------------------------------------------------------------------------------
# GRU, gate rows r, z, n:
#   r = σ(a_r)     z = σ(a_z)
#   linear_before_reset=True : n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn))
#   linear_before_reset=False: n = tanh(W_in x + b_in + W_hn (r⊙h) + b_hn)
#   h' = (1 - z)⊙n + z⊙h
# ------------------------------------------------------------------------------------------------


def gru_step(spec: RNNSpec, xw: Array, h: Array, c: None, p: Params):
    """One GRU step. Returns ``(h_new, None, saved)``; saved has the gates r, z, n.

    The update is ``h' = (1 - z) * n + z * h`` (PyTorch/ONNX/Keras): z near 1 keeps the old state.
    Olah's essay and Cho et al. (2014) write ``z * n + (1 - z) * h``, i.e. their z is our 1 - z.
    """
    H = spec.hidden_size
    w_hh, b_hh = p["weight_hh"], p.get("bias_hh")
    # r and z see h as any gate does; n's recurrent term depends on the reset convention.
    a_rz = xw[:, :2 * H] + h @ w_hh[:2 * H].T
    if b_hh is not None:
        a_rz += b_hh[:2 * H]
    r = sigmoid(a_rz[:, :H])
    z = sigmoid(a_rz[:, H:])
    if spec.linear_before_reset:
        hn_in = h  # the recurrent product sees h, r scales its result
        hn = hn_in @ w_hh[2 * H:].T
        if b_hh is not None:
            hn += b_hh[2 * H:]
        n = np.tanh(xw[:, 2 * H:] + r * hn)
    else:
        hn_in = r * h  # r scales h before the recurrent product
        hn = hn_in @ w_hh[2 * H:].T
        if b_hh is not None:
            hn += b_hh[2 * H:]
        n = np.tanh(xw[:, 2 * H:] + hn)
    h_new = (1.0 - z) * n + z * h
    return h_new, None, {"h_prev": h, "r": r, "z": z, "n": n, "hn": hn, "hn_in": hn_in}


def gru_step_backward(spec: RNNSpec, dh_new: Array, dc_new: None, saved, p: Params,
                      grads: Params):
    """Backward of :func:`gru_step`; returns ``(dxw, dh, None, None)``."""
    H = spec.hidden_size
    h, r, z, n, hn, hn_in = (saved[k] for k in ("h_prev", "r", "z", "n", "hn", "hn_in"))
    w_hh = p["weight_hh"]

    dn = dh_new * (1.0 - z)
    da_z = dh_new * (h - n) * z * (1.0 - z)
    da_n = dn * (1.0 - n * n)  # gradient of n's full pre-activation
    if spec.linear_before_reset:
        dhn = da_n * r  # gradient of W_hn h + b_hn
        da_r = da_n * hn * r * (1.0 - r)
        dh = dh_new * z + dhn @ w_hh[2 * H:]
    else:
        dhn = da_n  # gradient of W_hn (r⊙h) + b_hn
        d_rh = dhn @ w_hh[2 * H:]
        da_r = d_rh * h * r * (1.0 - r)
        dh = dh_new * z + d_rh * r

    da_rz = np.concatenate([da_r, da_z], axis=1)
    dh += da_rz @ w_hh[:2 * H]
    grads["weight_hh"][:2 * H] += da_rz.T @ h
    grads["weight_hh"][2 * H:] += dhn.T @ hn_in
    if "bias_hh" in grads:
        grads["bias_hh"][:2 * H] += da_rz.sum(axis=0)
        grads["bias_hh"][2 * H:] += dhn.sum(axis=0)
    dxw = np.concatenate([da_rz, da_n], axis=1)
    return dxw, dh, None, None


_STEPS = {
    "rnn": (rnn_step, rnn_step_backward),
    "lstm": (lstm_step, lstm_step_backward),
    "gru": (gru_step, gru_step_backward),
}


def step_functions(spec: RNNSpec) -> Tuple[object, object]:
    """The ``(step, step_backward)`` pair of ``spec.mode``."""
    return _STEPS[spec.mode]
