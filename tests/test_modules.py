"""API behaviour of the layer classes lc.RNN, lc.LSTM and lc.GRU (shapes, state, grads, errors)."""

from __future__ import annotations


import numpy as np
import pytest

import lstmcore as lc
from lstmcore import modules

from _helpers import central_difference

T, B, I, H = 5, 3, 4, 6


# The layer classes run on the backend that the class_backend fixture (conftest.py) picks.
pytestmark = pytest.mark.usefixtures("class_backend")


# (class, extra settings) covering every mode and LSTM variant
KINDS = {
    "rnn": (lc.RNN, {}),
    "rnn_relu": (lc.RNN, dict(nonlinearity="relu")),
    "lstm": (lc.LSTM, {}),
    "lstm_peephole_coupled": (lc.LSTM, dict(peephole=True, coupled=True)),
    "lstm_proj_peephole": (lc.LSTM, dict(proj_size=2, peephole=True)),
    "gru": (lc.GRU, {}),
    "gru_cho": (lc.GRU, dict(linear_before_reset=False)),
}


def make(kind, dtype=np.float64, seed=0, **settings):
    cls, extra = KINDS[kind]
    return cls(I, H, dtype=dtype, seed=seed, **{**extra, **settings})


def states(m, batch=B, seed=1):
    rng = np.random.default_rng(seed)
    arrays = tuple(rng.standard_normal(s).astype(m.dtype) for s in m.spec.state_shapes(batch))
    return arrays if m.spec.has_cell_state else arrays[0]


def flat(state):
    return state if isinstance(state, tuple) else (state,)


def rand(*shape, dtype=np.float64, seed=2):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# -- shapes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("layout", ["tbi", "bti", "ti"])
def test_output_and_state_shapes(kind, layout):
    m = make(kind, num_layers=2, bidirectional=True, batch_first=layout == "bti",
             dtype=np.float32)
    P = m.spec.proj_size or H
    x = rand(*{"tbi": (T, B, I), "bti": (B, T, I), "ti": (T, I)}[layout], dtype=np.float32)
    y, state = m(x)
    want_y = {"tbi": (T, B, 2 * P), "bti": (B, T, 2 * P), "ti": (T, 2 * P)}[layout]
    b = () if layout == "ti" else (B,)
    assert y.shape == want_y and y.dtype == np.float32
    want_states = [(4,) + b + (P,), (4,) + b + (H,)][: len(flat(state))]
    assert [s.shape for s in flat(state)] == want_states
    assert all(s.dtype == np.float32 for s in flat(state))

    y2, _ = m.forward(x, training=True)
    dx, dstate0 = m.backward(np.ones_like(y2))
    assert dx.shape == x.shape and dx.dtype == np.float32
    assert [s.shape for s in flat(dstate0)] == want_states


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_params_and_grads_have_the_names_and_shapes_of_the_spec(kind):
    m = make(kind, num_layers=2, bidirectional=True)
    shapes = m.spec.param_shapes()
    assert list(m.params) == list(shapes) == list(m.grads)
    for name, shape in shapes.items():
        assert m.params[name].shape == shape and m.params[name].dtype == np.float64
        assert not m.grads[name].any()
    assert m.num_parameters() == sum(int(np.prod(s)) for s in shapes.values())


def test_unbatched_equals_a_batch_of_one():
    m = make("lstm_proj_peephole", bidirectional=True)
    x = rand(T, I)
    h0, c0 = states(m, batch=None)
    y, (h, c) = m(x, (h0, c0))
    yb, (hb, cb) = m(x[:, None], (h0[:, None], c0[:, None]))
    np.testing.assert_allclose(y, yb[:, 0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h, hb[:, 0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c, cb[:, 0], rtol=1e-12, atol=1e-14)


def test_batch_first_is_a_transpose():
    a = make("gru", num_layers=2)
    b = make("gru", num_layers=2, batch_first=True)
    b.load_state_dict(a.state_dict())
    x = rand(T, B, I)
    ya, ha = a(x)
    yb, hb = b(x.transpose(1, 0, 2))
    np.testing.assert_allclose(yb.transpose(1, 0, 2), ya, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(hb, ha, rtol=1e-12, atol=1e-14)


# -- state and sequences -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_state_carried_between_calls_equals_one_long_call(kind):
    m = make(kind, num_layers=2)
    x = rand(T, B, I)
    s0 = states(m)
    y, s = m(x, s0)
    y1, s1 = m(x[:2], s0)
    y2, s2 = m(x[2:], s1)
    np.testing.assert_allclose(np.concatenate([y1, y2]), y, rtol=1e-12, atol=1e-14)
    for a, b in zip(flat(s2), flat(s)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_no_state_means_zeros():
    m = make("lstm", num_layers=2)
    x = rand(T, B, I)
    zeros = tuple(np.zeros(s) for s in m.spec.state_shapes(B))
    for a, b in zip(flat(m(x)[1]), flat(m(x, zeros)[1])):
        np.testing.assert_array_equal(a, b)


def test_lengths_zero_the_padding_and_match_truncated_sequences():
    m = make("lstm", bidirectional=True)
    x = rand(T, B, I)
    lengths = np.array([T, 2, 4])
    y, (h, c) = m(x, lengths=lengths)
    for b, n in enumerate(lengths):
        assert not y[n:, b].any()
        yb, (hb, cb) = m(x[:n, b : b + 1])
        np.testing.assert_allclose(y[:n, b : b + 1], yb, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(h[:, b : b + 1], hb, rtol=1e-12, atol=1e-14)


def test_input_of_another_dtype_is_cast_to_the_layer_dtype():
    m = make("gru", dtype=np.float32)
    x64 = rand(T, B, I)
    y, h = m(x64)
    assert y.dtype == h.dtype == np.float32
    y32, _ = m(x64.astype(np.float32))
    np.testing.assert_array_equal(y, y32)
    y_int, _ = m(np.ones((T, B, I), dtype=np.int64))
    np.testing.assert_array_equal(y_int, m(np.ones((T, B, I), np.float32))[0])
    m.forward(x64, training=True)
    dx, dh0 = m.backward(np.ones(y.shape))  # float64 dy into a float32 layer
    assert dx.dtype == dh0.dtype == np.float32


# -- gradients ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rnn", "lstm_proj_peephole", "gru_cho"])
def test_backward_adds_into_grads(kind):
    m = make(kind, num_layers=2, bidirectional=True)
    x, s0 = rand(T, B, I), states(m)
    y, s = m.forward(x, s0, training=True)
    dy = rand(*y.shape, seed=5)
    dx1, ds1 = m.backward(dy)
    once = {k: v.copy() for k, v in m.grads.items()}
    assert all(v.any() for v in once.values())
    dx2, ds2 = m.backward(dy)  # the same tape again
    np.testing.assert_array_equal(dx1, dx2)
    for k, v in m.grads.items():
        np.testing.assert_allclose(v, 2 * once[k], rtol=1e-14, atol=0)
    m.zero_grad()
    assert not any(v.any() for v in m.grads.values())


def test_backward_matches_finite_differences():
    """The layer's gradients of a linear loss of y and the final state, float64 central FD."""
    m = make("lstm_peephole_coupled", num_layers=2, bidirectional=True)
    x, s0 = rand(3, 2, I), states(m, batch=2)
    y, s = m.forward(x, s0, training=True)
    wy = rand(*y.shape, seed=8)
    ws = tuple(rand(*a.shape, seed=9 + k) for k, a in enumerate(flat(s)))

    def loss():
        yy, ss = m(x, s0)
        return float(np.sum(wy * yy) + sum(np.sum(w * a) for w, a in zip(ws, flat(ss))))

    m.forward(x, s0, training=True)
    dx, ds0 = m.backward(wy, ws)
    eps = 1e-6
    checks = [(x, dx), (s0[1], ds0[1])] + [(m.params[k], m.grads[k]) for k in
                                          ("weight_peephole_l0", "weight_hh_l1_reverse")]
    for arr, grad in checks:
        for idx in [(0,) * arr.ndim, tuple(n - 1 for n in arr.shape)]:
            numeric = central_difference(loss, arr, idx, eps)
            assert abs(numeric - grad[idx]) < 1e-7 * max(1.0, abs(grad[idx]))


def test_backward_needs_a_training_forward():
    m = make("lstm")
    with pytest.raises(RuntimeError, match="training=True"):
        m.backward(np.zeros((T, B, H)))
    x = rand(T, B, I)
    m.forward(x, training=True)
    m(x)  # an inference call drops the tape
    with pytest.raises(RuntimeError, match="training=True"):
        m.backward(np.zeros((T, B, H)))


def test_last_tape_exposes_the_saved_forward():
    m = make("lstm", bidirectional=True)
    assert m.last_tape is None
    y, _ = m.forward(rand(T, B, I), training=True)
    tape = m.last_tape
    assert tape is not None
    gates = tape.gates(0, direction=1)
    assert set(gates) == {"i", "f", "g", "o"} and gates["o"].shape == (T, B, H)
    np.testing.assert_allclose(tape.hidden_states(0, direction=0), y[..., :H], rtol=1e-12)
    m(rand(T, B, I))
    assert m.last_tape is None


def test_dropout_is_reproducible_and_training_only():
    m = make("gru", num_layers=3, dropout=0.5)
    x = rand(T, B, I)
    ya, _ = m.forward(x, training=True, seed=4)
    yb, _ = m.forward(x, training=True, seed=4)
    yc, _ = m.forward(x, training=True, seed=5)
    np.testing.assert_array_equal(ya, yb)
    assert not np.allclose(ya, yc)
    np.testing.assert_array_equal(m(x)[0], m(x)[0])
    # the layer's seed drives the dropout seeds of forward(seed=None)
    n1, n2 = make("gru", num_layers=3, dropout=0.5, seed=9), make("gru", num_layers=3,
                                                                  dropout=0.5, seed=9)
    np.testing.assert_array_equal(n1.forward(x, training=True)[0],
                                  n2.forward(x, training=True)[0])


# -- state_dict --------------------------------------------------------------------------------


def test_state_dict_round_trip():
    a, b = make("lstm_proj_peephole", num_layers=2, seed=1), make(
        "lstm_proj_peephole", num_layers=2, seed=2)
    x = rand(T, B, I)
    sd = a.state_dict()
    assert sd.keys() == a.params.keys()
    for k in sd:
        assert sd[k] is not a.params[k]
        sd[k] += 1.0  # a copy: the layer does not change
    assert not np.allclose(a(x)[0], b(x)[0])
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(a(x)[0], b(x)[0])


def test_load_state_dict_casts_and_keeps_the_arrays():
    m = make("rnn", dtype=np.float32)
    arrays = dict(m.params)
    src = make("rnn", dtype=np.float64, seed=3).state_dict()
    m.load_state_dict(src)
    for k, v in m.params.items():
        assert v is arrays[k] and v.dtype == np.float32
        np.testing.assert_array_equal(v, src[k].astype(np.float32))


def test_load_state_dict_rejects_bad_dicts_and_changes_nothing():
    m = make("gru", num_layers=2)
    before = m.state_dict()
    sd = m.state_dict()
    del sd["bias_hh_l1"]
    with pytest.raises(ValueError, match="bias_hh_l1"):
        m.load_state_dict(sd)
    sd = {**m.state_dict(), "weight_hr_l0": np.zeros((2, H))}
    with pytest.raises(ValueError, match="weight_hr_l0"):
        m.load_state_dict(sd)
    sd = m.state_dict()
    sd["weight_ih_l0"] = np.zeros((3 * H, I + 1))
    sd["weight_hh_l1"] = np.zeros_like(sd["weight_hh_l1"])
    with pytest.raises(ValueError, match=r"weight_ih_l0.*\(18, 4\)"):
        m.load_state_dict(sd)
    sd = m.state_dict()
    sd["weight_hh_l0"] = np.array([["a"] * H] * (3 * H))
    with pytest.raises(TypeError, match="weight_hh_l0"):
        m.load_state_dict(sd)
    with pytest.raises(TypeError, match="state_dict"):
        m.load_state_dict([1, 2])
    for k, v in m.params.items():
        np.testing.assert_array_equal(v, before[k])


# -- construction and bad arguments ------------------------------------------------------------


def test_same_seed_same_params_and_repr():
    a, b = lc.LSTM(I, H, seed=3), lc.LSTM(I, H, seed=3)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    bound = 1 / np.sqrt(H)
    assert all(np.abs(v).max() <= bound for v in a.params.values())
    assert a.dtype == np.float32 and a.spec == lc.RNNSpec("lstm", I, H)
    assert repr(lc.LSTM(I, H, 2, bidirectional=True, proj_size=2, dtype=np.float64)) == (
        "LSTM(4, 6, num_layers=2, bidirectional=True, proj_size=2, dtype=float64)"
    )
    assert repr(lc.GRU(3, 5, linear_before_reset=False)) == (
        "GRU(3, 5, linear_before_reset=False, dtype=float32)"
    )


@pytest.mark.parametrize(
    "cls, args, kwargs, exc, word",
    [
        (lc.LSTM, (0, H), {}, ValueError, "input_size"),
        (lc.LSTM, (I, "6"), {}, TypeError, "hidden_size"),
        (lc.GRU, (I, H, 0), {}, ValueError, "num_layers"),
        (lc.LSTM, (I, H), dict(dropout=1.0), ValueError, "dropout"),
        (lc.LSTM, (I, H), dict(proj_size=H), ValueError, "proj_size"),
        (lc.RNN, (I, H), dict(nonlinearity="sigmoid"), ValueError, "nonlinearity"),
        (lc.LSTM, (I, H), dict(dtype=np.int32), TypeError, "dtype"),
        (lc.LSTM, (I, H), dict(dtype=np.float16), TypeError, "dtype"),
        (lc.GRU, (I, H), dict(seed=-1), ValueError, "seed"),
        (lc.GRU, (I, H), dict(seed=1.5), TypeError, "seed"),
        (lc.RNN, (I, H), dict(device="tpu"), ValueError, "device"),
        (lc.RNN, (I, H), dict(device=0), TypeError, "device"),
        (lc.LSTM, (I, H), dict(bidirectional="yes"), TypeError, "bidirectional"),
    ],
)
def test_bad_constructor_arguments_name_the_argument(cls, args, kwargs, exc, word):
    with pytest.raises(exc, match=word):
        cls(*args, **kwargs)


def test_cuda_device_says_what_is_missing():
    if lc.build_info()["cuda"]:
        pytest.skip("this build has the CUDA backend")
    with pytest.raises(ValueError, match="device.*has no CUDA backend"):
        lc.LSTM(I, H, device="cuda")


def test_bad_call_arguments_name_the_argument():
    m = make("lstm")
    x = rand(T, B, I)
    with pytest.raises(ValueError, match="x"):
        m(rand(T, B, I + 1))
    with pytest.raises(ValueError, match="x"):
        m(rand(T, B, 1, I))
    with pytest.raises(TypeError, match="state"):
        m(x, np.zeros((1, B, H)))
    with pytest.raises(ValueError, match=r"state\[1\]"):
        m(x, (np.zeros((1, B, H)), np.zeros((1, B + 1, H))))
    with pytest.raises(ValueError, match="lengths"):
        m(x, lengths=[1, 2, T + 1])
    with pytest.raises(ValueError, match="lengths"):
        m(x, lengths=[1, 2])
    with pytest.raises(TypeError, match="training"):
        m.forward(x, training="yes")
    y, _ = m.forward(x, training=True)
    with pytest.raises(ValueError, match="dy"):
        m.backward(y[:-1])
    with pytest.raises(ValueError, match=r"dstate\[0\]"):
        m.backward(y, (np.zeros((2, B, H)), None))


def test_the_default_backend_is_the_compiled_core(monkeypatch):
    from lstmcore import functional

    monkeypatch.setattr(modules, "_backend", None)
    m = lc.LSTM(I, H, seed=0)
    m.forward(rand(T, B, I), training=True)
    assert isinstance(m.last_tape, functional.Tape)
