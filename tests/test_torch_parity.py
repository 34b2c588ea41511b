"""lc.RNN/LSTM/GRU and their cells against torch.nn: outputs, final states and every gradient."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is needed for the parity tests")

import lstmcore as lc  # noqa: E402

# PyTorch says it falls back from oneDNN for projections; that is its business, not a failure.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:LSTM with projections is not supported with oneDNN:UserWarning"
    ),
    # The layer classes run on the backend that the class_backend fixture (conftest.py) picks.
    pytest.mark.usefixtures("class_backend"),
]

# Normalised error max|ours - torch| / max|torch| allowed per dtype.
TOL = {np.float32: 1e-5, np.float64: 1e-10}

T, B, I, H = 5, 3, 4, 6


def assert_close(ours, theirs, dtype, what):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != {theirs.shape}"
    assert ours.dtype == np.dtype(dtype), f"{what}: dtype {ours.dtype}"
    scale = max(float(np.max(np.abs(theirs))), 1e-30)
    err = float(np.max(np.abs(ours - theirs))) / scale
    assert err <= TOL[dtype], f"{what}: normalised error {err:.3g} > {TOL[dtype]:.1g}"


def _torch_dtype(dtype):
    return torch.float64 if dtype == np.float64 else torch.float32


# -- layers ------------------------------------------------------------------------------------

LAYERS = {
    "rnn_tanh": (lc.RNN, torch.nn.RNN, dict(nonlinearity="tanh")),
    "rnn_relu": (lc.RNN, torch.nn.RNN, dict(nonlinearity="relu")),
    "lstm": (lc.LSTM, torch.nn.LSTM, {}),
    "lstm_proj": (lc.LSTM, torch.nn.LSTM, dict(proj_size=3)),
    "gru": (lc.GRU, torch.nn.GRU, {}),
}

# name: (constructor settings, input layout, with lengths)
LAYOUTS = {
    "plain": (dict(), "tbi", False),
    "stacked_bidir": (dict(num_layers=2, bidirectional=True), "tbi", False),
    "batch_first": (dict(batch_first=True, num_layers=2), "bti", False),
    "unbatched": (dict(bidirectional=True), "ti", False),
    "packed": (dict(), "tbi", True),
    "packed_stacked_bidir": (dict(num_layers=2, bidirectional=True), "tbi", True),
    "packed_batch_first_bidir": (dict(batch_first=True, bidirectional=True), "bti", True),
    "no_bias": (dict(bias=False, bidirectional=True), "tbi", False),
}


def _run_torch(tmod, x, state, lengths, batch_first, grads_out):
    """torch forward + backward of sum(y*gy) + sum(h_n*gh) (+ sum(c_n*gc))."""
    gy, gstate = grads_out
    if lengths is not None:
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            x, torch.as_tensor(lengths), batch_first=batch_first, enforce_sorted=False
        )
        out, state_n = tmod(packed, state)
        y, _ = torch.nn.utils.rnn.pad_packed_sequence(
            out, batch_first=batch_first, total_length=T
        )
    else:
        y, state_n = tmod(x, state)
    states = state_n if isinstance(state_n, tuple) else (state_n,)
    loss = (y * gy).sum() + sum((s * g).sum() for s, g in zip(states, gstate))
    loss.backward()
    return y, states


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("kind", list(LAYERS))
def test_layer_matches_torch(kind, layout, dtype):
    ours_cls, torch_cls, extra = LAYERS[kind]
    settings, axes, with_lengths = LAYOUTS[layout]
    settings = {**settings, **extra}
    rng = np.random.default_rng(zlib.crc32(f"{kind}-{layout}".encode()))
    torch.manual_seed(0)
    tmod = torch_cls(I, H, **settings).to(_torch_dtype(dtype))
    ours = ours_cls(I, H, dtype=dtype, **settings)
    ours.load_state_dict(tmod.state_dict())

    sizes = {"t": T, "b": B, "i": I}
    x = rng.standard_normal([sizes[a] for a in axes]).astype(dtype)
    spec = ours.spec
    state_shapes = spec.state_shapes(None if axes == "ti" else B)
    state = [rng.standard_normal(s).astype(dtype) for s in state_shapes]
    lengths = np.array([T, 2, 4]) if with_lengths else None

    y, state_n = ours.forward(x, tuple(state) if spec.has_cell_state else state[0],
                              lengths=lengths, training=True)
    gy = rng.standard_normal(y.shape).astype(dtype)
    gstate = [rng.standard_normal(s).astype(dtype) for s in state_shapes]
    dx, dstate0 = ours.backward(gy, tuple(gstate) if spec.has_cell_state else gstate[0])

    tx = torch.tensor(x, requires_grad=True)
    tstate = [torch.tensor(s, requires_grad=True) for s in state]
    ty, tstate_n = _run_torch(
        tmod, tx, tuple(tstate) if spec.has_cell_state else tstate[0], lengths,
        spec.batch_first, (torch.tensor(gy), [torch.tensor(g) for g in gstate]),
    )

    assert_close(y, ty, dtype, "y")
    ours_states = state_n if spec.has_cell_state else (state_n,)
    ours_d0 = dstate0 if spec.has_cell_state else (dstate0,)
    for k, (s, ts, d, td) in enumerate(zip(ours_states, tstate_n, ours_d0, tstate)):
        assert_close(s, ts, dtype, f"final state[{k}]")
        assert_close(d, td.grad, dtype, f"d initial state[{k}]")
    assert_close(dx, tx.grad, dtype, "dx")
    torch_params = dict(tmod.named_parameters())
    assert set(torch_params) == set(ours.grads)
    for name, p in torch_params.items():
        assert_close(ours.grads[name], p.grad, dtype, f"grad {name}")


def test_state_dict_loads_into_torch():
    ours = lc.LSTM(I, H, num_layers=2, proj_size=2, bidirectional=True, dtype=np.float64, seed=3)
    tmod = torch.nn.LSTM(I, H, num_layers=2, proj_size=2, bidirectional=True).double()
    tmod.load_state_dict({k: torch.from_numpy(v) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((T, B, I))
    y, _ = ours(x)
    assert_close(y, tmod(torch.from_numpy(x))[0], np.float64, "y")


# -- cells -------------------------------------------------------------------------------------

CELLS = {
    "rnn_tanh": (lc.RNNCell, torch.nn.RNNCell, dict(nonlinearity="tanh")),
    "rnn_relu": (lc.RNNCell, torch.nn.RNNCell, dict(nonlinearity="relu")),
    "lstm": (lc.LSTMCell, torch.nn.LSTMCell, {}),
    "gru": (lc.GRUCell, torch.nn.GRUCell, {}),
    "gru_no_bias": (lc.GRUCell, torch.nn.GRUCell, dict(bias=False)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_matches_torch(kind, batched, dtype):
    ours_cls, torch_cls, settings = CELLS[kind]
    rng = np.random.default_rng(7)
    torch.manual_seed(1)
    tcell = torch_cls(I, H, **settings).to(_torch_dtype(dtype))
    cell = ours_cls(I, H, dtype=dtype, **settings)
    cell.load_state_dict(tcell.state_dict())
    lstm = kind == "lstm"
    bshape = (B,) if batched else ()
    x = rng.standard_normal(bshape + (I,)).astype(dtype)
    state = [rng.standard_normal(bshape + (H,)).astype(dtype) for _ in range(2 if lstm else 1)]
    gout = [rng.standard_normal(bshape + (H,)).astype(dtype) for _ in state]

    out = cell.forward(x, tuple(state) if lstm else state[0], training=True)
    dx, d0 = cell.backward(tuple(gout) if lstm else gout[0])
    outs, d0s = (out, d0) if lstm else ((out,), (d0,))

    tx = torch.tensor(x, requires_grad=True)
    ts = [torch.tensor(s, requires_grad=True) for s in state]
    tout = tcell(tx, tuple(ts) if lstm else ts[0])
    touts = tout if lstm else (tout,)
    sum((o * torch.tensor(g)).sum() for o, g in zip(touts, gout)).backward()

    for k in range(len(state)):
        assert_close(outs[k], touts[k], dtype, f"out[{k}]")
        assert_close(d0s[k], ts[k].grad, dtype, f"d state[{k}]")
    assert_close(dx, tx.grad, dtype, "dx")
    for name, p in tcell.named_parameters():
        assert_close(cell.grads[name], p.grad, dtype, f"grad {name}")
