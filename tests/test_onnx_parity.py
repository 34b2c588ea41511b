"""lc.LSTM (peephole, coupled) and lc.GRU (both reset conventions) against ONNX Runtime's own
LSTM and GRU operators, forward outputs Y, Y_h (and Y_c).

Mapping our parameters onto ONNX's inputs (W, R, B, P per direction):

* LSTM rows: ours i, f, g, o; ONNX i, o, f, c (c is our g). Peepholes: ours i, f, o; ONNX i, o, f.
  B is [Wb; Rb] = [bias_ih; bias_hh] in ONNX row order.
* GRU rows: ours r, z, n; ONNX z, r, h. Both use h' = (1 - z)*n + z*h, and ONNX's
  linear_before_reset attribute is our flag of the same name.
* Coupled LSTM (CIFG): we compute f from its rows and set i = 1 - f. ONNX Runtime's
  input_forget=1 couples the other way: it computes i from ONNX's i rows and derives f = 1 - i.
  Since sigmoid(-a) = 1 - sigmoid(a), feeding ONNX's i rows with our f pre-activation NEGATED
  (our f rows of W, R, both biases, and our f peephole, all times -1) gives
  i_ort = sigmoid(-a_f) = 1 - f = i_ours, hence f_ort = 1 - i_ort = f_ours. ONNX's own f rows (and
  its f peephole) are then unused; we fill them with noise so that the test would catch ONNX
  Runtime reading them.
"""

from __future__ import annotations


import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="onnx is needed to build the reference graphs")
ort = pytest.importorskip("onnxruntime", reason="ONNX Runtime is needed for the parity tests")
from onnx import TensorProto, helper  # noqa: E402

import lstmcore as lc  # noqa: E402

TOL = 1e-5  # normalised error, float32 (ONNX Runtime's CPU LSTM/GRU run in float32)
T, B, I, H = 6, 3, 4, 5


# The layer classes run on the backend that the class_backend fixture (conftest.py) picks.
pytestmark = pytest.mark.usefixtures("class_backend")


def assert_close(ours, theirs, what):
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != {theirs.shape}"
    scale = max(float(np.max(np.abs(theirs))), 1e-30)
    err = float(np.max(np.abs(ours - theirs))) / scale
    assert err <= TOL, f"{what}: normalised error {err:.3g} > {TOL:.0e}"


def _blocks(a: np.ndarray, n: int):
    """Split the rows of ``a`` into ``n`` gate blocks."""
    return np.split(a, n, axis=0)


def _lstm_direction_to_onnx(p: dict, sfx: str, coupled: bool, peephole: bool, rng):
    """Our parameters of one direction -> ONNX's (W, R, B, P) rows for that direction."""
    W, R = p[f"weight_ih_l0{sfx}"], p[f"weight_hh_l0{sfx}"]
    bi, bh = p[f"bias_ih_l0{sfx}"], p[f"bias_hh_l0{sfx}"]
    if coupled:
        # ours f, g, o; ONNX i <- -f (see the module docstring), f <- noise, o <- o, c <- g
        def order(a):
            f, g, o = _blocks(a, 3)
            return np.concatenate([-f, o, rng.standard_normal(f.shape).astype(a.dtype), g])
    else:
        def order(a):
            i, f, g, o = _blocks(a, 4)
            return np.concatenate([i, o, f, g])
    out = [order(W), order(R), np.concatenate([order(bi), order(bh)])]
    if peephole:
        pp = p[f"weight_peephole_l0{sfx}"]
        if coupled:
            pf, po = np.split(pp, 2)
            out.append(np.concatenate([-pf, po, rng.standard_normal(H).astype(pp.dtype)]))
        else:
            pi, pf, po = np.split(pp, 3)
            out.append(np.concatenate([pi, po, pf]))
    return out


def _gru_direction_to_onnx(p: dict, sfx: str):
    def order(a):
        r, z, n = _blocks(a, 3)
        return np.concatenate([z, r, n])

    W, R = p[f"weight_ih_l0{sfx}"], p[f"weight_hh_l0{sfx}"]
    bi, bh = p[f"bias_ih_l0{sfx}"], p[f"bias_hh_l0{sfx}"]
    return [order(W), order(R), np.concatenate([order(bi), order(bh)])]


def _run_onnx(op: str, attrs: dict, inputs: dict, num_outputs: int):
    """Build a one-node graph of ``op`` with the given inputs (name -> array) and run it."""
    names = ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"]
    if op == "GRU":
        names = names[:6]
    node_inputs = [n if n in inputs else "" for n in names]
    while node_inputs[-1] == "":
        node_inputs.pop()
    outputs = ["Y", "Y_h", "Y_c"][:num_outputs]
    D = inputs["W"].shape[0]
    shapes = [[T, D, B, H], [D, B, H], [D, B, H]]
    node = helper.make_node(op, node_inputs, outputs, **attrs)

    def info(name, arr):
        kind = TensorProto.INT32 if arr.dtype == np.int32 else TensorProto.FLOAT
        return helper.make_tensor_value_info(name, kind, list(arr.shape))

    graph = helper.make_graph(
        [node], f"{op.lower()}_parity",
        [info(n, inputs[n]) for n in names if n in inputs],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, s) for o, s in zip(outputs, shapes)],
    )
    # IR version 8 (ONNX 1.10) is old enough for any ONNX Runtime that runs opset 14.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], ir_version=8)
    onnx.checker.check_model(model)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(model.SerializeToString(), opts,
                                providers=["CPUExecutionProvider"])
    return sess.run(None, inputs)


def _onnx_y(y_onnx: np.ndarray) -> np.ndarray:
    """ONNX Y (T, D, B, H) -> our y (T, B, D*H): directions concatenated on the feature axis."""
    Tn, D, Bn, Hn = y_onnx.shape
    return y_onnx.transpose(0, 2, 1, 3).reshape(Tn, Bn, D * Hn)


def _inputs(rng, D, lengths, cell_state):
    x = rng.standard_normal((T, B, I)).astype(np.float32)
    h0 = rng.standard_normal((D, B, H)).astype(np.float32)
    c0 = rng.standard_normal((D, B, H)).astype(np.float32) if cell_state else None
    lens = None if lengths is None else np.asarray(lengths, dtype=np.int32)
    return x, h0, c0, lens


LSTM_CASES = {
    "peephole": dict(peephole=True),
    "coupled": dict(coupled=True),
    "coupled_peephole": dict(coupled=True, peephole=True),
    "plain": dict(),
}


@pytest.mark.parametrize("lengths", [None, [T, 2, 5]], ids=["full", "lengths"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bidir"])
@pytest.mark.parametrize("case", list(LSTM_CASES))
def test_lstm_matches_onnxruntime(case, bidirectional, lengths):
    flags = LSTM_CASES[case]
    rng = np.random.default_rng(11)
    lstm = lc.LSTM(I, H, bidirectional=bidirectional, seed=5, **flags)
    D = 2 if bidirectional else 1
    x, h0, c0, lens = _inputs(rng, D, lengths, cell_state=True)
    y, (h_n, c_n) = lstm(x, (h0, c0), lengths=lens)

    dirs = [_lstm_direction_to_onnx(lstm.params, sfx, lstm.spec.coupled, lstm.spec.peephole, rng)
            for sfx in ["", "_reverse"][:D]]
    inputs = {"X": x, "initial_h": h0, "initial_c": c0}
    for k, name in enumerate(["W", "R", "B", "P"][: len(dirs[0])]):
        inputs[name] = np.stack([d[k] for d in dirs])
    if lens is not None:
        inputs["sequence_lens"] = lens
    attrs = dict(hidden_size=H, direction="bidirectional" if bidirectional else "forward",
                 input_forget=int(lstm.spec.coupled))
    Y, Y_h, Y_c = _run_onnx("LSTM", attrs, inputs, 3)

    assert_close(y, _onnx_y(Y), "y")
    assert_close(h_n, Y_h, "h_n")
    assert_close(c_n, Y_c, "c_n")


@pytest.mark.parametrize("lengths", [None, [3, T, 1]], ids=["full", "lengths"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bidir"])
@pytest.mark.parametrize("linear_before_reset", [False, True], ids=["lbr0", "lbr1"])
def test_gru_matches_onnxruntime(linear_before_reset, bidirectional, lengths):
    rng = np.random.default_rng(12)
    gru = lc.GRU(I, H, bidirectional=bidirectional, linear_before_reset=linear_before_reset,
                 seed=6)
    D = 2 if bidirectional else 1
    x, h0, _, lens = _inputs(rng, D, lengths, cell_state=False)
    y, h_n = gru(x, h0, lengths=lens)

    dirs = [_gru_direction_to_onnx(gru.params, sfx) for sfx in ["", "_reverse"][:D]]
    inputs = {"X": x, "initial_h": h0}
    for k, name in enumerate(["W", "R", "B"]):
        inputs[name] = np.stack([d[k] for d in dirs])
    if lens is not None:
        inputs["sequence_lens"] = lens
    attrs = dict(hidden_size=H, direction="bidirectional" if bidirectional else "forward",
                 linear_before_reset=int(linear_before_reset))
    Y, Y_h = _run_onnx("GRU", attrs, inputs, 2)

    assert_close(y, _onnx_y(Y), "y")
    assert_close(h_n, Y_h, "h_n")


def test_coupled_mapping_is_not_vacuous():
    """Had we mapped the coupled gates the naive way (our f rows onto ONNX's f rows), ONNX
    Runtime would disagree: the test above checks the mapping, not a coincidence."""
    rng = np.random.default_rng(13)
    lstm = lc.LSTM(I, H, coupled=True, seed=7)
    x, h0, c0, _ = _inputs(rng, 1, None, cell_state=True)
    y, _ = lstm(x, (h0, c0))
    p = lstm.params

    def naive(a):
        f, g, o = _blocks(a, 3)
        return np.concatenate([np.zeros_like(f), o, f, g])

    inputs = {"X": x, "initial_h": h0, "initial_c": c0,
              "W": naive(p["weight_ih_l0"])[None], "R": naive(p["weight_hh_l0"])[None],
              "B": np.concatenate([naive(p["bias_ih_l0"]), naive(p["bias_hh_l0"])])[None]}
    Y, _, _ = _run_onnx("LSTM", dict(hidden_size=H, input_forget=1), inputs, 3)
    err = np.max(np.abs(y - _onnx_y(Y))) / np.max(np.abs(Y))
    assert err > 1e-2
