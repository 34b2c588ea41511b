"""API behaviour of the one-step cells lc.RNNCell, lc.LSTMCell and lc.GRUCell."""

from __future__ import annotations


import numpy as np
import pytest

import lstmcore as lc

B, I, H = 3, 4, 5


# The layer classes run on the backend that the class_backend fixture (conftest.py) picks.
pytestmark = pytest.mark.usefixtures("class_backend")


# name: (cell class, layer class, settings)
KINDS = {
    "rnn_relu": (lc.RNNCell, lc.RNN, dict(nonlinearity="relu")),
    "lstm": (lc.LSTMCell, lc.LSTM, {}),
    "lstm_variants": (lc.LSTMCell, lc.LSTM, dict(peephole=True, coupled=True, proj_size=2)),
    "gru": (lc.GRUCell, lc.GRU, {}),
    "gru_cho_no_bias": (lc.GRUCell, lc.GRU, dict(linear_before_reset=False, bias=False)),
}


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def make(kind, dtype=np.float64, seed=0):
    cell_cls, _, settings = KINDS[kind]
    return cell_cls(I, H, dtype=dtype, seed=seed, **settings)


def cell_state(cell, batch=(B,), seed=1):
    widths = [cell.spec.output_size, cell.spec.hidden_size][: 2 if cell.spec.has_cell_state else 1]
    arrays = tuple(rand(*batch, w, seed=seed + k) for k, w in enumerate(widths))
    return arrays if cell.spec.has_cell_state else arrays[0]


def flat(s):
    return s if isinstance(s, tuple) else (s,)


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("batch", [(B,), ()], ids=["batched", "unbatched"])
def test_shapes(kind, batch):
    cell = make(kind, dtype=np.float32)
    P = cell.spec.output_size
    out = cell(rand(*batch, I))
    widths = [P, H][: len(flat(out))]
    assert [o.shape for o in flat(out)] == [batch + (w,) for w in widths]
    assert all(o.dtype == np.float32 for o in flat(out))
    cell.forward(rand(*batch, I), cell_state(cell, batch), training=True)
    dx, d0 = cell.backward(cell_state(cell, batch, seed=7))
    assert dx.shape == batch + (I,) and dx.dtype == np.float32
    assert [d.shape for d in flat(d0)] == [batch + (w,) for w in widths]


def test_param_names_are_torch_cell_names():
    assert list(lc.LSTMCell(I, H).params) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    cell = lc.LSTMCell(I, H, peephole=True, coupled=True, proj_size=2)
    shapes = {k: v.shape for k, v in cell.params.items()}
    assert shapes == {"weight_ih": (3 * H, I), "weight_hh": (3 * H, 2), "bias_ih": (3 * H,),
                      "bias_hh": (3 * H,), "weight_hr": (2, H), "weight_peephole": (2 * H,)}
    assert list(lc.GRUCell(I, H, bias=False).params) == ["weight_ih", "weight_hh"]
    assert list(cell.grads) == list(cell.params)


@pytest.mark.parametrize("kind", list(KINDS))
def test_cell_equals_a_one_step_layer(kind):
    """Forward and every gradient of a cell step equal those of the layer with T = 1."""
    cell = make(kind)
    _, layer_cls, settings = KINDS[kind]
    layer = layer_cls(I, H, dtype=np.float64, **settings)
    layer.load_state_dict({k + "_l0": v for k, v in cell.state_dict().items()})
    x, s0, g = rand(B, I, seed=3), cell_state(cell), cell_state(cell, seed=9)

    out = cell.forward(x, s0, training=True)
    dx, d0 = cell.backward(g)
    y, s1 = layer.forward(x[None], tuple(a[None] for a in flat(s0)) if isinstance(s0, tuple)
                          else s0[None], training=True)
    ldx, ld0 = layer.backward(np.zeros_like(y), tuple(a[None] for a in flat(g))
                              if isinstance(g, tuple) else g[None])

    np.testing.assert_allclose(flat(out)[0], y[0], rtol=1e-13, atol=1e-15)
    for a, b in zip(flat(out), flat(s1)):
        np.testing.assert_allclose(a, b[0], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(dx, ldx[0], rtol=1e-13, atol=1e-15)
    for a, b in zip(flat(d0), flat(ld0)):
        np.testing.assert_allclose(a, b[0], rtol=1e-13, atol=1e-15)
    for k, v in cell.grads.items():
        np.testing.assert_allclose(v, layer.grads[k + "_l0"], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("kind", ["lstm_variants", "gru"])
def test_stepping_a_cell_equals_the_layer_over_a_sequence(kind):
    cell = make(kind)
    _, layer_cls, settings = KINDS[kind]
    layer = layer_cls(I, H, dtype=np.float64, **settings)
    layer.load_state_dict({k + "_l0": v for k, v in cell.state_dict().items()})
    xs = rand(6, B, I)
    state = None
    for t in range(len(xs)):
        state = cell(xs[t], state)
    _, final = layer(xs)
    for a, b in zip(flat(state), flat(final)):
        np.testing.assert_allclose(a, b[0], rtol=1e-12, atol=1e-14)


def test_missing_state_is_zeros():
    cell = make("lstm")
    x = rand(B, I)
    zeros = (np.zeros((B, H)), np.zeros((B, H)))
    h_ref, c_ref = cell(x, zeros)
    for state in [None, (None, None), (zeros[0], None), (None, zeros[1])]:
        h, c = cell(x, state)
        np.testing.assert_array_equal(h, h_ref)
        np.testing.assert_array_equal(c, c_ref)
    gru = make("gru")
    np.testing.assert_array_equal(gru(x), gru(x, np.zeros((B, H))))


@pytest.mark.parametrize("kind", ["lstm", "rnn_relu"])
def test_backward_adds_into_grads(kind):
    cell = make(kind)
    cell.forward(rand(B, I), cell_state(cell), training=True)
    g = cell_state(cell, seed=5)
    cell.backward(g)
    once = {k: v.copy() for k, v in cell.grads.items()}
    assert all(v.any() for v in once.values())
    cell.backward(g)
    for k, v in cell.grads.items():
        np.testing.assert_allclose(v, 2 * once[k], rtol=1e-14)
    cell.zero_grad()
    assert not any(v.any() for v in cell.grads.values())


def test_lstm_backward_takes_a_none_half():
    cell = make("lstm")
    cell.forward(rand(B, I), training=True)
    dh1 = rand(B, H, seed=4)
    dx_a, (dh0_a, dc0_a) = cell.backward((dh1, None))
    dx_b, (dh0_b, dc0_b) = cell.backward((dh1, np.zeros((B, H))))
    np.testing.assert_array_equal(dx_a, dx_b)
    np.testing.assert_array_equal(dc0_a, dc0_b)


def test_backward_needs_a_training_forward():
    cell = make("gru")
    with pytest.raises(RuntimeError, match="training=True"):
        cell.backward(np.zeros((B, H)))
    cell.forward(rand(B, I), training=True)
    cell(rand(B, I))
    with pytest.raises(RuntimeError, match="training=True"):
        cell.backward(np.zeros((B, H)))


def test_state_dict_round_trip_and_validation():
    a, b = make("lstm_variants", seed=1), make("lstm_variants", seed=2)
    x = rand(B, I)
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(a(x)[0], b(x)[0])
    sd = a.state_dict()
    sd["weight_hr"] = np.zeros((H, H))
    with pytest.raises(ValueError, match="weight_hr"):
        b.load_state_dict(sd)
    with pytest.raises(ValueError, match="weight_ih_l0"):
        b.load_state_dict({k + "_l0": v for k, v in a.state_dict().items()})
    f32 = lc.GRUCell(I, H, dtype=np.float32)
    f32.load_state_dict(make("gru").state_dict())
    assert all(v.dtype == np.float32 for v in f32.params.values())
    assert repr(f32) == "GRUCell(4, 5, dtype=float32)"
    assert repr(lc.LSTMCell(3, 4, coupled=True, dtype=np.float64)) == (
        "LSTMCell(3, 4, coupled=True, dtype=float64)"
    )


def test_bad_arguments_name_the_argument():
    cell = make("lstm")
    with pytest.raises(ValueError, match="x_t"):
        cell(rand(2, B, I))
    with pytest.raises(ValueError, match="x_t"):
        cell(rand(B, I + 1))
    with pytest.raises(TypeError, match="state"):
        cell(rand(B, I), np.zeros((B, H)))
    with pytest.raises(ValueError, match=r"state\[1\]"):
        cell(rand(B, I), (np.zeros((B, H)), np.zeros((B + 1, H))))
    with pytest.raises(ValueError, match=r"state\[0\]"):
        cell(rand(I), (np.zeros((B, H)), None))
    cell.forward(rand(B, I), training=True)
    with pytest.raises(ValueError, match=r"dstate\[0\]"):
        cell.backward((np.zeros((B, H + 1)), None))
    with pytest.raises(TypeError, match="dstate"):
        cell.backward(np.zeros((B, H)))
    gru = make("gru")
    with pytest.raises(ValueError, match="state"):
        gru(rand(B, I), np.zeros((1, B, H)))
    with pytest.raises(ValueError, match="hidden_size"):
        lc.GRUCell(I, 0)
    with pytest.raises(TypeError, match="dtype"):
        lc.RNNCell(I, H, dtype=np.int8)
    with pytest.raises(ValueError, match="nonlinearity"):
        lc.RNNCell(I, H, nonlinearity="gelu")
