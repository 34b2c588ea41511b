"""The fused recurrent steps (packed weights, SIMD tile kernels) against the portable steps.

The portable step functions stay in the core as the oracle: ``LSTMCORE_STEP_PATH=portable``
selects them at each call. Every cell variant, both dtypes, every compiled ISA, sizes that are
not multiples of any tile (H = 19, 33), B = 1 and B = 3, ragged lengths, two layers both ways.
Also: results are bitwise identical for 1 and 2 threads on a problem large enough to split.
"""

from __future__ import annotations

import numpy as np
import pytest

import lstmcore as lc
from lstmcore import functional as F

from _helpers import as_tuple, norm_err

CELLS = {
    "rnn_tanh": dict(mode="rnn"),
    "rnn_relu": dict(mode="rnn", nonlinearity="relu"),
    "lstm": dict(mode="lstm"),
    "lstm_peephole": dict(mode="lstm", peephole=True),
    "lstm_coupled": dict(mode="lstm", coupled=True),
    "lstm_coupled_peephole": dict(mode="lstm", coupled=True, peephole=True),
    "lstm_proj": dict(mode="lstm", proj_size=5),
    "lstm_proj_coupled_peephole": dict(mode="lstm", proj_size=7, coupled=True, peephole=True),
    "gru_lbr": dict(mode="gru"),
    "gru_cho": dict(mode="gru", linear_before_reset=False),
}

# Normalised error max|fused - portable| / max(1, max|portable|) allowed per dtype (the two
# paths differ in the order of the product's sums and in exp/tanh: a few ulp per step).
TOL = {np.dtype(np.float32): 1e-6, np.dtype(np.float64): 1e-12}


@pytest.fixture(params=lc.available_isas())
def isa(request):
    lc.set_max_isa(request.param)
    yield request.param
    lc.set_max_isa(None)


def run(spec, params, x, lengths, state, dy, path, monkeypatch):
    """Training forward, inference forward and backward on one step path: every result."""
    monkeypatch.setenv("LSTMCORE_STEP_PATH", path)
    y, st, tape = F.forward(spec, params, x, state=state, lengths=lengths, training=True, seed=3)
    y_inf, st_inf, _ = F.forward(spec, params, x, state=state, lengths=lengths, seed=3)
    dx, dst, grads = F.backward(spec, params, tape, dy)
    out = {"y": y, "y_inference": y_inf, "dx": dx}
    for k, (a, b) in enumerate(zip(as_tuple(st), as_tuple(st_inf))):
        out[f"state{k}"] = a
        out[f"state{k}_inference"] = b
    for k, a in enumerate(as_tuple(dst)):
        out[f"dstate{k}"] = a
    for name, g in grads.items():
        out[f"grad_{name}"] = g
    D = spec.num_directions
    for layer in range(spec.num_layers):
        for d in range(D):
            for gname, g in tape.gates(layer, d).items():
                out[f"gates{layer}{d}_{gname}"] = g
            out[f"grad_hidden{layer}{d}"] = tape.grad_hidden(layer, d)
    return out


def case(spec, dtype, B, T=6, seed=0, ragged=True):
    rng = np.random.default_rng(seed)
    params = lc.init_params(spec, dtype=dtype, seed=seed)
    x = rng.standard_normal((T, B, spec.input_size)).astype(dtype)
    lengths = None
    if ragged and B > 1:
        lengths = rng.integers(0, T + 1, B)
        lengths[0] = T
    shapes = spec.state_shapes(B)
    st = tuple(0.5 * rng.standard_normal(s).astype(dtype) for s in shapes)
    state = st if spec.has_cell_state else st[0]
    D = spec.num_directions
    P = spec.proj_size or spec.hidden_size
    dy = rng.standard_normal((T, B, D * P)).astype(dtype)
    return params, x, lengths, state, dy


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("H,B", [(19, 3), (33, 1)], ids=["H19B3", "H33B1"])
@pytest.mark.parametrize("cell", list(CELLS))
def test_fused_matches_portable(cell, H, B, dtype, isa, monkeypatch):
    spec = lc.RNNSpec(input_size=5, hidden_size=H, num_layers=2, bidirectional=True, **CELLS[cell])
    params, x, lengths, state, dy = case(spec, dtype, B)
    fused = run(spec, params, x, lengths, state, dy, "fused", monkeypatch)
    portable = run(spec, params, x, lengths, state, dy, "portable", monkeypatch)
    tol = TOL[np.dtype(dtype)]
    errors = {k: norm_err(fused[k], portable[k]) for k in portable}
    worst = max(errors, key=errors.get)
    assert errors[worst] <= tol, f"{worst}: {errors[worst]:.3g} > {tol:g} ({isa})"
    # The two paths really differ (a switch that did nothing would pass trivially).
    if cell != "rnn_relu":
        assert max(errors.values()) > 0


@pytest.mark.parametrize("cell", ["lstm", "lstm_proj_coupled_peephole", "gru_lbr", "gru_cho",
                                  "rnn_tanh"])
def test_threads_bitwise(cell, monkeypatch):
    """1 and 2 threads give the same bits on a problem the core does split."""
    monkeypatch.delenv("LSTMCORE_STEP_PATH", raising=False)
    spec = lc.RNNSpec(input_size=16, hidden_size=200, bidirectional=True, **CELLS[cell])
    params, x, lengths, state, dy = case(spec, np.float32, 24, T=5)
    results = []
    try:
        for n in (1, 2):
            lc.set_num_threads(n)
            results.append(run(spec, params, x, lengths, state, dy, "fused", monkeypatch))
    finally:
        lc.set_num_threads(None)
    for k in results[0]:
        np.testing.assert_array_equal(results[0][k], results[1][k], err_msg=k)


def test_inference_matches_training(monkeypatch):
    """Inference and training forwards agree bit for bit on the fused path (the inference step
    skips storing the gates; nothing else may differ)."""
    monkeypatch.delenv("LSTMCORE_STEP_PATH", raising=False)
    spec = lc.RNNSpec(mode="lstm", input_size=4, hidden_size=37, proj_size=11, peephole=True)
    params, x, lengths, state, _ = case(spec, np.float32, 5)
    y_t, s_t, _ = F.forward(spec, params, x, state=state, lengths=lengths, training=True)
    y_i, s_i, _ = F.forward(spec, params, x, state=state, lengths=lengths)
    np.testing.assert_array_equal(y_t, y_i)
    for a, b in zip(s_t, s_i):
        np.testing.assert_array_equal(a, b)
