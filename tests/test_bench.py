"""The benchmark's smoke test: ``lstmcore bench --quick`` runs every case kind with every
installed peer, the peers agree on the outputs, and the report has its table and targets."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from lstmcore.bench import main
from lstmcore.bench.cases import KINDS, CaseData, full_suite, quick_suite


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


def test_peers_compute_the_same_outputs():
    """The agreement check is live: a peer fed different weights would be reported."""
    pytest.importorskip("torch")
    from lstmcore.bench.peers import LstmcorePeer
    from lstmcore.bench.peer_torch import TorchPeer

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
