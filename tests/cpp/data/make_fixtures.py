"""Writes the weights files under tests/cpp/data that the C++ tests read.

Every parameter value of FIXTURES follows a formula the C++ test recomputes exactly (see
``fixture_value``), so the test checks every number without Python; REFERENCE_CASES hold seeded
weights with an input and lstmcore.reference's outputs. tests/test_weights_file.py checks that the
committed files still agree with what this script writes. Run: python tests/cpp/data/make_fixtures.py
"""

from __future__ import annotations

import pathlib
from typing import Dict, Tuple

import numpy as np

from lstmcore import RNNSpec, init_params
from lstmcore.weights_file import save, to_bytes

HERE = pathlib.Path(__file__).resolve().parent

# name -> (spec, dtype); tests/cpp/test_weights_fixtures.cpp lists the same specs.
FIXTURES: Dict[str, Tuple[RNNSpec, np.dtype]] = {
    "lstm_proj_peephole_bidir_f32.lcw": (
        RNNSpec("lstm", 3, 4, num_layers=2, bidirectional=True, proj_size=2, peephole=True,
                batch_first=True, dropout=0.25),
        np.dtype(np.float32),
    ),
    "lstm_coupled_peephole_f64.lcw": (
        RNNSpec("lstm", 2, 3, coupled=True, peephole=True),
        np.dtype(np.float64),
    ),
    "gru_cho_nobias_f64.lcw": (
        RNNSpec("gru", 2, 3, num_layers=2, bias=False, linear_before_reset=False),
        np.dtype(np.float64),
    ),
    "rnn_relu_f32.lcw": (
        RNNSpec("rnn", 5, 2, nonlinearity="relu"),
        np.dtype(np.float32),
    ),
}


def fixture_value(param_index: int, element: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """(-1)^j ((k+1) + j/1024 [+ 2^-40 for float64]): exact in the dtype, recomputable in C++."""
    magnitude = (param_index + 1) + element / 1024.0
    if dtype == np.float64:
        magnitude = magnitude + 2.0**-40  # not representable in float32: proves 8-byte reads
    sign = np.where(element % 2 == 0, 1.0, -1.0)
    return (sign * magnitude).astype(dtype)


def fixture_params(spec: RNNSpec, dtype: np.dtype) -> Dict[str, np.ndarray]:
    """The parameters of a fixture, in canonical order."""
    out = {}
    for k, (name, shape) in enumerate(spec.param_shapes().items()):
        j = np.arange(int(np.prod(shape)), dtype=np.int64)
        out[name] = fixture_value(k, j, dtype).reshape(shape)
    return out


def fixture_bytes(name: str) -> bytes:
    """The bytes the fixture file ``name`` must hold."""
    spec, dtype = FIXTURES[name]
    return to_bytes(spec, fixture_params(spec, dtype), dtype=dtype)


# Forward cases: seeded weights (.lcw), an input and the reference's outputs (.expected.txt).
# name -> (spec, dtype, steps, batch); tests/cpp/test_model.cpp runs them through Model/Stream.
REFERENCE_CASES: Dict[str, Tuple[RNNSpec, np.dtype, int, int]] = {
    "ref_lstm_proj_peephole_bidir_bf_f64": (
        RNNSpec("lstm", 3, 4, num_layers=2, bidirectional=True, proj_size=2, peephole=True,
                batch_first=True),
        np.dtype(np.float64), 5, 2,
    ),
    "ref_lstm_cifg_f32": (RNNSpec("lstm", 2, 3, coupled=True), np.dtype(np.float32), 6, 2),
    "ref_gru_cho_f32": (
        RNNSpec("gru", 2, 3, num_layers=2, linear_before_reset=False), np.dtype(np.float32), 6, 2,
    ),
    "ref_gru_f64": (RNNSpec("gru", 3, 2), np.dtype(np.float64), 4, 3),
    "ref_rnn_relu_f64": (RNNSpec("rnn", 2, 3, nonlinearity="relu", num_layers=2),
                         np.dtype(np.float64), 5, 1),
}


def reference_case(name: str):
    """(spec, params, x, {"y", "h_n"[, "c_n"]}) of a forward case, outputs from lc.reference."""
    from lstmcore import reference

    spec, dtype, steps, batch = REFERENCE_CASES[name]
    params = init_params(spec, dtype=dtype, seed=7)
    rng = np.random.default_rng(11)
    shape = (batch, steps, spec.input_size) if spec.batch_first else (steps, batch, spec.input_size)
    x = rng.uniform(-1.0, 1.0, size=shape).astype(dtype)
    y, state, _ = reference.forward(spec, params, x)
    outputs = {"y": y, "h_n": state[0] if spec.has_cell_state else state}
    if spec.has_cell_state:
        outputs["c_n"] = state[1]
    return spec, params, x, outputs


def write_arrays(path: pathlib.Path, arrays: Dict[str, np.ndarray]) -> None:
    """A text file of arrays: per array a line "name ndim dims...", then its values, C order."""
    lines = ["# lstmcore forward case: name ndim dims..., then the values in C order"]
    for name, arr in arrays.items():
        lines.append(" ".join([name, str(arr.ndim)] + [str(d) for d in arr.shape]))
        lines.append(" ".join(f"{v:.17g}" for v in np.asarray(arr, np.float64).ravel()))
    path.write_text("\n".join(lines) + "\n")


def read_arrays(path: pathlib.Path) -> Dict[str, np.ndarray]:
    """Inverse of write_arrays (float64 arrays)."""
    rows = [r for r in path.read_text().splitlines() if not r.startswith("#")]
    out = {}
    for head, values in zip(rows[0::2], rows[1::2]):
        name, ndim, *dims = head.split()
        assert int(ndim) == len(dims)
        out[name] = np.array([float(v) for v in values.split()]).reshape([int(d) for d in dims])
    return out


def main() -> None:
    for name in FIXTURES:
        (HERE / name).write_bytes(fixture_bytes(name))
        print("wrote", HERE / name)
    for name in REFERENCE_CASES:
        spec, params, x, outputs = reference_case(name)
        save(HERE / f"{name}.lcw", spec, params)
        write_arrays(HERE / f"{name}.expected.txt", {"x": x, **outputs})
        print("wrote", HERE / f"{name}.lcw", "and .expected.txt")


if __name__ == "__main__":
    main()
