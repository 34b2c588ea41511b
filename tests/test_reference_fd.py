"""lstmcore.reference gradients against central finite differences (float64), all modes/flags."""

from __future__ import annotations

import numpy as np
import pytest

import lstmcore as lc
from lstmcore import reference as ref

from _helpers import central_difference

EPS = 1e-6
RTOL, ATOL = 1e-6, 1e-8
MAX_CHECKED = 100  # elements checked per array (all, at these sizes); larger: a random subset

CELLS = {
    "rnn_tanh": dict(mode="rnn"),
    "rnn_relu": dict(mode="rnn", nonlinearity="relu"),
    "lstm": dict(mode="lstm"),
    "lstm_peephole": dict(mode="lstm", peephole=True),
    "lstm_coupled": dict(mode="lstm", coupled=True),
    "lstm_coupled_peephole": dict(mode="lstm", coupled=True, peephole=True),
    "lstm_proj": dict(mode="lstm", proj_size=2),
    "lstm_proj_peephole": dict(mode="lstm", proj_size=2, peephole=True),
    "lstm_proj_coupled": dict(mode="lstm", proj_size=2, coupled=True),
    "lstm_proj_coupled_peephole": dict(mode="lstm", proj_size=1, coupled=True, peephole=True),
    "gru": dict(mode="gru"),
    "gru_reset_before": dict(mode="gru", linear_before_reset=False),
}

# Stack settings; lengths cover 0 (initial state passes through), T, and values between.
LAYOUTS = {
    "stack2_bidir_lengths_dropout": (
        dict(num_layers=2, bidirectional=True, dropout=0.4), dict(B=3, lengths=[4, 0, 2])),
    "stack2_batch_first_nobias": (
        dict(num_layers=2, batch_first=True, bias=False), dict(B=2, lengths=[1, 4])),
    "bidir_unbatched_dropout": (
        dict(num_layers=2, bidirectional=True, dropout=0.5), dict(unbatched=True)),
}


def _as_list(state):
    return list(state) if isinstance(state, tuple) else [state]


def _fd_check(spec, case, loss, dropout_seed, sample_rng):
    """Max relative error of the analytic gradients over the checked elements (asserts too)."""
    params, x, state, lengths = case["params"], case["x"], case["state"], case["lengths"]

    def objective():
        y, st, _ = ref.forward(spec, params, x, state, lengths, training=True, seed=dropout_seed)
        return loss(y, st)

    _, _, tape = ref.forward(spec, params, x, state, lengths, training=True, seed=dropout_seed)
    dx, dstate0, grads = ref.backward(spec, params, tape, loss.dy, loss.dstate)

    # (name, array perturbed in place, analytic gradient)
    targets = [(name, params[name], grads[name]) for name in spec.param_names()]
    targets.append(("x", x, dx))
    targets += [(f"state[{k}]", s, d) for k, (s, d) in enumerate(zip(_as_list(state),
                                                                      _as_list(dstate0)))]
    worst = 0.0
    for name, arr, analytic in targets:
        assert analytic.shape == arr.shape and analytic.dtype == arr.dtype, name
        flat = arr.reshape(-1)  # a view: perturbations reach the forward
        idx = np.arange(flat.size)
        if flat.size > MAX_CHECKED:
            idx = sample_rng.choice(flat.size, MAX_CHECKED, replace=False)
        numeric = np.empty(idx.size)
        for k, j in enumerate(idx):
            numeric[k] = central_difference(objective, flat, j, EPS)
        got = analytic.reshape(-1)[idx]
        np.testing.assert_allclose(got, numeric, rtol=RTOL, atol=ATOL, err_msg=name)
        scale = np.maximum(np.abs(numeric), 1e-3)
        worst = max(worst, float(np.max(np.abs(got - numeric) / scale)))
    return worst


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("cell", list(CELLS))
def test_gradients_match_finite_differences(cell, layout, make_case, linear_loss):
    spec_kw, case_kw = LAYOUTS[layout]
    spec = lc.RNNSpec(input_size=2, hidden_size=3, **CELLS[cell], **spec_kw)
    case = make_case(spec, T=4, seed=7, **case_kw)
    y, state, _ = ref.forward(spec, **case, training=True, seed=11)
    loss = linear_loss(y, state, seed=3)
    worst = _fd_check(spec, case, loss, dropout_seed=11, sample_rng=np.random.default_rng(5))
    assert worst < 1e-5


@pytest.mark.parametrize("cell", ["lstm_proj_peephole", "gru", "rnn_tanh"])
def test_gradients_without_initial_state(cell, make_case, linear_loss):
    """state=None: dstate0 is still returned and is the gradient w.r.t. a zero initial state."""
    spec = lc.RNNSpec(input_size=2, hidden_size=3, bidirectional=True, **CELLS[cell])
    case = make_case(spec, T=3, B=2, seed=2, lengths=[3, 1], with_state=False)
    y, state, tape = ref.forward(spec, **case, training=True)
    loss = linear_loss(y, state, seed=4)
    _, dstate0, _ = ref.backward(spec, case["params"], tape, loss.dy, loss.dstate)
    zeros = tuple(np.zeros_like(s) for s in _as_list(state))
    case["state"] = zeros if spec.has_cell_state else zeros[0]
    _fd_check(spec, case, loss, dropout_seed=0, sample_rng=np.random.default_rng(1))
    _, _, tape_z = ref.forward(spec, **case, training=True)
    _, dstate_z, _ = ref.backward(spec, case["params"], tape_z, loss.dy, loss.dstate)
    for a, b in zip(_as_list(dstate0), _as_list(dstate_z)):
        np.testing.assert_array_equal(a, b)
