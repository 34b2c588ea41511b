"""lstmcore.reference against torch.nn.RNN/LSTM/GRU with copied weights: outputs, states, grads."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is needed to compare the reference with it")

import lstmcore as lc  # noqa: E402
from lstmcore import reference as ref  # noqa: E402

# torch warns that oneDNN has no projection kernel and it falls back; not our concern.
pytestmark = pytest.mark.filterwarnings(
    "ignore:LSTM with projections is not supported with oneDNN:UserWarning"
)

TOL = 1e-12  # float64: max |ours - torch| / max |torch| per array

CELLS = {
    "rnn_tanh": dict(mode="rnn"),
    "rnn_relu": dict(mode="rnn", nonlinearity="relu"),
    "lstm": dict(mode="lstm"),
    "lstm_proj": dict(mode="lstm", proj_size=2),
    "gru": dict(mode="gru"),
}

LAYOUTS = {
    "single": dict(),
    "stacked_bidir": dict(num_layers=2, bidirectional=True),
    "stacked3_batch_first": dict(num_layers=3, batch_first=True),
    "bidir_batch_first_nobias": dict(bidirectional=True, batch_first=True, bias=False),
}

T, B, I, H = 5, 3, 3, 4


def torch_module(spec: lc.RNNSpec, params):
    """The torch.nn module equivalent to ``spec``, float64, holding a copy of ``params``."""
    kw = dict(input_size=spec.input_size, hidden_size=spec.hidden_size,
              num_layers=spec.num_layers, bias=spec.bias, batch_first=spec.batch_first,
              bidirectional=spec.bidirectional, dtype=torch.float64)
    if spec.mode == "rnn":
        module = torch.nn.RNN(nonlinearity=spec.nonlinearity, **kw)
    elif spec.mode == "lstm":
        module = torch.nn.LSTM(proj_size=spec.proj_size, **kw)
    else:
        module = torch.nn.GRU(**kw)
    assert list(dict(module.named_parameters())) == spec.param_names()
    with torch.no_grad():
        for name, value in module.named_parameters():
            value.copy_(torch.from_numpy(params[name]))
    return module


def rel_err(ours: np.ndarray, theirs) -> float:
    theirs = theirs.detach().numpy()
    assert ours.shape == tuple(theirs.shape)
    return float(np.max(np.abs(ours - theirs))) / max(float(np.max(np.abs(theirs))), 1e-300)


def run_both(spec, case, loss, packed: bool):
    """Forward and backward of the reference and of torch; returns pairs (name, ours, torch)."""
    params, x, state, lengths = case["params"], case["x"], case["state"], case["lengths"]
    y, st, tape = ref.forward(spec, params, x, state, lengths, training=True)
    dx, dst0, grads = ref.backward(spec, params, tape, loss.dy, loss.dstate)
    states = list(st) if spec.has_cell_state else [st]
    dstates0 = list(dst0) if spec.has_cell_state else [dst0]

    module = torch_module(spec, params)
    tx = torch.tensor(x, requires_grad=True)
    t_state = [torch.tensor(s, requires_grad=True) for s in
               (state if spec.has_cell_state else (state,))]
    t_in = tx
    if packed:
        t_in = torch.nn.utils.rnn.pack_padded_sequence(
            tx, torch.from_numpy(lengths), batch_first=spec.batch_first, enforce_sorted=False)
    t_y, t_st = module(t_in, tuple(t_state) if spec.has_cell_state else t_state[0])
    if packed:
        t_y, _ = torch.nn.utils.rnn.pad_packed_sequence(
            t_y, batch_first=spec.batch_first, total_length=x.shape[1 if spec.batch_first else 0])
    t_states = list(t_st) if spec.has_cell_state else [t_st]
    dstate = loss.dstate if spec.has_cell_state else (loss.dstate,)
    total = (t_y * torch.from_numpy(loss.dy)).sum()
    for s, w in zip(t_states, dstate):
        total = total + (s * torch.from_numpy(w)).sum()
    total.backward()

    pairs = [("y", y, t_y), ("x.grad", dx, tx.grad)]
    pairs += [(f"state_n[{k}]", a, b) for k, (a, b) in enumerate(zip(states, t_states))]
    pairs += [(f"state0[{k}].grad", a, b.grad) for k, (a, b) in enumerate(zip(dstates0, t_state))]
    pairs += [(f"{n}.grad", grads[n], p.grad) for n, p in module.named_parameters()]
    return pairs


def check(pairs):
    worst = 0.0
    for name, ours, theirs in pairs:
        err = rel_err(ours, theirs)
        assert err < TOL, f"{name}: relative error {err:.2e}"
        worst = max(worst, err)
    return worst


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("cell", list(CELLS))
def test_matches_torch(cell, layout, make_case, linear_loss):
    spec = lc.RNNSpec(input_size=I, hidden_size=H, **CELLS[cell], **LAYOUTS[layout])
    case = make_case(spec, T=T, B=B, seed=3)
    y, state, _ = ref.forward(spec, case["params"], case["x"], case["state"])
    check(run_both(spec, case, linear_loss(y, state, seed=4), packed=False))


@pytest.mark.parametrize("layout", ["single", "stacked_bidir", "bidir_batch_first_nobias"])
@pytest.mark.parametrize("cell", list(CELLS))
def test_matches_torch_packed_sequences(cell, layout, make_case, linear_loss):
    """Variable lengths against pack_padded_sequence (torch needs lengths >= 1)."""
    spec = lc.RNNSpec(input_size=I, hidden_size=H, **CELLS[cell], **LAYOUTS[layout])
    case = make_case(spec, T=T, B=4, seed=5, lengths=[2, T, 1, 4])
    y, state, _ = ref.forward(spec, **case)
    check(run_both(spec, case, linear_loss(y, state, seed=6), packed=True))


@pytest.mark.parametrize("cell", ["lstm_proj", "gru", "rnn_tanh"])
def test_matches_torch_unbatched(cell, make_case, linear_loss):
    spec = lc.RNNSpec(input_size=I, hidden_size=H, num_layers=2, bidirectional=True,
                      **CELLS[cell])
    case = make_case(spec, T=T, seed=8, unbatched=True)
    y, state, _ = ref.forward(spec, **case)
    check(run_both(spec, case, linear_loss(y, state, seed=9), packed=False))


def test_float32_follows_torch_loosely(make_case, linear_loss):
    """float32 inputs compute in float32 and stay close to torch's float64 result."""
    spec = lc.RNNSpec("lstm", I, H, num_layers=2, bidirectional=True)
    case = make_case(spec, T=T, B=B, seed=1)
    y64, st64, _ = ref.forward(spec, **case)
    c32 = dict(case, x=case["x"].astype(np.float32),
               state=tuple(s.astype(np.float32) for s in case["state"]))
    y32, st32, _ = ref.forward(spec, **c32)
    assert y32.dtype == np.float32 and st32[0].dtype == np.float32
    loss = linear_loss(y64, st64, seed=2)
    pairs = run_both(spec, case, loss, packed=False)
    assert rel_err(y32, pairs[0][2]) < 1e-5
