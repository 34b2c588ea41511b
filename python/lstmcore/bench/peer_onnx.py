"""The ONNX Runtime peer (inference only): one LSTM/GRU/RNN node per layer, built with
onnx.helper from the case's parameters.

Row orders: ours LSTM i, f, g, o -> ONNX i, o, f, c; GRU r, z, n -> ONNX z, r, h; peepholes ours
i, f, o -> ONNX i, o, f. ONNX's input_forget couples the gates the other way round (f = 1 - i), so
a coupled LSTM feeds ONNX's i rows with our f rows negated: sigmoid(-a) = 1 - sigmoid(a) gives
the same cell; ONNX's f rows are then unused (zeros).
"""

from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np

from .cases import CaseData
from .peers import Peer, Runner

__all__ = ["OnnxPeer"]


class OnnxPeer(Peer):
    name = "onnx"
    title = "ONNX Runtime"

    def available(self) -> Optional[str]:
        try:
            import onnx  # noqa: F401
            import onnxruntime  # noqa: F401
        except ImportError:
            return "onnx and onnxruntime are not installed"
        return None

    def version(self) -> str:
        import onnxruntime

        return onnxruntime.__version__

    def supports(self, data: CaseData, training: bool) -> bool:
        return not training

    def build(self, data: CaseData, training: bool, threads: int) -> Runner:
        import onnxruntime as ort

        model = _model(data)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        sess = ort.InferenceSession(model.SerializeToString(), opts,
                                    providers=["CPUExecutionProvider"])
        feeds = {"X": data.x}
        if data.lengths is not None:
            feeds["sequence_lens"] = data.lengths.astype(np.int32)
        return lambda: sess.run(["Y_out"], feeds)[0]


def _split(a: np.ndarray, n: int) -> List[np.ndarray]:
    return np.split(a, n, axis=0)


def _reorder(a: np.ndarray, mode: str, coupled: bool) -> np.ndarray:
    if mode == "gru":
        r, z, n = _split(a, 3)
        return np.concatenate([z, r, n])
    if mode == "rnn":
        return a
    if coupled:
        f, g, o = _split(a, 3)
        return np.concatenate([-f, o, np.zeros_like(f), g])
    i, f, g, o = _split(a, 4)
    return np.concatenate([i, o, f, g])


def _direction(p: Dict[str, np.ndarray], layer: int, sfx: str, data: CaseData):
    """(W, R, B, P or None) of one layer and direction, in ONNX's row order."""
    case = data.case
    key = f"l{layer}{sfx}"

    def reorder(a):
        return _reorder(a, case.mode, case.coupled)

    w = reorder(p[f"weight_ih_{key}"])
    r = reorder(p[f"weight_hh_{key}"])
    b = np.concatenate([reorder(p[f"bias_ih_{key}"]), reorder(p[f"bias_hh_{key}"])])
    peep = None
    if case.peephole:
        pp = p[f"weight_peephole_{key}"]
        if case.coupled:
            pf, po = np.split(pp, 2)
            peep = np.concatenate([-pf, po, np.zeros_like(pf)])
        else:
            pi, pf, po = np.split(pp, 3)
            peep = np.concatenate([pi, po, pf])
    return w, r, b, peep


def _model(data: CaseData):
    from onnx import TensorProto, helper, numpy_helper

    case = data.case
    op = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}[case.mode]
    dirs = ["", "_reverse"] if case.bidirectional else [""]
    D, H, T, B = len(dirs), case.hidden, case.steps, case.batch
    nodes, inits = [], []
    layer_in = "X"
    for layer in range(case.layers):
        parts = [_direction(data.params, layer, sfx, data) for sfx in dirs]
        names = []
        for j, label in enumerate("WRBP"):
            if label == "P" and parts[0][3] is None:
                break
            name = f"{label}{layer}"
            inits.append(numpy_helper.from_array(
                np.stack([part[j] for part in parts]).astype(np.float32), name))
            names.append(name)
        lens = "sequence_lens" if data.lengths is not None else ""
        inputs = [layer_in, names[0], names[1], names[2], lens]
        if len(names) == 4:  # initial_h, initial_c left out, then P
            inputs += ["", "", names[3]]
        attrs = {"hidden_size": H,
                 "direction": "bidirectional" if case.bidirectional else "forward"}
        if case.mode == "gru":
            attrs["linear_before_reset"] = 1
        if case.mode == "rnn":
            attrs["activations"] = ["Tanh", "Tanh"] if case.bidirectional else ["Tanh"]
        if case.coupled:
            attrs["input_forget"] = 1
        while inputs[-1] == "":
            inputs.pop()
        y = f"Y{layer}"
        nodes.append(helper.make_node(op, inputs, [y], **attrs))
        # Y is (T, D, B, H); the next layer (and the user) wants (T, B, D * H).
        nodes.append(helper.make_node("Transpose", [y], [f"{y}_t"], perm=[0, 2, 1, 3]))
        shape = f"shape{layer}"
        inits.append(numpy_helper.from_array(np.array([T, B, D * H], np.int64), shape))
        layer_in = "Y_out" if layer == case.layers - 1 else f"{y}_r"
        nodes.append(helper.make_node("Reshape", [f"{y}_t", shape], [layer_in]))
    graph_inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT,
                                                  [T, B, case.input_size])]
    if data.lengths is not None:
        graph_inputs.append(helper.make_tensor_value_info("sequence_lens", TensorProto.INT32, [B]))
    graph = helper.make_graph(
        nodes, "bench", graph_inputs,
        [helper.make_tensor_value_info("Y_out", TensorProto.FLOAT, [T, B, D * H])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], ir_version=8)
