"""examples/cpp, built against the installed C++ library, prints what Python computes.

.ci/run builds the example against the installed package and names the program in the
LSTMCORE_EXAMPLE environment variable; without it this test is skipped (building the C++ library
here would take minutes).
"""

import os
import pathlib
import subprocess

import numpy as np
import pytest

import lstmcore as lc
from lstmcore import weights_file

EXAMPLE = os.environ.get("LSTMCORE_EXAMPLE")

pytestmark = pytest.mark.skipif(
    not EXAMPLE, reason="LSTMCORE_EXAMPLE (the built examples/cpp program) is not set"
)

CASES = {
    "lstm_peephole_proj": lc.RNNSpec("lstm", 3, 5, num_layers=2, proj_size=2, peephole=True),
    "gru_stacked": lc.RNNSpec("gru", 3, 4, num_layers=2, linear_before_reset=False),
    "rnn_relu": lc.RNNSpec("rnn", 3, 4, nonlinearity="relu"),
    "lstm_bidirectional": lc.RNNSpec("lstm", 3, 4, bidirectional=True),
}


def _run_example(*args) -> subprocess.CompletedProcess:
    return subprocess.run([EXAMPLE, *map(str, args)], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", list(CASES))
def test_example_output_matches_python(tmp_path: pathlib.Path, name):
    spec = CASES[name]
    params = lc.init_params(spec, dtype=np.float32, seed=5)
    weights_file.save(tmp_path / "model.lcw", spec, params)
    x = np.random.default_rng(1).uniform(-1, 1, size=(7, 1, spec.input_size)).astype(np.float32)
    np.savetxt(tmp_path / "input.txt", x[:, 0, :], fmt="%.9g")

    done = _run_example(tmp_path / "model.lcw", tmp_path / "input.txt")
    assert done.returncode == 0, done.stderr
    printed = np.array([[float(v) for v in row.split()] for row in done.stdout.splitlines()])

    y, _, _ = lc.reference.forward(spec, params, x)
    assert printed.shape == (7, spec.num_directions * spec.output_size)
    np.testing.assert_allclose(printed, y[:, 0, :], rtol=0, atol=2e-6)


def test_example_reports_a_bad_file(tmp_path: pathlib.Path):
    (tmp_path / "bad.lcw").write_bytes(b"PK\x03\x04 not a model")
    done = _run_example(tmp_path / "bad.lcw")
    assert done.returncode == 1
    assert "not an lstmcore weights file" in done.stderr
