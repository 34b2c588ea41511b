"""Property test: random configurations, shapes, lengths and dtypes, C++ core against reference."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lstmcore as lc
from _helpers import norm_err
from test_core_vs_reference import TOL, run_both


@st.composite
def problems(draw):
    mode = draw(st.sampled_from(["rnn", "lstm", "gru"]))
    hidden = draw(st.integers(1, 6))
    kw = {}
    if mode == "rnn":
        kw["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
    elif mode == "gru":
        kw["linear_before_reset"] = draw(st.booleans())
    else:
        kw["peephole"] = draw(st.booleans())
        kw["coupled"] = draw(st.booleans())
        if hidden > 1:
            kw["proj_size"] = draw(st.integers(0, hidden - 1))
    spec = lc.RNNSpec(
        mode=mode,
        input_size=draw(st.integers(1, 5)),
        hidden_size=hidden,
        num_layers=draw(st.integers(1, 3)),
        bias=draw(st.booleans()),
        batch_first=draw(st.booleans()),
        bidirectional=draw(st.booleans()),
        dropout=draw(st.sampled_from([0.0, 0.25, 0.6])),
        **kw,
    )
    T = draw(st.integers(1, 6))
    B = draw(st.integers(1, 5))
    lengths = None
    if draw(st.booleans()):
        lengths = np.array(draw(st.lists(st.integers(0, T), min_size=B, max_size=B)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    return spec, T, B, lengths, draw(st.booleans()), dtype, draw(st.integers(0, 2**16))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_core_matches_reference(problem):
    spec, T, B, lengths, with_state, dtype, seed = problem
    results = run_both(spec, dtype, lengths, with_state, seed=seed, T_=T, B_=B)
    for name, (core, ref) in results.items():
        assert norm_err(core, ref) <= TOL[np.dtype(dtype)], name
