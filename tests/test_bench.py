"""The benchmark's smoke test: ``lstmcore bench --quick`` runs every case kind with every
installed peer, the peers agree on the outputs, and the report has its table and targets; the
ceilings' arithmetic and the peephole/coupled overhead timed against a plain LSTM in the same
rounds."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from lstmcore.bench import main
from lstmcore.bench.cases import KINDS, Case, CaseData, full_suite, quick_suite
from lstmcore.bench.peer_torch import TorchPeer
from lstmcore.bench.peers import LstmcorePeer, NumpyPeer
from lstmcore.bench.report import check_targets, markdown
from lstmcore.bench.runner import PLAIN, Result, run_cases


def test_quick_benchmark_writes_a_markdown_report(tmp_path, capsys):
    out = tmp_path / "bench.md"
    assert main(["--quick", "--output", str(out), "--budget", "0"]) == 0
    text = out.read_text()
    assert text.strip() == capsys.readouterr().out.strip()
    rows = [line for line in text.splitlines()
            if line.startswith("| ") and (" | inference | " in line or " | training | " in line)]
    labels = {c.label for c in quick_suite()}
    assert {row.split(" | ")[0][2:] for row in rows} == labels
    assert len(rows) == 2 * len(labels)  # inference and training
    summary = text.split("### Summary, 1 thread")[1].split("###")[0]
    assert all(label in summary for label in labels)
    assert "DISAGREE" not in text
    assert "### Targets" in text
    # The plain-LSTM columns are filled for peephole/coupled rows only.
    head = next(line for line in text.splitlines() if line.startswith("| case | mode"))
    assert head.endswith("| lstmcore plain LSTM | variant / plain LSTM |")
    for row in rows:
        filled = row.split(" | ")[-1] != "- |"
        assert filled == ("peephole" in row or "coupled" in row), row


def test_peers_compute_the_same_outputs():
    """The agreement check is live: a peer fed different weights would be reported."""
    pytest.importorskip("torch")
    for case in quick_suite():
        data = CaseData.make(case)
        ours = LstmcorePeer().build(data, False, 1)()
        theirs = TorchPeer().build(data, False, 1)()
        np.testing.assert_allclose(theirs, ours, rtol=1e-4, atol=1e-5, err_msg=case.label)
        data.params = {k: v * 1.01 for k, v in data.params.items()}
        assert not np.allclose(TorchPeer().build(data, False, 1)(), ours, rtol=1e-4, atol=1e-5)


def test_full_suite_has_the_issue_cases():
    cases = full_suite()
    assert {c.kind for c in cases} == set(KINDS)
    assert all(c.steps == 100 for c in cases)
    lstm = sorted((c.batch, c.hidden) for c in cases if c.kind == "lstm")
    assert lstm == [(1, 128), (16, 256), (64, 512), (128, 1024)]
    ragged = next(c for c in cases if c.kind == "ragged")
    lengths = ragged.lengths()
    assert lengths.min() >= 25 and lengths.max() <= 100
    assert ragged.valid_steps() == lengths.sum()
    # 2 flops per multiply-add, 4 gate blocks, I = H, training 3x.
    lstm16 = next(c for c in cases if c.kind == "lstm" and c.batch == 16)
    assert lstm16.flops(False) == 2 * 100 * 16 * 4 * 256 * 512
    assert lstm16.flops(True) == 3 * lstm16.flops(False)


def test_command_line_subset_and_bad_options():
    run = [sys.executable, "-m", "lstmcore", "bench", "--quick", "--only", "gru",
           "--peers", "numpy", "--mode", "inference", "--no-sgemm"]
    out = subprocess.run(run, capture_output=True, text=True, timeout=120, check=True).stdout
    rows = [line for line in out.splitlines() if line.startswith("| GRU") and "inference" in line]
    assert len(rows) == 1 and "| training |" not in out
    for option, value in (("--only", "lstm,xyz"), ("--threads", "0"), ("--repeats", "-1"),
                          ("--budget", "nan"), ("--peers", "keras")):
        with pytest.raises(SystemExit) as exit_info:
            main([option, value])
        assert exit_info.value.code == 2


def _result(case, times, training=False, threads=1):
    return Result(case, training, threads, times, {n: 5 for n in times}, {}, {})


def test_ceiling_is_the_peer_time_over_the_products_at_the_sgemm_rate():
    case = Case("lstm", 16, 256)  # 2 * 100 * 16 * 4 * 256 * 512 flops forward
    r = _result(case, {"lstmcore": 0.02, "torch": 0.03})
    least = 2 * 100 * 16 * 4 * 256 * 512 / 100e9  # at 100 GFLOP/s
    assert r.ceiling("torch", 100.0) == pytest.approx(0.03 / least)
    train = _result(case, {"lstmcore": 0.06, "torch": 0.09}, training=True)
    assert train.ceiling("torch", 100.0) == pytest.approx(0.09 / (3 * least))
    assert r.ceiling("torch", None) is None and r.ceiling("torch", 0.0) is None
    assert r.ceiling("onnx", 100.0) is None


def test_target_lines_state_the_ceiling_where_the_worst_ratio_is():
    # At 100 GFLOP/s, B=16: 0.5x vs PyTorch, ceiling 0.02 / 0.0168 = 1.19x; B=1: 1.5x,
    # ceiling 0.0003 / 0.000262 = 1.14x.
    results = [_result(Case("lstm", 16, 256), {"lstmcore": 0.04, "torch": 0.02}),
               _result(Case("lstm", 1, 128), {"lstmcore": 0.0002, "torch": 0.0003})]
    line = check_targets(results, {1: 100.0})[0]
    assert line.startswith("Inference B=1/16 vs PyTorch - worst LSTM B=16 H=256 1t: 0.50x")
    assert "target 1.5x, short by 67%; ceiling 1.19x: unreachable here" in line
    assert "ceiling below target at 1 more case(s), lowest 1.14x at LSTM B=1 H=128 1t" in line
    # A rate that puts the ceiling above the target: reachable, and no other case below it.
    line = check_targets(results, {1: 1000.0})[0]
    assert "ceiling 11.9x)" in line and "unreachable" not in line
    # Without an sgemm rate there is no ceiling, in the targets or the table.
    assert all("ceiling" not in t for t in check_targets(results, {}))
    peers = [LstmcorePeer(), TorchPeer()]
    assert "ceiling vs PyTorch" not in markdown(results, peers, {})
    table = markdown(results, peers, {1: 100.0})
    assert "| vs PyTorch | ceiling vs PyTorch |" in table
    assert "| 0.50x | 1.19x |" in table


def test_peephole_target_uses_the_plain_lstm_of_the_same_rounds():
    plain = _result(Case("lstm", 64, 512), {"lstmcore": 0.100})  # timed at a quieter moment
    peephole = _result(Case("peephole", 64, 512, peephole=True),
                       {"lstmcore": 0.121, PLAIN: 0.120})
    assert peephole.plain_ratio() == pytest.approx(0.121 / 0.120)
    assert plain.plain_ratio() is None
    line = check_targets([plain, peephole])[-1]
    assert line == ("Peephole/coupled time over lstmcore's plain LSTM, timed in the same rounds"
                    " - worst LSTM peephole B=64 H=512 1t: +1% (target within +15%, met)")
    peephole.times[PLAIN] = 0.100
    assert check_targets([plain, peephole])[-1].endswith(": +21% (target within +15%, not met)")
    del peephole.times[PLAIN]
    assert check_targets([plain, peephole])[-1].endswith("same rounds: not measured")


def test_plain_lstm_runs_in_the_rounds_of_peephole_and_coupled_cases_only():
    peephole = next(c for c in quick_suite() if c.kind == "peephole")
    lstm = next(c for c in quick_suite() if c.kind == "lstm")
    assert peephole.plain_twin() == Case("lstm", 2, 16, steps=6)
    assert lstm.plain_twin() is None
    peers = [LstmcorePeer(), NumpyPeer()]
    with_plain, without = run_cases([peephole, lstm], peers, [1], [False], min_repeats=2,
                                    max_repeats=2, budget=0.0)
    assert with_plain.repeats == {"lstmcore": 2, "numpy": 2, PLAIN: 2}
    assert set(with_plain.agreement) == {"numpy"}  # the plain LSTM computes other outputs
    assert with_plain.plain_ratio() > 0
    assert set(without.times) == {"lstmcore", "numpy"}
    # The plain LSTM has its own columns, not a "vs" column nor an agreement figure.
    text = markdown([with_plain, without], peers, {})
    head = next(line for line in text.splitlines() if line.startswith("| case | mode"))
    assert [c for c in head.split(" | ") if c.startswith("vs ")] == ["vs NumPy loop"]
    assert "lstmcore plain LSTM" in head
    assert "lstmcore plain LSTM" not in markdown([without], peers, {})


def test_settle_waits_until_other_threads_stop_spinning():
    """A thread busy for 0.3 s after the call: settle() returns only once it has stopped (the
    pause that keeps one peer's spinning pool from slowing the next peer's turn)."""
    import threading
    import time

    from lstmcore.bench import runner

    if runner._other_threads_cpu_ns() is None:
        pytest.skip("no per-thread CPU times on this OS")
    spin_for = 0.3

    def spin():
        end = time.perf_counter() + spin_for
        while time.perf_counter() < end:
            pass

    worker = threading.Thread(target=spin)
    t0 = time.perf_counter()
    worker.start()
    runner.settle()
    waited = time.perf_counter() - t0
    worker.join()
    assert spin_for - 0.05 <= waited <= runner.SETTLE_MAX_SECONDS + 0.5
