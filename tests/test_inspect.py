"""lstmcore.inspect: gates, states and gradient flow read from modules and raw tapes."""

import importlib
import os

import numpy as np
import pytest

import lstmcore as lc
from lstmcore import inspect as lci
from lstmcore import modules

T, B, IN, H = 6, 3, 2, 4


def _backends():
    """The reference always; the C++ front end too once the compiled core provides it."""
    names = ["reference"]
    try:
        functional = importlib.import_module("lstmcore.functional")
        spec = lc.RNNSpec("rnn", 1, 1)
        functional.forward(spec, lc.init_params(spec, seed=0), np.zeros((1, 1, 1), np.float32))
        names.append("functional")
    except Exception:  # noqa: BLE001 - not built yet: the reference alone is tested
        pass
    forced = os.environ.get("LSTMCORE_TEST_BACKEND")
    return [forced] if forced else names


@pytest.fixture(autouse=True, params=_backends())
def _backend(request, monkeypatch):
    monkeypatch.setattr(modules, "_backend", importlib.import_module(f"lstmcore.{request.param}"))


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _x(seed=0):
    return np.random.default_rng(seed).normal(size=(T, B, IN))


def test_lstm_gates_follow_the_equations():
    lstm = lc.LSTM(IN, H, dtype=np.float64, seed=1)
    x = _x()
    lstm.forward(x, training=True)
    tr = lci.trace(lstm)
    assert set(tr) == {"i", "f", "g", "o", "c", "h"}
    assert all(a.shape == (T, B, H) for a in tr.values())
    p = lstm.params
    # First step from the zero state: the gates see only the input.
    pre = x[0] @ p["weight_ih_l0"].T + p["bias_ih_l0"] + p["bias_hh_l0"]
    np.testing.assert_allclose(tr["i"][0], sigmoid(pre[:, :H]), rtol=1e-12)
    np.testing.assert_allclose(tr["g"][0], np.tanh(pre[:, 2 * H:3 * H]), rtol=1e-12)
    # Every step: c_t = f*c_{t-1} + i*g and h_t = o*tanh(c_t).
    c_prev = np.vstack([np.zeros((1, B, H)), tr["c"][:-1]])
    np.testing.assert_allclose(tr["c"], tr["f"] * c_prev + tr["i"] * tr["g"], rtol=1e-12)
    np.testing.assert_allclose(tr["h"], tr["o"] * np.tanh(tr["c"]), rtol=1e-12)
    np.testing.assert_allclose(lci.cell_states(lstm), tr["c"])
    np.testing.assert_allclose(lci.hidden_states(lstm), tr["h"])


def test_coupled_lstm_input_gate_is_one_minus_forget():
    lstm = lc.LSTM(IN, H, coupled=True, dtype=np.float64, seed=2)
    lstm.forward(_x(), training=True)
    g = lci.gate_activations(lstm)
    np.testing.assert_allclose(g["i"], 1.0 - g["f"], rtol=1e-12)


def test_gru_gates_and_update_convention():
    gru = lc.GRU(IN, H, dtype=np.float64, seed=3)
    gru.forward(_x(), training=True)
    tr = lci.trace(gru)
    assert set(tr) == {"r", "z", "n", "h"}
    h_prev = np.vstack([np.zeros((1, B, H)), tr["h"][:-1]])
    np.testing.assert_allclose(tr["h"], (1 - tr["z"]) * tr["n"] + tr["z"] * h_prev, rtol=1e-12)
    with pytest.raises(ValueError):
        lci.cell_states(gru)


def test_raw_tape_and_layer_direction_selection():
    spec = lc.RNNSpec("rnn", IN, H, num_layers=2, bidirectional=True)
    params = lc.init_params(spec, np.float64, seed=4)
    y, _, tape = lc.reference.forward(spec, params, _x(), training=True)
    assert lci.tape_of(tape) is tape
    # The top layer's reverse direction is the second half of y.
    np.testing.assert_allclose(lci.hidden_states(tape, layer=1, direction=1), y[..., H:])
    np.testing.assert_allclose(lci.gate_activations(tape, 1, 1)["h"], y[..., H:])
    with pytest.raises(ValueError, match="layer"):
        lci.gate_activations(tape, layer=2)
    with pytest.raises(ValueError, match="direction"):
        lci.gate_activations(tape, direction=2)
    with pytest.raises(TypeError, match="layer"):
        lci.gate_activations(tape, layer=0.5)


def test_gradient_flow_is_the_batch_mean_of_step_norms():
    lstm = lc.LSTM(IN, H, dtype=np.float64, seed=5)
    y, _ = lstm.forward(_x(), training=True)
    with pytest.raises(RuntimeError):
        lci.gradient_flow(lstm)
    dy = np.zeros_like(y)
    dy[-1] = np.random.default_rng(6).normal(size=(B, H))  # a loss on the last step only
    lstm.backward(dy)
    gh = lci.grad_hidden(lstm)
    np.testing.assert_allclose(gh[-1], dy[-1], rtol=1e-12)  # nothing comes from later steps
    flow = lci.gradient_flow(lstm)
    assert flow.shape == (T,)
    np.testing.assert_allclose(flow, np.linalg.norm(gh, axis=-1).mean(axis=1), rtol=1e-12)
    cflow = lci.gradient_flow(lstm, of="cell")
    np.testing.assert_allclose(cflow, np.linalg.norm(lci.grad_cell(lstm), axis=-1).mean(1))
    assert np.all(flow[:-1] > 0)
    with pytest.raises(ValueError, match="of"):
        lci.gradient_flow(lstm, of="gates")


def test_gradient_flow_averages_only_over_sequences_that_reach_a_step():
    rnn = lc.RNN(IN, H, dtype=np.float64, seed=7)
    lengths = np.array([T, 2, 4])
    y, _ = rnn.forward(_x(), lengths=lengths, training=True)
    rnn.backward(np.ones_like(y))
    norms = np.linalg.norm(lci.grad_hidden(rnn), axis=-1)
    flow = lci.gradient_flow(rnn)
    assert flow[-1] == pytest.approx(norms[-1, 0])  # only the full-length sequence counts
    assert flow[0] == pytest.approx(norms[0].mean())
    with pytest.raises(ValueError):
        lci.gradient_flow(rnn, of="cell")


def test_source_errors():
    lstm = lc.LSTM(IN, H)
    with pytest.raises(RuntimeError, match="training=True"):
        lci.gate_activations(lstm)
    lstm.forward(_x(), training=True)
    lstm.forward(_x())  # an inference call drops the tape
    with pytest.raises(RuntimeError):
        lci.cell_states(lstm)
    with pytest.raises(TypeError, match="source"):
        lci.trace(object())
