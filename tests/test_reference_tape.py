"""The reference tape's inspection interface (docs/CONTRACTS.md) and inter-layer dropout."""

from __future__ import annotations

import numpy as np
import pytest

import lstmcore as lc
from lstmcore import reference as ref
from lstmcore.dropout import dropout_mask

T, B = 5, 3
LENGTHS = [5, 2, 0]


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _past_length(lengths):
    """[T, B, 1] True where a time step lies past its sequence's length."""
    return (np.arange(T)[:, None] >= np.asarray(lengths)[None, :])[:, :, None]


@pytest.mark.parametrize("mode, kw, names", [
    ("rnn", dict(nonlinearity="relu"), ("h",)),
    ("lstm", dict(), ("i", "f", "g", "o")),
    ("lstm", dict(coupled=True, proj_size=2), ("i", "f", "g", "o")),
    ("gru", dict(linear_before_reset=False), ("r", "z", "n")),
])
def test_inspection_shapes_and_zero_padding(mode, kw, names, make_case):
    spec = lc.RNNSpec(mode, 2, 3, num_layers=2, bidirectional=True, **kw)
    case = make_case(spec, T=T, B=B, lengths=LENGTHS)
    y, _, tape = ref.forward(spec, **case, training=True, seed=3)
    assert tape.spec == spec and tape.seed == 3 and isinstance(tape.nbytes, int)
    assert tape.nbytes > y.nbytes
    np.testing.assert_array_equal(tape.lengths, LENGTHS)
    pad = _past_length(LENGTHS)
    for layer in range(2):
        for direction in range(2):
            gates = tape.gates(layer, direction)
            assert tuple(gates) == names
            for g in gates.values():
                assert g.shape == (T, B, 3)
                assert np.all(g[np.broadcast_to(pad, g.shape)] == 0)
            hs = tape.hidden_states(layer, direction)
            assert hs.shape == (T, B, spec.output_size)
            if spec.has_cell_state:
                assert tape.cell_states(layer, direction).shape == (T, B, 3)
    if kw.get("coupled"):
        g = tape.gates(1, 1)
        np.testing.assert_allclose(g["i"], np.where(pad, 0.0, 1.0 - g["f"]))
    # The last layer's hidden states are y, forward half then reverse half.
    P = spec.output_size
    np.testing.assert_array_equal(tape.hidden_states(1, 0), y[:, :, :P])
    np.testing.assert_array_equal(tape.hidden_states(1, 1), y[:, :, P:])


def test_bad_inspection_arguments(make_case):
    spec = lc.RNNSpec("gru", 2, 3, num_layers=2)
    case = make_case(spec, T=T, B=B)
    _, _, tape = ref.forward(spec, **case, training=True)
    with pytest.raises(ValueError, match="layer"):
        tape.gates(2)
    with pytest.raises(ValueError, match="direction"):
        tape.hidden_states(0, 1)
    with pytest.raises(ValueError, match="cell_states"):
        tape.cell_states(0)
    with pytest.raises(RuntimeError, match="backward"):
        tape.grad_hidden(0)


def test_lstm_tape_obeys_the_cell_equations_in_both_directions(make_case):
    """c_t = f*c_prev + i*g and h_t = o*tanh(c_t), where prev is t-1 forward and t+1 reverse."""
    spec = lc.RNNSpec("lstm", 2, 3, bidirectional=True)
    case = make_case(spec, T=T, B=B, lengths=LENGTHS)
    _, (h_n, c_n), tape = ref.forward(spec, **case, training=True)
    h0, c0 = case["state"]
    for d in range(2):
        g, c, h = tape.gates(0, d), tape.cell_states(0, d), tape.hidden_states(0, d)
        for b, n in enumerate(LENGTHS):
            steps = range(n) if d == 0 else range(n - 1, -1, -1)
            c_prev = c0[d, b]
            for t in steps:
                np.testing.assert_allclose(
                    c[t, b], g["f"][t, b] * c_prev + g["i"][t, b] * g["g"][t, b], rtol=1e-13)
                np.testing.assert_allclose(h[t, b], g["o"][t, b] * np.tanh(c[t, b]), rtol=1e-13)
                c_prev = c[t, b]
            # The final state is the state at the sequence's last valid step (or the initial one).
            np.testing.assert_array_equal(c_n[d, b], c_prev)
            np.testing.assert_array_equal(h_n[d, b], h[steps[-1], b] if n else h0[d, b])


def test_gru_gates_recomputed_from_hidden_states(make_case):
    """r, z, n and h' = (1 - z) n + z h from the tape match the equations of DESIGN.md."""
    spec = lc.RNNSpec("gru", 2, 3)
    case = make_case(spec, T=T, B=B)
    p, x, h0 = case["params"], case["x"], case["state"][0]
    _, _, tape = ref.forward(spec, **case, training=True)
    g, hs = tape.gates(0), tape.hidden_states(0)
    W, U, bw, bu = (p[k + "_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    h = h0
    for t in range(T):
        a, u = x[t] @ W.T + bw, h @ U.T + bu
        r = _sigmoid(a[:, :3] + u[:, :3])
        z = _sigmoid(a[:, 3:6] + u[:, 3:6])
        n = np.tanh(a[:, 6:] + r * u[:, 6:])
        for name, want in (("r", r), ("z", z), ("n", n)):
            np.testing.assert_allclose(g[name][t], want, rtol=1e-12)
        h = (1 - z) * n + z * h
        np.testing.assert_allclose(hs[t], h, rtol=1e-12)


def test_grad_hidden_is_the_total_gradient_of_h(make_case, linear_loss):
    """RNN tanh: dL/dh_t = dy_t + W_hh^T ((1 - h_next^2) dL/dh_next), per direction's order."""
    spec = lc.RNNSpec("rnn", 2, 3, bidirectional=True)
    case = make_case(spec, T=T, B=B, lengths=LENGTHS)
    y, h_n, tape = ref.forward(spec, **case, training=True)
    loss = linear_loss(y, h_n)
    _, dh0, _ = ref.backward(spec, case["params"], tape, loss.dy, loss.dstate)
    for d, sfx in enumerate(("", "_reverse")):
        U = case["params"]["weight_hh_l0" + sfx]
        gh, hs = tape.grad_hidden(0, d), tape.hidden_states(0, d)
        dy = loss.dy[:, :, 3 * d:3 * (d + 1)]
        assert np.all(gh[np.broadcast_to(_past_length(LENGTHS), gh.shape)] == 0)
        for b, n in enumerate(LENGTHS):
            steps = list(range(n)) if d == 0 else list(range(n - 1, -1, -1))
            carry = loss.dstate[d, b]  # what reaches the last valid step from h_n
            for t in reversed(steps):
                np.testing.assert_allclose(gh[t, b], dy[t, b] + carry, rtol=1e-12, atol=1e-15)
                carry = U.T @ ((1 - hs[t, b] ** 2) * gh[t, b])
            np.testing.assert_allclose(dh0[d, b], carry, rtol=1e-12, atol=1e-15)


def test_grad_cell_is_the_total_gradient_of_c(make_case, linear_loss):
    """LSTM: dL/dc_t = f_next dL/dc_next + o_t (1 - tanh^2 c_t) dL/dh_t."""
    spec = lc.RNNSpec("lstm", 2, 3)
    case = make_case(spec, T=T, B=B, lengths=LENGTHS)
    y, st, tape = ref.forward(spec, **case, training=True)
    loss = linear_loss(y, st)
    _, (_, dc0), _ = ref.backward(spec, case["params"], tape, loss.dy, loss.dstate)
    gc, gh, c, g = tape.grad_cell(0), tape.grad_hidden(0), tape.cell_states(0), tape.gates(0)
    for b, n in enumerate(LENGTHS):
        carry = loss.dstate[1][0, b]
        for t in reversed(range(n)):
            want = carry + gh[t, b] * g["o"][t, b] * (1 - np.tanh(c[t, b]) ** 2)
            np.testing.assert_allclose(gc[t, b], want, rtol=1e-12, atol=1e-15)
            carry = gc[t, b] * g["f"][t, b]
        np.testing.assert_allclose(dc0[0, b], carry, rtol=1e-12, atol=1e-15)
        assert np.all(gc[n:, b] == 0)


def test_dropout_is_training_only_reproducible_and_masks_the_lower_layer(make_case):
    spec = lc.RNNSpec("lstm", 2, 3, num_layers=3, dropout=0.5)
    case = make_case(spec, T=T, B=B)
    y_eval, _, tape = ref.forward(spec, **case)
    assert tape is None
    y_a, _, tape_a = ref.forward(spec, **case, training=True, seed=42)
    y_b, _, _ = ref.forward(spec, **case, training=True, seed=42)
    y_c, _, _ = ref.forward(spec, **case, training=True, seed=43)
    _, _, tape_none = ref.forward(spec, **case, training=True)
    np.testing.assert_array_equal(y_a, y_b)
    assert not np.allclose(y_a, y_c) and not np.allclose(y_a, y_eval)
    assert isinstance(tape_none.seed, int) and 0 <= tape_none.seed < 2 ** 64
    # Layer 1 sees layer 0's output through the mask of layer 0: rerun layer 1 alone on it.
    mask = dropout_mask(42, 0, (T, B, 3), 0.5, np.float64)
    assert 0 < np.count_nonzero(mask) < mask.size
    one = lc.RNNSpec("lstm", 3, 3)
    p1 = {k.replace("_l1", "_l0"): v for k, v in case["params"].items() if k.endswith("_l1")}
    state1 = tuple(s[1:2] for s in case["state"])
    y1, _, _ = ref.forward(one, p1, tape_a.hidden_states(0) * mask, state1)
    np.testing.assert_allclose(tape_a.hidden_states(1), y1, rtol=1e-14)


def test_unbatched_tape_keeps_the_batch_axis(make_case):
    spec = lc.RNNSpec("lstm", 2, 3, proj_size=1)
    case = make_case(spec, T=T, unbatched=True)
    y, (h, c), tape = ref.forward(spec, **case, training=True)
    assert y.shape == (T, 1) and h.shape == (1, 1) and c.shape == (1, 3)
    assert tape.hidden_states(0).shape == (T, 1, 1) and tape.cell_states(0).shape == (T, 1, 3)
    assert tape.lengths is None
    ref.backward(spec, case["params"], tape, np.ones_like(y))
    assert tape.grad_hidden(0).shape == (T, 1, 1) and tape.grad_cell(0).shape == (T, 1, 3)
