"""The C++ core (lstmcore.functional) against the NumPy reference, forward and backward.

Grid: every mode and flag x 1-3 layers x uni/bidirectional x with/without lengths x with/without
initial state x float32/float64 x dropout on/off. Compared: y, final state, dx, dstate0, every
parameter gradient and every tape inspection array, with the normalised error
max|a - b| / max(1, max|b|).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import lstmcore as lc
from lstmcore import functional as F
from lstmcore import reference as R

from _helpers import as_tuple, norm_err

# Normalised-error tolerance per compute dtype.
TOL = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-5}

CELLS = {
    "rnn_tanh": dict(mode="rnn"),
    "rnn_relu": dict(mode="rnn", nonlinearity="relu"),
    "lstm": dict(mode="lstm"),
    "lstm_peephole": dict(mode="lstm", peephole=True),
    "lstm_coupled": dict(mode="lstm", coupled=True),
    "lstm_coupled_peephole": dict(mode="lstm", coupled=True, peephole=True),
    "lstm_proj": dict(mode="lstm", proj_size=2),
    "lstm_proj_peephole": dict(mode="lstm", proj_size=2, peephole=True),
    "lstm_proj_coupled_peephole": dict(mode="lstm", proj_size=2, coupled=True, peephole=True),
    "gru_lbr": dict(mode="gru"),
    "gru_cho": dict(mode="gru", linear_before_reset=False),
}

T, B, I, H = 5, 4, 3, 4
LENGTHS = np.array([3, 5, 0, 2])


def run_both(spec, dtype, lengths, with_state, seed=0, T_=T, B_=B):
    """Forward + backward on both front ends; returns {name: (core, ref)} of every result."""
    rng = np.random.default_rng(seed)
    params = lc.init_params(spec, dtype=dtype, seed=seed)
    x = rng.standard_normal((T_, B_, spec.input_size)).astype(dtype)
    if spec.batch_first:
        x = np.ascontiguousarray(x.transpose(1, 0, 2))
    state = None
    if with_state:
        arrays = tuple(0.5 * rng.standard_normal(s).astype(dtype) for s in spec.state_shapes(B_))
        state = arrays if spec.has_cell_state else arrays[0]
    out = {}
    for name, M in (("core", F), ("ref", R)):
        y, st, tape = M.forward(spec, params, x, state, lengths=lengths, training=True, seed=7)
        r2 = np.random.default_rng(seed + 1)
        dy = r2.standard_normal(y.shape).astype(dtype)
        dst = tuple(r2.standard_normal(a.shape).astype(dtype) for a in as_tuple(st))
        dx, d0, grads = M.backward(spec, params, tape, dy, dst if spec.has_cell_state else dst[0])
        res = {"y": y, "dx": dx}
        res.update({f"state{i}": a for i, a in enumerate(as_tuple(st))})
        res.update({f"dstate0_{i}": a for i, a in enumerate(as_tuple(d0))})
        res.update({f"grad:{k}": v for k, v in grads.items()})
        for layer, d in itertools.product(range(spec.num_layers), range(spec.num_directions)):
            key = f"l{layer}d{d}"
            for g, v in tape.gates(layer, d).items():
                res[f"{key}:gate_{g}"] = v
            res[f"{key}:h"] = tape.hidden_states(layer, d)
            res[f"{key}:dh"] = tape.grad_hidden(layer, d)
            if spec.has_cell_state:
                res[f"{key}:c"] = tape.cell_states(layer, d)
                res[f"{key}:dc"] = tape.grad_cell(layer, d)
        out[name] = res
    assert out["core"].keys() == out["ref"].keys()
    return {k: (out["core"][k], out["ref"][k]) for k in out["ref"]}


def assert_close(results, dtype):
    errs = {k: norm_err(a, b) for k, (a, b) in results.items()}
    worst = max(errs, key=errs.get)
    assert errs[worst] <= TOL[np.dtype(dtype)], f"{worst}: normalised error {errs[worst]:.3g}"


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("dropout", [0.0, 0.4], ids=["nodrop", "drop"])
@pytest.mark.parametrize("with_state", [False, True], ids=["zero0", "state0"])
@pytest.mark.parametrize("lengths", [None, LENGTHS], ids=["full", "lengths"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("cell", list(CELLS))
def test_grid(cell, num_layers, bidirectional, lengths, with_state, dropout, dtype):
    spec = lc.RNNSpec(input_size=I, hidden_size=H, num_layers=num_layers,
                      bidirectional=bidirectional, dropout=dropout, **CELLS[cell])
    assert_close(run_both(spec, dtype, lengths, with_state), dtype)


@pytest.mark.parametrize("cell", ["lstm_proj_peephole", "gru_lbr", "rnn_tanh"])
def test_no_bias_and_batch_first(cell):
    spec = lc.RNNSpec(input_size=I, hidden_size=H, bias=False, batch_first=True,
                      bidirectional=True, num_layers=2, **CELLS[cell])
    assert_close(run_both(spec, np.float64, LENGTHS, True), np.float64)


def test_dropout_mask_matches_reference_exactly():
    """With dropout the core's layer inputs carry exactly the reference's mask (zeros agree)."""
    spec = lc.RNNSpec(mode="lstm", input_size=I, hidden_size=H, num_layers=2, dropout=0.5)
    res = run_both(spec, np.float64, None, False, seed=3)
    core_y, ref_y = res["y"]
    np.testing.assert_allclose(core_y, ref_y, rtol=0, atol=1e-12)
    core_g, ref_g = res["grad:weight_ih_l1"]
    np.testing.assert_allclose(core_g, ref_g, rtol=0, atol=1e-12)


def test_unbatched_and_non_contiguous_input():
    spec = lc.RNNSpec(mode="gru", input_size=I, hidden_size=H, bidirectional=True)
    params = lc.init_params(spec, dtype=np.float64, seed=1)
    rng = np.random.default_rng(2)
    x_big = rng.standard_normal((T, 2 * I))
    x = x_big[:, ::2]  # a strided view
    y_c, h_c, _ = F.forward(spec, params, x)
    y_r, h_r, _ = R.forward(spec, params, x)
    assert y_c.shape == (T, 2 * H) and h_c.shape == (2, H)
    assert norm_err(y_c, y_r) < 1e-12 and norm_err(h_c, h_r) < 1e-12
    xt = rng.standard_normal((B, T, I)).transpose(1, 0, 2)  # non-contiguous (T, B, I)
    assert norm_err(F.forward(spec, params, xt)[0], R.forward(spec, params, xt)[0]) < 1e-12


def test_tape_reused_and_inference_matches_training():
    spec = lc.RNNSpec(mode="lstm", input_size=I, hidden_size=H, num_layers=2, peephole=True)
    params = lc.init_params(spec, dtype=np.float64, seed=4)
    x = np.random.default_rng(5).standard_normal((T, B, I))
    y_inf, s_inf, tape_none = F.forward(spec, params, x, lengths=LENGTHS)
    assert tape_none is None
    y, s, tape = F.forward(spec, params, x, lengths=LENGTHS, training=True)
    np.testing.assert_array_equal(y, y_inf)
    np.testing.assert_array_equal(s[0], s_inf[0])
    with pytest.raises(RuntimeError):
        tape.grad_hidden(0)
    dy = np.ones_like(y)
    first = F.backward(spec, params, tape, dy)
    second = F.backward(spec, params, tape, dy)
    np.testing.assert_array_equal(first[0], second[0])
    for k in first[2]:
        np.testing.assert_array_equal(first[2][k], second[2][k])
    assert tape.nbytes > 0 and isinstance(tape.seed, int)
    assert np.all(y[3:, 0] == 0) and np.all(y[:, 2] == 0)  # zero past each length


def test_backward_errors():
    spec = lc.RNNSpec(mode="rnn", input_size=I, hidden_size=H)
    params = lc.init_params(spec, dtype=np.float64, seed=0)
    x = np.zeros((T, B, I))
    y, _, _ = F.forward(spec, params, x)
    with pytest.raises(RuntimeError):
        F.backward(spec, params, None, y)
    _, _, ref_tape = R.forward(spec, params, x, training=True)
    with pytest.raises(RuntimeError):
        F.backward(spec, params, ref_tape, y)
    _, _, tape = F.forward(spec, params, x, training=True)
    with pytest.raises(ValueError, match="dy"):
        F.backward(spec, params, tape, y[:, :2])
    with pytest.raises(ValueError, match="spec"):
        F.backward(spec.replace(hidden_size=H + 1), params, tape, y)


def test_core_module_validates_on_its_own():
    """_core checks what it is given even when called without lstmcore._checks."""
    from lstmcore import _core

    spec = lc.RNNSpec(mode="lstm", input_size=I, hidden_size=H)
    params = lc.init_params(spec, dtype=np.float32, seed=0)
    x = np.zeros((T, B, I), dtype=np.float32)
    bad = dict(params, weight_hh_l0=np.zeros((4 * H, H + 1), np.float32))
    with pytest.raises(ValueError, match="weight_hh_l0"):
        _core.forward(spec, bad, x)
    missing = {k: v for k, v in params.items() if k != "bias_ih_l0"}
    with pytest.raises(ValueError, match="bias_ih_l0"):
        _core.forward(spec, missing, x)
    with pytest.raises(ValueError, match="x"):
        _core.forward(spec, params, np.zeros((T, B, I + 1), np.float32))
    with pytest.raises(ValueError, match="h0"):
        _core.forward(spec, params, x, np.zeros((1, B + 1, H), np.float32))
    with pytest.raises(ValueError, match="lengths"):
        _core.forward(spec, params, x, lengths=np.array([T + 1] * B))
    with pytest.raises(TypeError):
        _core.forward(spec, params, x.astype(np.int32))
