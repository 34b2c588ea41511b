"""RNNSpec validation, init_params, and bad arguments to lstmcore.reference.forward/backward."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import lstmcore as lc
from lstmcore import reference as ref

# ------------------------------------------------------------------------------------------------
# RNNSpec
# ------------------------------------------------------------------------------------------------

BAD_SPECS = [
    (dict(mode="transformer"), ValueError, "mode"),
    (dict(mode="LSTM"), ValueError, "mode"),
    (dict(input_size=0), ValueError, "input_size"),
    (dict(input_size=2.0), TypeError, "input_size"),
    (dict(hidden_size=-1), ValueError, "hidden_size"),
    (dict(hidden_size="3"), TypeError, "hidden_size"),
    (dict(num_layers=0), ValueError, "num_layers"),
    (dict(num_layers=True), TypeError, "num_layers"),
    (dict(proj_size=-1), ValueError, "proj_size"),
    (dict(proj_size=3), ValueError, "proj_size"),  # == hidden_size
    (dict(proj_size=4), ValueError, "proj_size"),  # > hidden_size
    (dict(mode="gru", proj_size=1), ValueError, "proj_size"),
    (dict(mode="rnn", peephole=True), ValueError, "peephole"),
    (dict(mode="gru", coupled=True), ValueError, "coupled"),
    (dict(mode="lstm", linear_before_reset=False), ValueError, "linear_before_reset"),
    (dict(mode="lstm", nonlinearity="relu"), ValueError, "nonlinearity"),
    (dict(mode="rnn", nonlinearity="sigmoid"), ValueError, "nonlinearity"),
    (dict(dropout=1.0), ValueError, "dropout"),
    (dict(dropout=-0.1), ValueError, "dropout"),
    (dict(dropout="0.1"), TypeError, "dropout"),
    (dict(dropout=True), TypeError, "dropout"),
    (dict(bias=1), TypeError, "bias"),
    (dict(batch_first="yes"), TypeError, "batch_first"),
    (dict(bidirectional=None), TypeError, "bidirectional"),
]


@pytest.mark.parametrize("changes, exc, name", BAD_SPECS,
                         ids=[f"{n}-{i}" for i, (_, _, n) in enumerate(BAD_SPECS)])
def test_bad_spec_names_the_setting(changes, exc, name):
    kw = dict(mode="lstm", input_size=2, hidden_size=3)
    kw.update(changes)
    with pytest.raises(exc, match=name):
        lc.RNNSpec(**kw)


def test_spec_normalises_numpy_scalars_and_is_frozen():
    spec = lc.RNNSpec("gru", np.int64(2), np.int32(5), num_layers=np.int16(2),
                      dropout=np.float32(0.25), bidirectional=np.bool_(True))
    assert type(spec.input_size) is int and type(spec.hidden_size) is int
    assert type(spec.dropout) is float and spec.dropout == 0.25
    assert spec.bidirectional is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.hidden_size = 4
    assert spec.replace(hidden_size=4).hidden_size == 4


def test_param_shapes_follow_design_table():
    spec = lc.RNNSpec("lstm", 5, 4, num_layers=2, bidirectional=True, proj_size=3,
                      peephole=True, coupled=True)
    shapes = spec.param_shapes()
    # G = 3 (f, g, o), H = 4, P = 3, D = 2, I_1 = D * P = 6; peephole rows f, o.
    assert shapes["weight_ih_l0"] == (12, 5)
    assert shapes["weight_ih_l1_reverse"] == (12, 6)
    assert shapes["weight_hh_l1"] == (12, 3)
    assert shapes["bias_ih_l0_reverse"] == shapes["bias_hh_l1"] == (12,)
    assert shapes["weight_hr_l0"] == (3, 4)
    assert shapes["weight_peephole_l1_reverse"] == (8,)
    assert len(shapes) == 2 * 2 * 6
    assert spec.state_shapes(7) == ((4, 7, 3), (4, 7, 4))
    assert spec.state_shapes() == ((4, 3), (4, 4))

    gru = lc.RNNSpec("gru", 2, 3, bias=False)
    assert gru.param_names() == ["weight_ih_l0", "weight_hh_l0"]
    assert gru.state_shapes(1) == ((1, 1, 3),)
    assert lc.RNNSpec("lstm", 2, 3, peephole=True).param_shapes()["weight_peephole_l0"] == (9,)


# ------------------------------------------------------------------------------------------------
# init_params
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_init_params_shapes_dtype_bound(dtype):
    spec = lc.RNNSpec("lstm", 3, 9, num_layers=2, bidirectional=True, proj_size=2, peephole=True)
    params = lc.init_params(spec, dtype=dtype, seed=0)
    assert list(params) == spec.param_names()
    bound = 1 / 3.0
    for name, shape in spec.param_shapes().items():
        arr = params[name]
        assert arr.shape == shape and arr.dtype == dtype and arr.flags.c_contiguous
        assert np.all(np.abs(arr) <= bound)
    everything = np.concatenate([a.ravel() for a in params.values()])
    # Uniform on [-1/3, 1/3]: the extremes are approached and the mean is near 0.
    assert everything.max() > 0.3 and everything.min() < -0.3 and abs(everything.mean()) < 0.05


def test_init_params_reproducible_from_seed():
    spec = lc.RNNSpec("gru", 2, 4)
    a, b = lc.init_params(spec, seed=5), lc.init_params(spec, seed=5)
    c = lc.init_params(spec, seed=6)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert not np.array_equal(a["weight_hh_l0"], c["weight_hh_l0"])


def test_init_params_bad_arguments():
    with pytest.raises(TypeError, match="dtype"):
        lc.init_params(lc.RNNSpec("rnn", 1, 1), dtype=np.int32)
    with pytest.raises(TypeError, match="dtype"):
        lc.init_params(lc.RNNSpec("rnn", 1, 1), dtype=np.float16)
    with pytest.raises(TypeError, match="spec"):
        lc.init_params({"mode": "rnn"})


# ------------------------------------------------------------------------------------------------
# forward / backward arguments
# ------------------------------------------------------------------------------------------------

LSTM = lc.RNNSpec("lstm", 2, 3, num_layers=2)
GRU = lc.RNNSpec("gru", 2, 3, bidirectional=True)
T, B = 4, 3


@pytest.fixture
def lstm_case(make_case):
    return make_case(LSTM, T=T, B=B, seed=0)


@pytest.fixture
def gru_case(make_case):
    return make_case(GRU, T=T, B=B, seed=0)


X_BAD = [
    (np.zeros((T, B, 2, 1)), ValueError, "x: expected a 3-D"),
    (np.zeros(T), ValueError, "x: expected a 3-D"),
    (np.zeros((T, B, 5)), ValueError, r"x: expected shape \(T, B, I\) with I=2"),
    (np.zeros((T, 5)), ValueError, r"x: expected shape \(T, 2\)"),
    (np.zeros((0, B, 2)), ValueError, "x: expected at least one time step"),
    (np.zeros((T, 0, 2)), ValueError, "x: expected a batch"),
    (np.zeros((T, B, 2), dtype=np.float16), TypeError, "x: expected a float32 or float64"),
    (np.zeros((T, B, 2), dtype=np.complex128), TypeError, "x: expected a float32 or float64"),
    (np.full((T, B, 2), "a"), TypeError, "x: expected a float32 or float64"),
]


@pytest.mark.parametrize("x, exc, match", X_BAD, ids=range(len(X_BAD)))
def test_bad_x(x, exc, match, lstm_case):
    with pytest.raises(exc, match=match):
        ref.forward(LSTM, lstm_case["params"], x)


def test_integer_x_computes_in_float64(lstm_case):
    y, (h, c), _ = ref.forward(LSTM, lstm_case["params"], np.ones((T, B, 2), dtype=np.int32))
    assert y.dtype == h.dtype == c.dtype == np.float64


LENGTHS_BAD = [
    ([4, 5, 1], ValueError, r"lengths: expected values in \[0, T=4\]"),
    ([4, -1, 1], ValueError, r"lengths: expected values in \[0, T=4\]"),
    ([4, 2], ValueError, r"lengths: expected shape \(3,\)"),
    ([[4, 2, 1]], ValueError, r"lengths: expected shape \(3,\)"),
    ([4.0, 2.5, 1.0], TypeError, "lengths: expected an integer array"),
    (["4", "2", "1"], TypeError, "lengths: expected an integer array"),
]


@pytest.mark.parametrize("lengths, exc, match", LENGTHS_BAD, ids=range(len(LENGTHS_BAD)))
def test_bad_lengths(lengths, exc, match, lstm_case):
    with pytest.raises(exc, match=match):
        ref.forward(LSTM, lstm_case["params"], lstm_case["x"], lengths=lengths)


def test_lengths_need_batched_input(lstm_case):
    with pytest.raises(ValueError, match="lengths: only batched"):
        ref.forward(LSTM, lstm_case["params"], lstm_case["x"][:, 0], lengths=[2])


def test_integral_float_lengths_are_accepted(lstm_case):
    a = ref.forward(LSTM, lstm_case["params"], lstm_case["x"], lengths=[4.0, 2.0, 0.0])[0]
    b = ref.forward(LSTM, lstm_case["params"], lstm_case["x"], lengths=[4, 2, 0])[0]
    np.testing.assert_array_equal(a, b)


def test_bad_params(lstm_case):
    params, x = lstm_case["params"], lstm_case["x"]
    with pytest.raises(ValueError, match=r"params: missing parameter\(s\) \['weight_hh_l1'\]"):
        ref.forward(LSTM, {k: v for k, v in params.items() if k != "weight_hh_l1"}, x)
    with pytest.raises(ValueError, match=r"params: unexpected parameter\(s\) \['weight_hr_l0'\]"):
        ref.forward(LSTM, dict(params, weight_hr_l0=np.zeros((2, 3))), x)
    with pytest.raises(ValueError, match=r"params\['bias_ih_l0'\]: expected shape \(12,\)"):
        ref.forward(LSTM, dict(params, bias_ih_l0=np.zeros(11)), x)
    with pytest.raises(TypeError, match=r"params\['weight_ih_l1'\]: expected a float array"):
        ref.forward(LSTM, dict(params, weight_ih_l1=np.full((12, 3), "w")), x)
    with pytest.raises(TypeError, match="params: expected a dict"):
        ref.forward(LSTM, list(params.values()), x)
    # Parameters of another spec (no bias) are missing entries, not silently ignored.
    with pytest.raises(ValueError, match="params: unexpected"):
        ref.forward(LSTM.replace(bias=False), params, x)


def test_bad_state(lstm_case, gru_case):
    params, x, (h0, c0) = lstm_case["params"], lstm_case["x"], lstm_case["state"]
    with pytest.raises(TypeError, match=r"state: expected a tuple \(h, c\)"):
        ref.forward(LSTM, params, x, h0)
    with pytest.raises(TypeError, match=r"state: expected a tuple \(h, c\)"):
        ref.forward(LSTM, params, x, (h0, c0, c0))
    with pytest.raises(ValueError, match=r"state\[0\]: expected shape \(2, 3, 3\)"):
        ref.forward(LSTM, params, x, (h0[:1], c0))
    with pytest.raises(ValueError, match=r"state\[1\]: expected shape \(2, 3, 3\)"):
        ref.forward(LSTM, params, x, (h0, c0[:, :2]))
    with pytest.raises(TypeError, match=r"state\[1\]: expected a float32 or float64"):
        ref.forward(LSTM, params, x, (h0, c0.astype(np.complex64)))
    gp, gx, gh = gru_case["params"], gru_case["x"], gru_case["state"]
    with pytest.raises(TypeError, match="state: expected one array h"):
        ref.forward(GRU, gp, gx, (gh, gh))
    with pytest.raises(ValueError, match=r"state: expected shape \(2, 3, 3\)"):
        ref.forward(GRU, gp, gx, gh[0])


def test_bad_spec_training_seed(lstm_case):
    params, x = lstm_case["params"], lstm_case["x"]
    with pytest.raises(TypeError, match="spec: expected an lstmcore.RNNSpec"):
        ref.forward(dataclasses.asdict(LSTM), params, x)
    with pytest.raises(TypeError, match="training: expected a bool"):
        ref.forward(LSTM, params, x, training="yes")
    with pytest.raises(TypeError, match="seed: expected an int"):
        ref.forward(LSTM, params, x, training=True, seed=1.5)


def test_backward_needs_a_reference_tape(lstm_case):
    params, x = lstm_case["params"], lstm_case["x"]
    y, _, tape = ref.forward(LSTM, params, x)
    assert tape is None
    with pytest.raises(RuntimeError, match="training=True"):
        ref.backward(LSTM, params, None, np.zeros_like(y))
    with pytest.raises(RuntimeError, match="expected a tape of lstmcore.reference"):
        ref.backward(LSTM, params, object(), np.zeros_like(y))


def test_bad_backward_arguments(lstm_case, gru_case):
    params, x = lstm_case["params"], lstm_case["x"]
    y, (h, c), tape = ref.forward(LSTM, params, x, training=True)
    with pytest.raises(ValueError, match=r"dy: expected the shape of y \(4, 3, 3\)"):
        ref.backward(LSTM, params, tape, y[:-1])
    with pytest.raises(TypeError, match="dy: expected a float32 or float64"):
        ref.backward(LSTM, params, tape, y.astype(np.complex128))
    with pytest.raises(TypeError, match=r"dstate: expected a tuple \(h, c\)"):
        ref.backward(LSTM, params, tape, y, h)
    with pytest.raises(ValueError, match=r"dstate\[1\]: expected shape \(2, 3, 3\)"):
        ref.backward(LSTM, params, tape, y, (h, c[0]))
    with pytest.raises(ValueError, match=r"params: missing parameter\(s\) \['bias_hh_l0'\]"):
        ref.backward(LSTM, {k: v for k, v in params.items() if k != "bias_hh_l0"}, tape, y)
    with pytest.raises(ValueError, match="spec: expected the spec of the forward"):
        ref.backward(LSTM.replace(dropout=0.5), params, tape, y)
    gy, gh, gtape = ref.forward(GRU, gru_case["params"], gru_case["x"], training=True)
    with pytest.raises(TypeError, match="dstate: expected one array h"):
        ref.backward(GRU, gru_case["params"], gtape, gy, (gh, gh))


# ------------------------------------------------------------------------------------------------
# Contract details of the front end
# ------------------------------------------------------------------------------------------------


def test_dtype_follows_x_and_grads_are_complete(lstm_case):
    params64, x = lstm_case["params"], lstm_case["x"].astype(np.float32)
    y, (h, c), tape = ref.forward(LSTM, params64, x, training=True)
    assert y.dtype == h.dtype == c.dtype == np.float32
    dx, (dh0, dc0), grads = ref.backward(LSTM, params64, tape, np.ones_like(y), (None, c))
    assert dx.dtype == dh0.dtype == dc0.dtype == np.float32
    assert list(grads) == LSTM.param_names()
    assert all(grads[k].dtype == np.float32 and grads[k].shape == params64[k].shape
               for k in grads)


def test_tape_can_be_backpropagated_twice(gru_case):
    params, x, h0 = gru_case["params"], gru_case["x"], gru_case["state"]
    y, h, tape = ref.forward(GRU, params, x, h0, lengths=[1, 4, 0], training=True)
    first = ref.backward(GRU, params, tape, y, h)
    second = ref.backward(GRU, params, tape, y, h)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    for name in first[2]:
        np.testing.assert_array_equal(first[2][name], second[2][name])


def test_inputs_are_not_modified(lstm_case):
    case = {k: v for k, v in lstm_case.items() if k != "lengths"}
    copies = {k: (tuple(a.copy() for a in v) if isinstance(v, tuple) else
                  {n: a.copy() for n, a in v.items()} if isinstance(v, dict) else v.copy())
              for k, v in case.items()}
    y, st, tape = ref.forward(LSTM, **case, training=True)
    dy = np.ones_like(y)
    ref.backward(LSTM, case["params"], tape, dy, st)
    np.testing.assert_array_equal(dy, 1.0)
    np.testing.assert_array_equal(case["x"], copies["x"])
    for a, b in zip(case["state"], copies["state"]):
        np.testing.assert_array_equal(a, b)
    for name in case["params"]:
        np.testing.assert_array_equal(case["params"][name], copies["params"][name])
