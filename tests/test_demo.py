"""``lstmcore demo --quick``: it runs, and its CSV, PNG and text outputs exist and parse."""

import csv
import importlib
import io
import os
import subprocess
import sys

import numpy as np
import pytest

import lstmcore as lc
from lstmcore.__main__ import main
from lstmcore.demo import plots, textplots
from lstmcore.demo.progress import ProgressBar

MODEL_NAMES = ["RNN (tanh)", "LSTM", "GRU", "peephole LSTM", "coupled LSTM"]


def _usable_backend():
    """'cpp' once the compiled core runs the functional path, else the NumPy reference."""
    try:
        functional = importlib.import_module("lstmcore.functional")
        spec = lc.RNNSpec("rnn", 1, 1)
        functional.forward(spec, lc.init_params(spec, seed=0), np.zeros((1, 1, 1), np.float32))
        return "cpp"
    except Exception:  # noqa: BLE001 - not built yet
        return "reference"


BACKEND = os.environ.get("LSTMCORE_DEMO_BACKEND") or _usable_backend()


def _read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    buf = io.StringIO()
    from lstmcore.demo.cli import configure, run
    import argparse

    args = configure(argparse.ArgumentParser()).parse_args(
        ["--quick", "--out", str(out), "--backend", BACKEND])
    assert run(args, stream=buf) == 0
    return out, buf.getvalue()


def test_quick_demo_prints_progress_and_table(quick_run):
    _, text = quick_run
    for name in MODEL_NAMES:
        assert f"{name}" in text
    assert "final MSE" in text and "0.167" in text
    assert "Gradient reaching back" in text
    assert "30/30" in text  # every progress bar reached the end


def test_quick_demo_csvs_parse(quick_run):
    out, _ = quick_run
    results = _read_csv(out / "results.csv")
    assert [r["model"] for r in results] == MODEL_NAMES
    for r in results:
        assert 0.0 <= float(r["final_mse"]) < 10.0
        assert float(r["baseline_mse"]) == pytest.approx(1 / 6, rel=1e-4)
        assert float(r["seconds"]) >= 0 and int(r["parameters"]) > 0
    curves = _read_csv(out / "learning_curves.csv")
    lstm = [float(r["heldout_mse"]) for r in curves if r["model"] == "LSTM"]
    assert len(lstm) == 4  # before training and every 10 of 30 iterations
    flow = _read_csv(out / "gradient_flow.csv")
    rnn = [r for r in flow if r["model"] == "RNN (tanh)"]
    assert [int(r["distance_from_loss"]) for r in rnn] == list(range(12))
    assert all(float(r["grad_h_norm_trained"]) > 0 for r in rnn)
    assert rnn[0]["grad_c_norm_init"] == ""  # an RNN has no cell
    assert all(float(r["grad_c_norm_init"]) > 0 for r in flow if r["model"] == "LSTM")
    gates = _read_csv(out / "lstm_gates.csv")
    assert len(gates) == 12 * 8  # steps x hidden units
    assert sum(int(r["marked"]) for r in gates) == 2 * 8
    assert all(0.0 <= float(r["forget_gate"]) <= 1.0 for r in gates)


def test_quick_demo_pngs_are_images(quick_run):
    out, _ = quick_run
    image = pytest.importorskip("matplotlib.image")
    for name in ("learning_curves.png", "gradient_flow.png", "lstm_gates.png"):
        img = image.imread(out / name)
        assert img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 300
        assert img.std() > 0.01  # something was drawn


def test_text_fallback_without_matplotlib(tmp_path, monkeypatch):
    monkeypatch.setattr(plots, "have_matplotlib", lambda: False)
    buf = io.StringIO()
    from lstmcore.demo.cli import configure, run
    import argparse

    args = configure(argparse.ArgumentParser()).parse_args(
        ["--quick", "--out", str(tmp_path), "--backend", BACKEND, "--models", "rnn,lstm",
         "--iters", "5"])
    assert run(args, stream=buf) == 0
    assert "matplotlib is not installed" in buf.getvalue()
    assert not list(tmp_path.glob("*.png"))
    curves = (tmp_path / "learning_curves.txt").read_text(encoding="utf-8")
    assert "held-out MSE" in curves and "L = LSTM" in curves and "log scale" in curves
    flow = (tmp_path / "gradient_flow.txt").read_text(encoding="utf-8")
    assert "after training" in flow and "R = RNN (tanh)" in flow
    gates = (tmp_path / "lstm_gates.txt").read_text(encoding="utf-8")
    assert gates.count("forget u") == 8 and "^" in gates


def test_line_chart_places_points():
    chart = textplots.line_chart([("up", "U", np.array([0, 1]), np.array([1.0, 100.0]))],
                                 title="t", xlabel="x", ylabel="y", logy=True, width=10,
                                 height=5)
    rows = [r.split("|", 1)[1] for r in chart.splitlines() if "|" in r]
    assert rows[0].endswith("U") and rows[-1].startswith("U")
    assert "U" in rows[2]  # the log-midpoint (10) is drawn halfway up


def test_shade_map_ends():
    assert textplots.shade_map(np.array([[0.0, 1.0, 2.0]]), 0.0, 1.0) == [" @@"]


def test_progress_bar_writes_quarters_to_a_file():
    buf = io.StringIO()
    bar = ProgressBar("model", 8, width=8, stream=buf)
    for k in range(1, 9):
        bar.update(k, "loss 1")
    bar.close("done")
    lines = buf.getvalue().splitlines()
    assert len(lines) == 4
    assert lines[-1].startswith("model") and "[########] 8/8" in lines[-1]


def test_bad_arguments_exit_with_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--models", "lstm,transformer"])
    assert exc.value.code == 2
    assert "transformer" in capsys.readouterr().err


def test_console_entry_point_runs(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "lstmcore", "demo", "--quick", "--models", "gru", "--iters", "3",
         "--text", "--out", str(tmp_path), "--backend", BACKEND],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "GRU" in proc.stdout and (tmp_path / "results.csv").exists()
    assert not (tmp_path / "lstm_gates.csv").exists()  # no LSTM ran


def test_char_lm_example_quick(tmp_path):
    script = os.path.join(os.path.dirname(__file__), "..", "examples", "char_lm",
                          "train_char_lm.py")
    proc = subprocess.run([sys.executable, script, "--quick", "--backend", BACKEND],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "bits/char" in proc.stdout and "sample: The " in proc.stdout


def test_readme_trace_through_exercise():
    # The README's snippet: f = 0.9, i = 0.3, C_prev = [1, 2, 3], C~ = 0.5 through lc.LSTMCell.
    H = 3
    cell = lc.LSTMCell(1, H, dtype=np.float64)
    for p in cell.params.values():
        p[...] = 0.0
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    b = cell.params["bias_ih"]
    b[0:H], b[H:2 * H], b[2 * H:3 * H], b[3 * H:] = logit(0.3), logit(0.9), np.arctanh(0.5), 0.0
    h, c = cell(np.zeros(1), (np.zeros(H), np.array([1.0, 2.0, 3.0])))
    np.testing.assert_allclose(c, 0.9 * np.array([1.0, 2.0, 3.0]) + 0.3 * 0.5, rtol=1e-12)
    np.testing.assert_allclose(h, 0.5 * np.tanh(c), rtol=1e-12)
