"""Writes the weights files under tests/cpp/data that the C++ tests read.

Every parameter value follows a formula the C++ test recomputes exactly (see ``fixture_value``),
so the test checks every number without Python. tests/test_weights_file.py checks that the
committed files still equal what this script writes. Run: python tests/cpp/data/make_fixtures.py
"""

from __future__ import annotations

import pathlib
from typing import Dict, Tuple

import numpy as np

from lstmcore import RNNSpec
from lstmcore.weights_file import to_bytes

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


def main() -> None:
    for name in FIXTURES:
        (HERE / name).write_bytes(fixture_bytes(name))
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
