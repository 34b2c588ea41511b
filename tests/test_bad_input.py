"""Validation audit: every public entry point rejects bad input with a clear, named error.

One table per entry point (functional/reference forward and backward, layers, cells, parameter
dicts, tape inspection, sizes too large for memory). Calls that reach the compiled core with
adversarial arguments run in a subprocess, so a crash fails the test instead of the test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import lstmcore as lc
from lstmcore import functional, reference

FRONT_ENDS = [pytest.param(functional, id="functional"), pytest.param(reference, id="reference")]

# A stack that exercises every axis: 2 layers, 2 directions, an LSTM with (h, c) state.
SPEC = lc.RNNSpec("lstm", 3, 4, num_layers=2, bidirectional=True)
GRU_SPEC = lc.RNNSpec("gru", 3, 4)
T, B = 5, 2


def _params(spec=SPEC, dtype=np.float32):
    return lc.init_params(spec, dtype, seed=0)


def _x(dtype=np.float32):
    return np.random.default_rng(0).standard_normal((T, B, 3)).astype(dtype)


def _state(spec=SPEC, batch=B, dtype=np.float32):
    shapes = spec.state_shapes(batch)
    arrays = tuple(np.zeros(s, dtype) for s in shapes)
    return arrays if spec.has_cell_state else arrays[0]


def _without(d, key):
    return {k: v for k, v in d.items() if k != key}


def _with(d, key, value):
    out = dict(d)
    out[key] = value
    return out


P = _params()
X = _x()
H_SHAPE, C_SHAPE = SPEC.state_shapes(B)

# (id, changes to forward's keyword arguments, exception, message pattern)
FORWARD_CASES = [
    ("spec-none", {"spec": None}, TypeError, "spec"),
    ("spec-dict", {"spec": {"mode": "lstm"}}, TypeError, "spec"),
    ("params-list", {"params": list(P.values())}, TypeError, "params"),
    ("params-none", {"params": None}, TypeError, "params"),
    ("params-missing", {"params": _without(P, "weight_hh_l1_reverse")}, ValueError,
     "missing.*weight_hh_l1_reverse"),
    ("params-extra", {"params": _with(P, "weight_hr_l0", np.zeros((4, 4)))}, ValueError,
     "unexpected.*weight_hr_l0"),
    ("params-shape", {"params": _with(P, "weight_ih_l0", np.zeros((16, 4)))}, ValueError,
     r"weight_ih_l0.*\(16, 3\)"),
    ("params-transposed", {"params": _with(P, "weight_ih_l0", P["weight_ih_l0"].T)}, ValueError,
     "weight_ih_l0"),
    ("params-bias-2d", {"params": _with(P, "bias_ih_l0", P["bias_ih_l0"][None])}, ValueError,
     "bias_ih_l0"),
    ("params-complex", {"params": _with(P, "bias_hh_l0", P["bias_hh_l0"] + 0j)}, TypeError,
     "bias_hh_l0"),
    ("params-str", {"params": _with(P, "bias_hh_l0", np.array(["a"] * 16))}, TypeError,
     "bias_hh_l0"),
    ("params-object", {"params": _with(P, "bias_hh_l0", P["bias_hh_l0"].astype(object))},
     TypeError, "bias_hh_l0"),
    ("params-none-value", {"params": _with(P, "weight_hh_l0", None)}, TypeError, "weight_hh_l0"),
    ("params-bool", {"params": _with(P, "bias_hh_l0", np.ones(16, bool))}, TypeError,
     "bias_hh_l0"),
    ("x-none", {"x": None}, TypeError, "x"),
    ("x-str", {"x": "abc"}, TypeError, "x"),
    ("x-ragged", {"x": [[1.0, 2.0], [3.0]]}, TypeError, "x"),
    ("x-object", {"x": X.astype(object)}, TypeError, "x"),
    ("x-complex", {"x": X + 0j}, TypeError, "x"),
    ("x-float16", {"x": X.astype(np.float16)}, TypeError, "x"),
    ("x-longdouble", {"x": X.astype(np.longdouble)}, TypeError, "x"),
    ("x-datetime", {"x": np.zeros((T, B, 3), "datetime64[s]")}, TypeError, "x"),
    ("x-0d", {"x": np.float32(1.0)}, ValueError, "x.*ndim=0"),
    ("x-1d", {"x": np.zeros(3, np.float32)}, ValueError, "x.*ndim=1"),
    ("x-4d", {"x": X[None]}, ValueError, "x.*ndim=4"),
    ("x-features", {"x": np.zeros((T, B, 4), np.float32)}, ValueError, "x.*I=3"),
    ("x-unbatched-features", {"x": np.zeros((T, 4), np.float32)}, ValueError, r"x.*\(T, 3\)"),
    ("x-no-steps", {"x": X[:0]}, ValueError, "x.*time step"),
    ("x-no-batch", {"x": X[:, :0]}, ValueError, "x.*batch"),
    ("x-unbatched-no-steps", {"x": np.zeros((0, 3), np.float32)}, ValueError, "x.*time step"),
    ("state-array-for-lstm", {"state": np.zeros(H_SHAPE, np.float32)}, TypeError, "state"),
    ("state-3-tuple", {"state": (1, 2, 3)}, TypeError, "state"),
    ("state-dict", {"state": {}}, TypeError, "state"),
    ("state-h-shape", {"state": (np.zeros((4, 2, 5)), np.zeros(C_SHAPE))}, ValueError,
     r"state\[0\]"),
    ("state-c-shape", {"state": (np.zeros(H_SHAPE), np.zeros((2, 2, 4)))}, ValueError,
     r"state\[1\]"),
    ("state-unbatched-shape", {"state": (np.zeros((4, 4)), np.zeros((4, 4)))}, ValueError,
     r"state\[0\]"),
    ("state-str", {"state": ("a", "b")}, TypeError, r"state\[0\]"),
    ("state-complex", {"state": (np.zeros(H_SHAPE, complex), None)}, TypeError, r"state\[0\]"),
    ("lengths-negative", {"lengths": [-1, 5]}, ValueError, "lengths.*min -1"),
    ("lengths-too-long", {"lengths": [6, 5]}, ValueError, "lengths.*T=5"),
    ("lengths-huge-uint", {"lengths": np.array([2**63 + 5, 1], np.uint64)}, ValueError,
     "lengths"),
    ("lengths-int-min", {"lengths": np.array([np.iinfo(np.int64).min, 1])}, ValueError,
     "lengths"),
    ("lengths-count", {"lengths": [5, 5, 5]}, ValueError, r"lengths.*\(2,\)"),
    ("lengths-2d", {"lengths": [[5, 5]]}, ValueError, "lengths"),
    ("lengths-scalar", {"lengths": 5}, ValueError, "lengths"),
    ("lengths-empty", {"lengths": []}, (TypeError, ValueError), "lengths"),
    ("lengths-fraction", {"lengths": [2.5, 3.0]}, TypeError, "lengths"),
    ("lengths-nan", {"lengths": [np.nan, 3.0]}, TypeError, "lengths"),
    ("lengths-inf", {"lengths": [np.inf, 3.0]}, (TypeError, ValueError), "lengths"),
    ("lengths-bool", {"lengths": np.array([True, False])}, TypeError, "lengths"),
    ("lengths-str", {"lengths": ["a", "b"]}, TypeError, "lengths"),
    ("lengths-object", {"lengths": [object(), 1]}, TypeError, "lengths"),
    ("lengths-unbatched", {"x": np.zeros((T, 3), np.float32), "state": None, "lengths": [5]},
     ValueError, "lengths"),
    ("training-int", {"training": 1}, TypeError, "training"),
    ("training-str", {"training": "yes"}, TypeError, "training"),
    ("training-none", {"training": None}, TypeError, "training"),
    ("seed-float", {"training": True, "seed": 1.5}, TypeError, "seed"),
    ("seed-str", {"training": True, "seed": "1"}, TypeError, "seed"),
    ("seed-bool", {"training": True, "seed": True}, TypeError, "seed"),
]


def _forward_args(changes):
    args = {"spec": SPEC, "params": P, "x": X, "state": _state(), "lengths": None,
            "training": False}
    args.update(changes)
    return args


@pytest.mark.parametrize("front_end", FRONT_ENDS)
@pytest.mark.parametrize("changes, exc, match",
                         [pytest.param(*c[1:], id=c[0]) for c in FORWARD_CASES])
def test_forward_rejects(front_end, changes, exc, match):
    with pytest.raises(exc, match=match):
        front_end.forward(**_forward_args(changes))


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_gru_state_must_be_one_array(front_end):
    p = _params(GRU_SPEC)
    h = np.zeros(GRU_SPEC.state_shapes(B)[0], np.float32)
    with pytest.raises(TypeError, match="state"):
        front_end.forward(GRU_SPEC, p, X, state=(h, h))
    with pytest.raises(ValueError, match="state"):
        front_end.forward(GRU_SPEC, p, X, state=np.zeros((1, B, 5), np.float32))


# -- accepted on purpose: documented conversions --------------------------------------------------

ACCEPTED = [
    ("lengths-integral-floats", {"lengths": [2.0, 5.0]}),
    ("lengths-zero", {"lengths": [0, 5]}),
    ("lengths-uint8", {"lengths": np.array([1, 5], np.uint8)}),
    ("x-int", {"x": np.ones((T, B, 3), np.int32)}),
    ("x-bool", {"x": np.ones((T, B, 3), bool)}),
    ("x-negative-strides", {"x": X[::-1, ::-1, ::-1]}),
    ("x-fortran", {"x": np.asfortranarray(X)}),
    ("x-strided", {"x": np.repeat(X, 3, axis=2)[:, :, ::3]}),
    ("x-broadcast", {"x": np.broadcast_to(X[:1], X.shape)}),
    ("x-readonly", {"x": np.frombuffer(X.tobytes(), np.float32).reshape(X.shape)}),
    ("params-float64-cast", {"params": _params(dtype=np.float64)}),
    ("params-fortran", {"params": {k: np.asfortranarray(v) for k, v in P.items()}}),
    ("params-big-endian", {"params": {k: v.astype(">f4") for k, v in P.items()}}),
    ("state-none-halves", {"state": (None, np.zeros(C_SHAPE, np.float32))}),
    ("seed-negative", {"training": True, "seed": -1}),
    ("seed-huge", {"training": True, "seed": 2**70}),
]


@pytest.mark.parametrize("front_end", FRONT_ENDS)
@pytest.mark.parametrize("changes", [pytest.param(c[1], id=c[0]) for c in ACCEPTED])
def test_forward_accepts_and_matches_plain_input(front_end, changes):
    """Documented conversions give the same numbers as the plain C-contiguous call."""
    args = _forward_args(changes)
    y, _, _ = front_end.forward(**args)
    plain = {k: v for k, v in args.items()}
    plain["x"] = np.ascontiguousarray(np.asarray(args["x"], np.float32))
    plain["params"] = {k: np.ascontiguousarray(v, np.float32) for k, v in P.items()}
    y_plain, _, _ = front_end.forward(**plain)
    assert y.shape == y_plain.shape
    np.testing.assert_allclose(y.astype(np.float32), y_plain, rtol=1e-5, atol=1e-6)


# -- backward -------------------------------------------------------------------------------------


@pytest.fixture(params=FRONT_ENDS)
def trained(request):
    fe = request.param
    y, state, tape = fe.forward(SPEC, P, X, _state(), training=True)
    return fe, y, state, tape


def test_backward_without_a_training_forward(trained):
    fe, y, _, _ = trained
    _, _, tape = fe.forward(SPEC, P, X)
    assert tape is None
    with pytest.raises(RuntimeError, match="training=True"):
        fe.backward(SPEC, P, tape, np.ones_like(y))


@pytest.mark.parametrize("bad_tape", ["tape", 0, object(), {}])
def test_backward_with_a_foreign_object(trained, bad_tape):
    fe, y, _, _ = trained
    with pytest.raises(RuntimeError, match="tape"):
        fe.backward(SPEC, P, bad_tape, np.ones_like(y))


def test_backward_with_the_other_front_ends_tape(trained):
    fe, y, _, tape = trained
    other = reference if fe is functional else functional
    with pytest.raises(RuntimeError, match="tape"):
        other.backward(SPEC, P, tape, np.ones_like(y))


def test_backward_with_a_tape_of_another_model(trained):
    fe, y, _, tape = trained
    other = SPEC.replace(hidden_size=5)
    with pytest.raises(ValueError, match="spec"):
        fe.backward(other, lc.init_params(other, np.float32, 0), tape, np.ones_like(y))
    # Same spec, but a batch of another size: dy of this forward does not fit that tape.
    _, _, tape3 = fe.forward(SPEC, P, np.zeros((T, 3, 3), np.float32), training=True)
    with pytest.raises(ValueError, match="dy"):
        fe.backward(SPEC, P, tape3, np.ones_like(y))


BACKWARD_CASES = [
    ("params-missing", {"params": _without(P, "bias_ih_l1")}, ValueError, "bias_ih_l1"),
    ("params-shape", {"params": _with(P, "weight_hh_l0", np.zeros((16, 5)))}, ValueError,
     "weight_hh_l0"),
    ("dy-shape", {"dy": np.ones((T, B, 4), np.float32)}, ValueError, "dy"),
    ("dy-batch-first", {"dy": np.ones((B, T, 8), np.float32)}, ValueError, "dy"),
    ("dy-none", {"dy": None}, TypeError, "dy"),
    ("dy-str", {"dy": "x"}, TypeError, "dy"),
    ("dy-complex", {"dy": np.ones((T, B, 8), complex)}, TypeError, "dy"),
    ("dstate-array-for-lstm", {"dstate": np.zeros(H_SHAPE)}, TypeError, "dstate"),
    ("dstate-h-shape", {"dstate": (np.zeros((3,)), None)}, ValueError, r"dstate\[0\]"),
    ("dstate-c-shape", {"dstate": (None, np.zeros((4, 2, 5)))}, ValueError, r"dstate\[1\]"),
    ("dstate-str", {"dstate": (None, "c")}, TypeError, r"dstate\[1\]"),
]


@pytest.mark.parametrize("changes, exc, match",
                         [pytest.param(*c[1:], id=c[0]) for c in BACKWARD_CASES])
def test_backward_rejects(trained, changes, exc, match):
    fe, y, _, tape = trained
    args = {"spec": SPEC, "params": P, "tape": tape, "dy": np.ones_like(y), "dstate": None}
    args.update(changes)
    with pytest.raises(exc, match=match):
        fe.backward(**args)
    # A rejected call leaves the tape usable.
    dx, _, _ = fe.backward(SPEC, P, tape, np.ones_like(y))
    assert np.all(np.isfinite(dx))


# -- tape inspection ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["gates", "cell_states", "hidden_states"])
@pytest.mark.parametrize("layer, direction, exc", [
    (2, 0, ValueError), (-1, 0, ValueError), (0, 2, ValueError), (0, -1, ValueError),
    (2**70, 0, ValueError),
])
def test_tape_inspection_range(trained, method, layer, direction, exc):
    _, _, _, tape = trained
    with pytest.raises(exc, match="layer|direction"):
        getattr(tape, method)(layer, direction)


@pytest.mark.parametrize("layer, direction", [(1.0, 0), ("0", 0), (None, 0), (0, True)])
def test_functional_tape_inspection_types(layer, direction):
    _, _, tape = functional.forward(SPEC, P, X, training=True)
    with pytest.raises(TypeError, match="layer|direction"):
        tape.gates(layer, direction)


def test_tape_grads_before_backward_and_cell_of_gru(trained):
    fe, _, _, tape = trained
    with pytest.raises(RuntimeError, match="backward"):
        tape.grad_hidden(0)
    with pytest.raises(RuntimeError, match="backward"):
        tape.grad_cell(0)
    _, _, gru_tape = fe.forward(GRU_SPEC, _params(GRU_SPEC), X, training=True)
    with pytest.raises(ValueError, match="LSTM"):
        gru_tape.cell_states(0)


# -- layer and cell classes -----------------------------------------------------------------------

CONSTRUCTOR_CASES = [
    ("input-zero", lc.LSTM, (0, 4), {}, ValueError, "input_size"),
    ("input-negative", lc.GRU, (-3, 4), {}, ValueError, "input_size"),
    ("input-float", lc.RNN, (3.0, 4), {}, TypeError, "input_size"),
    ("input-str", lc.LSTM, ("3", 4), {}, TypeError, "input_size"),
    ("input-bool", lc.LSTM, (True, 4), {}, TypeError, "input_size"),
    ("input-none", lc.LSTM, (None, 4), {}, TypeError, "input_size"),
    ("hidden-zero", lc.LSTM, (3, 0), {}, ValueError, "hidden_size"),
    ("layers-zero", lc.LSTM, (3, 4, 0), {}, ValueError, "num_layers"),
    ("dropout-one", lc.LSTM, (3, 4, 2), {"dropout": 1.0}, ValueError, "dropout"),
    ("dropout-negative", lc.GRU, (3, 4, 2), {"dropout": -0.1}, ValueError, "dropout"),
    ("dropout-nan", lc.GRU, (3, 4, 2), {"dropout": float("nan")}, ValueError, "dropout"),
    ("dropout-str", lc.RNN, (3, 4), {"dropout": "0.5"}, TypeError, "dropout"),
    ("proj-too-big", lc.LSTM, (3, 4), {"proj_size": 4}, ValueError, "proj_size"),
    ("proj-negative", lc.LSTM, (3, 4), {"proj_size": -1}, ValueError, "proj_size"),
    ("bidirectional-int", lc.LSTM, (3, 4), {"bidirectional": 1}, TypeError, "bidirectional"),
    ("batch-first-str", lc.GRU, (3, 4), {"batch_first": "yes"}, TypeError, "batch_first"),
    ("dtype-int", lc.LSTM, (3, 4), {"dtype": np.int32}, TypeError, "dtype"),
    ("dtype-half", lc.LSTM, (3, 4), {"dtype": np.float16}, TypeError, "dtype"),
    ("dtype-name", lc.LSTM, (3, 4), {"dtype": "float99"}, TypeError, "dtype"),
    ("device-cuda", lc.LSTM, (3, 4), {"device": "cuda"}, ValueError, "device"),
    ("device-int", lc.LSTM, (3, 4), {"device": 0}, TypeError, "device"),
    ("seed-negative", lc.LSTM, (3, 4), {"seed": -1}, ValueError, "seed"),
    ("seed-float", lc.LSTM, (3, 4), {"seed": 0.5}, TypeError, "seed"),
    ("nonlinearity", lc.RNN, (3, 4), {"nonlinearity": "sigmoid"}, ValueError, "nonlinearity"),
    ("cell-hidden-zero", lc.LSTMCell, (3, 0), {}, ValueError, "hidden_size"),
    ("cell-dtype", lc.GRUCell, (3, 4), {"dtype": complex}, TypeError, "dtype"),
    ("cell-proj", lc.LSTMCell, (3, 4), {"proj_size": 9}, ValueError, "proj_size"),
]


@pytest.mark.parametrize("cls, args, kwargs, exc, match",
                         [pytest.param(*c[1:], id=c[0]) for c in CONSTRUCTOR_CASES])
def test_constructor_rejects(cls, args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        cls(*args, **kwargs)


@pytest.fixture
def lstm():
    return lc.LSTM(3, 4, num_layers=2, bidirectional=True, seed=0)


def test_layer_backward_needs_a_training_forward(lstm):
    with pytest.raises(RuntimeError, match="training=True"):
        lstm.backward(np.ones((T, B, 8), np.float32))
    y, _ = lstm.forward(X, training=True)
    lstm(X)  # an inference call drops the tape
    with pytest.raises(RuntimeError, match="training=True"):
        lstm.backward(np.ones_like(y))
    lstm.forward(X, training=True)
    with pytest.raises(ValueError):
        lstm.forward(X[:0], training=True)  # a failed forward leaves no stale tape either
    with pytest.raises(RuntimeError, match="training=True"):
        lstm.backward(np.ones_like(y))


def test_layer_tape_is_dropped_when_parameters_are_loaded(lstm):
    y, _ = lstm.forward(X, training=True)
    lstm.load_state_dict(lstm.state_dict())
    with pytest.raises(RuntimeError, match="training=True"):
        lstm.backward(np.ones_like(y))


def test_layer_tape_of_a_reconfigured_spec(lstm):
    y, _ = lstm.forward(X, training=True)
    lstm.spec = lstm.spec.replace(dropout=0.5)
    with pytest.raises(ValueError, match="spec"):
        lstm.backward(np.ones_like(y))


@pytest.mark.parametrize("dy, exc", [
    (np.ones((T, B, 4), np.float32), ValueError),
    (np.ones((B, T, 8), np.float32), ValueError),
    ("dy", TypeError),
    (None, TypeError),
])
def test_layer_backward_rejects_dy(lstm, dy, exc):
    lstm.forward(X, training=True)
    with pytest.raises(exc, match="dy"):
        lstm.backward(dy)
    assert all(not g.any() for g in lstm.grads.values())  # nothing was accumulated


@pytest.mark.parametrize("changes, exc, match", [
    pytest.param(c[1], c[2], c[3], id=c[0]) for c in FORWARD_CASES
    if c[0].startswith(("x-", "lengths-", "state-", "training-"))
    # The layer casts numeric x of another dtype to its own: those are accepted there.
    and c[0] not in ("x-float16", "x-longdouble", "x-complex", "state-complex")
])
def test_layer_forward_rejects(lstm, changes, exc, match):
    args = {"x": X, "state": _state(), "lengths": None, "training": False}
    args.update(changes)
    with pytest.raises(exc, match=match):
        lstm.forward(**args)


LOAD_CASES = [
    ("not-a-mapping", lambda sd: list(sd.values()), TypeError, "state_dict"),
    ("missing", lambda sd: _without(sd, "weight_ih_l0"), ValueError, "weight_ih_l0"),
    ("extra", lambda sd: _with(sd, "weight_hr_l0", np.zeros((4, 4))), ValueError,
     "weight_hr_l0"),
    ("shape", lambda sd: _with(sd, "bias_hh_l1", np.zeros(15)), ValueError, "bias_hh_l1"),
    ("str", lambda sd: _with(sd, "bias_hh_l1", np.array(["a"] * 16)), TypeError, "bias_hh_l1"),
    ("object", lambda sd: _with(sd, "bias_hh_l1", [object()] * 16), TypeError, "bias_hh_l1"),
]


@pytest.mark.parametrize("make, exc, match", [pytest.param(*c[1:], id=c[0]) for c in LOAD_CASES])
def test_load_state_dict_rejects_and_changes_nothing(lstm, make, exc, match):
    before = lstm.state_dict()
    with pytest.raises(exc, match=match):
        lstm.load_state_dict(make(lstm.state_dict()))
    for k, v in lstm.params.items():
        np.testing.assert_array_equal(v, before[k])


def test_load_state_dict_keeps_non_finite_values(lstm):
    """Non-finite parameters are the user's business: loaded as they are, propagated."""
    sd = lstm.state_dict()
    sd["bias_ih_l0"][0] = np.nan
    sd["bias_hh_l0"][1] = np.inf
    lstm.load_state_dict(sd)
    assert np.isnan(lstm.params["bias_ih_l0"][0]) and np.isinf(lstm.params["bias_hh_l0"][1])
    y, _ = lstm(X)
    assert np.isnan(y).any()


CELL_CASES = [
    ("x-3d", lambda c: c(np.zeros((1, 2, 3))), ValueError, "x_t"),
    ("x-features", lambda c: c(np.zeros((2, 4))), ValueError, "x_t"),
    ("x-no-batch", lambda c: c(np.zeros((0, 3))), ValueError, "x|batch"),
    ("x-str", lambda c: c("abc"), (TypeError, ValueError), "x"),
    ("state-not-tuple", lambda c: c(np.zeros((2, 3)), np.zeros((2, 4))), TypeError, "state"),
    ("state-h-shape", lambda c: c(np.zeros((2, 3)), (np.zeros((3, 4)), None)), ValueError,
     r"state\[0\]"),
    ("state-c-unbatched", lambda c: c(np.zeros((2, 3)), (None, np.zeros(4))), ValueError,
     r"state\[1\]"),
    ("backward-first", lambda c: c.backward((np.zeros((2, 4)), None)), RuntimeError,
     "training=True"),
    ("training-int", lambda c: c.forward(np.zeros((2, 3)), training=1), TypeError, "training"),
]


@pytest.mark.parametrize("call, exc, match", [pytest.param(*c[1:], id=c[0]) for c in CELL_CASES])
def test_cell_rejects(call, exc, match):
    with pytest.raises(exc, match=match):
        call(lc.LSTMCell(3, 4, seed=0))


def test_cell_backward_rejects_dh_of_another_batch():
    cell = lc.GRUCell(3, 4, seed=0)
    cell.forward(np.zeros((2, 3), np.float32), training=True)
    with pytest.raises(ValueError, match="dstate"):
        cell.backward(np.zeros((3, 4), np.float32))
    with pytest.raises(ValueError, match="dstate"):
        cell.backward(np.zeros(4, np.float32))


# -- sizes too large for memory ------------------------------------------------------------------


def test_init_params_too_large_raises_memory_error_first():
    for spec in (lc.RNNSpec("lstm", 3, 10**12), lc.RNNSpec("gru", 2**62, 2**62)):
        with pytest.raises(MemoryError, match="init_params: needs about"):
            lc.init_params(spec)
    with pytest.raises(MemoryError, match="needs about"):
        lc.LSTM(10**9, 10**9)


@pytest.mark.parametrize("training", [False, True])
def test_forward_too_large_raises_before_allocating(training):
    # A broadcast view costs no memory, but the core would need ~0.8 PB of workspaces and tape.
    spec = lc.RNNSpec("lstm", 1, 256)
    x = np.broadcast_to(np.float32(0), (10**6, 10**5, 1))
    with pytest.raises(MemoryError, match="forward: needs about"):
        functional.forward(spec, _params(spec), x, training=training)


def test_broadcast_parameters_too_large_to_copy():
    spec = lc.RNNSpec("rnn", 3, 2**21)
    params = {k: np.broadcast_to(np.float32(0.01), s) for k, s in spec.param_shapes().items()}
    with pytest.raises(MemoryError, match="forward: needs about"):
        functional.forward(spec, params, np.ones((1, 1, 3), np.float32))


def _run_python(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, env=env, check=False)


def _under_asan() -> bool:
    return "asan" in os.environ.get("LD_PRELOAD", "")


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform != "linux",
                    reason="address-space rlimits are a Linux test")
@pytest.mark.skipif(_under_asan(), reason="AddressSanitizer reserves terabytes of address space")
def test_forward_beyond_the_rlimit_raises_memory_error():
    """Just past what the process may hold: our estimate must refuse, not the allocator."""
    r = _run_python("""
        import resource, numpy as np, lstmcore as lc
        limit = 3 * 2**30
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
        spec = lc.RNNSpec("lstm", 1, 256)
        x = np.broadcast_to(np.float32(0), (2000, 1000, 1))   # tape of about 15 GiB
        try:
            lc.functional.forward(spec, lc.init_params(spec, seed=0), x, training=True)
        except MemoryError as e:
            print("MemoryError:", e)
    """)
    assert r.returncode == 0, r.stderr
    assert "forward: needs about" in r.stdout and "3 GiB" in r.stdout, r.stdout + r.stderr


# -- the compiled module called directly, with arguments the Python layer would have caught -----

CORE_SCRIPT = """
import numpy as np, lstmcore as lc
from lstmcore import _core
spec = lc.RNNSpec("lstm", 3, 4, num_layers=2, bidirectional=True)
p = lc.init_params(spec, np.float32, 0)
x = np.ones((5, 2, 3), np.float32)

class FakeSpec:
    mode = "lstm"; input_size = 3; hidden_size = 4; num_layers = 2; bias = True
    batch_first = False; dropout = 0.0; bidirectional = True; proj_size = 0; peephole = False
    coupled = False; linear_before_reset = True; nonlinearity = "tanh"

def fake(**kw):
    s = FakeSpec()
    for k, v in kw.items():
        setattr(s, k, v)
    return s

y, hn, cn, tape = _core.forward(spec, p, x, None, None, None, True, 7)
p64 = {k: v.astype(np.float64) for k, v in p.items()}
other = spec.replace(hidden_size=5)
cases = {
    "x-2d": lambda: _core.forward(spec, p, x[0]),
    "x-int": lambda: _core.forward(spec, p, x.astype(np.int32)),
    "x-wrong-features": lambda: _core.forward(spec, p, np.ones((5, 2, 4), np.float32)),
    "x-empty": lambda: _core.forward(spec, p, x[:0]),
    "x-unaligned": lambda: _core.forward(spec, p, np.frombuffer(
        b"\\0" + x.tobytes(), np.float32, offset=1).reshape(5, 2, 3)),
    "h0-shape": lambda: _core.forward(spec, p, x, np.zeros((1, 1, 1), np.float32)),
    "c0-2d": lambda: _core.forward(spec, p, x, None, np.zeros((4, 4), np.float32)),
    "lengths-range": lambda: _core.forward(spec, p, x, None, None, np.array([9, -1])),
    "lengths-count": lambda: _core.forward(spec, p, x, None, None, np.array([1, 2, 3])),
    "lengths-str": lambda: _core.forward(spec, p, x, None, None, "ab"),
    "params-missing": lambda: _core.forward(spec, {}, x),
    "params-shape": lambda: _core.forward(spec, {**p, "weight_hh_l0": np.zeros((16, 5))}, x),
    "params-str": lambda: _core.forward(spec, {**p, "weight_hh_l0": "w"}, x),
    "spec-object": lambda: _core.forward(object(), p, x),
    "spec-negative-hidden": lambda: _core.forward(fake(hidden_size=-4), p, x),
    "spec-huge-hidden": lambda: _core.forward(fake(hidden_size=2**62), p, x),
    "spec-nan-dropout": lambda: _core.forward(fake(dropout=float("nan")), p, x, training=True),
    "spec-negative-proj": lambda: _core.forward(fake(proj_size=-1), p, x),
    "spec-peephole-gru": lambda: _core.forward(fake(mode="gru", peephole=True), p, x),
    "spec-bad-mode": lambda: _core.forward(fake(mode="xlstm"), p, x),
    "spec-huge-layers": lambda: _core.forward(fake(num_layers=2**40), p, x),
    "seed-negative": lambda: _core.forward(spec, p, x, None, None, None, True, -1),
    "backward-other-spec": lambda: _core.backward(other, lc.init_params(other, np.float32, 0),
                                                  tape, np.ones((5, 2, 10), np.float32)),
    "backward-dy-shape": lambda: _core.backward(spec, p, tape, np.ones((5, 2, 7), np.float32)),
    "backward-dh-shape": lambda: _core.backward(spec, p, tape, y, np.ones((1, 2, 4))),
    "backward-not-a-tape": lambda: _core.backward(spec, p, "tape", y),
    "backward-params-missing": lambda: _core.backward(spec, {}, tape, y),
    "tape-new": lambda: _core.Tape32(),
    "tape-layer": lambda: tape.gates(7, 0),
    "tape-direction": lambda: tape.hidden_states(0, -1),
    "tape-grads-first": lambda: tape.grad_hidden(0, 0),
}
for name, call in cases.items():
    try:
        call()
        print(name, "returned")
    except Exception as e:
        print(name, "raised", type(e).__name__)
# Mixed dtypes are cast to the tape's: float64 params and dy on a float32 tape still work.
dx, dh0, dc0, grads = _core.backward(spec, p64, tape, y.astype(np.float64))
print("mixed-dtypes", dx.dtype, bool(np.isfinite(dx).all()))
print("done ok")
"""

# Every case must raise (Python exceptions, not a crash), except the accepted seed.
CORE_EXPECTED_RAISE = [
    "x-2d", "x-int", "x-wrong-features", "x-empty", "h0-shape", "c0-2d", "lengths-range",
    "lengths-count", "lengths-str", "params-missing", "params-shape", "params-str", "spec-object",
    "spec-negative-hidden", "spec-huge-hidden", "spec-nan-dropout", "spec-negative-proj",
    "spec-peephole-gru", "spec-bad-mode", "spec-huge-layers", "seed-negative",
    "backward-other-spec", "backward-dy-shape", "backward-dh-shape", "backward-not-a-tape",
    "backward-params-missing", "tape-new", "tape-layer", "tape-direction", "tape-grads-first",
]


def test_core_module_rejects_bad_arguments_without_crashing():
    r = _run_python(CORE_SCRIPT)
    assert r.returncode == 0, f"the interpreter died (rc {r.returncode}):\n{r.stderr[-3000:]}"
    lines = dict(line.split(" ", 1) for line in r.stdout.splitlines())
    assert lines.get("done") == "ok", r.stdout
    for name in CORE_EXPECTED_RAISE:
        assert lines[name].startswith("raised"), f"{name}: {lines[name]}"
    assert lines["x-unaligned"] == "returned"  # copied to an aligned buffer, not misread
    assert lines["mixed-dtypes"] == "float32 True"


# -- NaN and Inf: propagated, never a crash, never leaking into other sequences ------------------

NAN_SPECS = [
    lc.RNNSpec("lstm", 3, 4, num_layers=2, bidirectional=True),
    lc.RNNSpec("lstm", 3, 4, proj_size=2, peephole=True, coupled=True),
    lc.RNNSpec("gru", 3, 4, linear_before_reset=False),
    lc.RNNSpec("gru", 3, 4, bidirectional=True),
    lc.RNNSpec("rnn", 3, 4, nonlinearity="relu", num_layers=2),
]


@pytest.mark.parametrize("front_end", FRONT_ENDS)
@pytest.mark.parametrize("spec", NAN_SPECS, ids=lambda s: s.mode)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_stays_in_its_sequence(front_end, spec, bad):
    # NumPy warns about inf * 0 inside the reference's products; the core computes silently.
    with np.errstate(invalid="ignore", over="ignore"):
        _check_non_finite_input(front_end, spec, bad)


def _check_non_finite_input(front_end, spec, bad):
    x = _x(np.float64)
    x[2, 0, 1] = bad  # sequence 0 only
    params = lc.init_params(spec, np.float64, seed=1)
    y, state, tape = front_end.forward(spec, params, x, training=True)
    h_n = state[0] if isinstance(state, tuple) else state
    assert np.all(np.isfinite(y[:, 1])) and np.all(np.isfinite(h_n[:, 1]))
    clean_y, _, _ = front_end.forward(spec, params, x[:, 1:])
    np.testing.assert_allclose(y[:, 1:], clean_y, rtol=1e-12, atol=1e-12)  # untouched
    if np.isnan(bad):  # NaN comes through every cell (a ReLU too), at least in that sequence
        assert np.isnan(y[:, 0]).any(), (
            "NaN input vanished: a ReLU written max(a, 0) turns NaN into 0 (x86 max returns its "
            "second operand when one is NaN); write it max(0, a) or a <= 0 ? 0 : a")
    dx, _, grads = front_end.backward(spec, params, tape, np.ones_like(y))
    assert np.all(np.isfinite(dx[:, 1]))
    assert all(g.shape == params[k].shape for k, g in grads.items())


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_non_finite_parameters_state_and_gradients_propagate(front_end):
    spec = SPEC
    params = {k: v.copy() for k, v in P.items()}
    params["weight_hh_l0"][0, 0] = np.nan
    y, _, tape = front_end.forward(spec, params, X, training=True)
    assert np.isnan(y).any()
    h0, c0 = (np.zeros(s, np.float32) for s in (H_SHAPE, C_SHAPE))
    c0[0, 0, 0] = np.inf
    _, (_, c_n), _ = front_end.forward(spec, P, X, state=(h0, c0))
    assert not np.all(np.isfinite(c_n[0, 0])) and np.all(np.isfinite(c_n[0, 1]))
    _, _, tape = front_end.forward(spec, P, X, training=True)
    dy = np.ones((T, B, 8), np.float32)
    dy[0, 1, 0] = np.nan
    dx, _, grads = front_end.backward(spec, P, tape, dy)
    assert np.isnan(dx[:, 1]).any() and np.all(np.isfinite(dx[:, 0]))
    assert np.isnan(grads["weight_ih_l0"]).any()
