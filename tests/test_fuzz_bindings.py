"""Property-based fuzz of the bindings (hypothesis): random specs, shapes, dtypes, memory layouts
(Fortran order, negative and non-unit strides, strides that are no multiple of the item size,
unaligned data, broadcast views) and flags.

- Any layout gives bit for bit the result of the same values in C order, forward and backward.
- The core agrees with the pure-NumPy reference.
- One corrupted argument always raises TypeError or ValueError, the same in both front ends.

Bounded: ``LSTMCORE_FUZZ_EXAMPLES`` examples per property (default 60), a deadline per example,
derandomized so that CI runs are reproducible.
"""

from __future__ import annotations

import os
from datetime import timedelta

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import lstmcore as lc  # noqa: E402
from lstmcore import functional, reference  # noqa: E402

EXAMPLES = int(os.environ.get("LSTMCORE_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=20),
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TOL = {np.dtype(np.float32): 2e-4, np.dtype(np.float64): 1e-9}
LAYOUTS = ("c", "fortran", "reversed", "strided", "transposed", "unaligned", "padded-items")


@st.composite
def specs(draw):
    mode = draw(st.sampled_from(["rnn", "lstm", "gru"]))
    hidden = draw(st.integers(1, 6))
    options = {}
    if mode == "lstm":
        options["peephole"] = draw(st.booleans())
        options["coupled"] = draw(st.booleans())
        if hidden > 1 and draw(st.booleans()):
            options["proj_size"] = draw(st.integers(1, hidden - 1))
    elif mode == "gru":
        options["linear_before_reset"] = draw(st.booleans())
    else:
        options["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
    return lc.RNNSpec(
        mode, draw(st.integers(1, 4)), hidden, num_layers=draw(st.integers(1, 2)),
        bias=draw(st.booleans()), batch_first=draw(st.booleans()),
        bidirectional=draw(st.booleans()), dropout=draw(st.sampled_from([0.0, 0.4])), **options,
    )


def relayout(a: np.ndarray, kind: str) -> np.ndarray:
    """The values of ``a`` in the memory layout ``kind`` (a view where the layout needs one)."""
    a = np.asarray(a)
    if a.ndim == 0 or kind == "c":
        return a
    if kind == "fortran":
        return np.asfortranarray(a)
    flip = (slice(None, None, -1),) * a.ndim
    if kind == "reversed":
        return np.ascontiguousarray(a[flip])[flip]
    if kind == "strided":
        big = np.zeros(tuple(2 * s + 1 for s in a.shape), a.dtype)
        view = big[(slice(1, None, 2),) * a.ndim]
        view[...] = a
        return view
    if kind == "transposed":
        order = tuple(reversed(range(a.ndim)))
        return np.ascontiguousarray(a.transpose(order)).transpose(order)
    if kind == "unaligned":
        buf = np.zeros(a.nbytes + 1, np.uint8)
        view = buf[1:].view(a.dtype).reshape(a.shape)
        view[...] = a
        return view
    if kind == "padded-items":  # strides of item size + 1 byte
        rec = np.zeros(a.shape, dtype=[("v", a.dtype), ("pad", np.uint8)])
        rec["v"] = a
        return rec["v"]
    raise AssertionError(kind)


@st.composite
def problems(draw, training=None):
    spec = draw(specs())
    dtype = np.dtype(draw(st.sampled_from([np.float32, np.float64])))
    T, B = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    unbatched = draw(st.booleans()) and draw(st.booleans())
    seed = draw(st.integers(0, 2**32))
    rng = np.random.default_rng(seed)
    if unbatched:
        x = rng.standard_normal((T, spec.input_size))
    elif spec.batch_first:
        x = rng.standard_normal((B, T, spec.input_size))
    else:
        x = rng.standard_normal((T, B, spec.input_size))
    if draw(st.booleans()) and x.ndim == 3:  # a broadcast view: one sequence for every row
        axis = 0 if spec.batch_first else 1
        x = np.broadcast_to(np.take(x, [0], axis=axis), x.shape)
    state = None
    if draw(st.booleans()):
        shapes = spec.state_shapes(None if unbatched else B)
        arrays = [rng.standard_normal(s) for s in shapes]
        if spec.has_cell_state and draw(st.booleans()):
            arrays[draw(st.integers(0, 1))] = None  # half a state: zeros
        state = tuple(arrays) if spec.has_cell_state else arrays[0]
    lengths = None
    if not unbatched and draw(st.booleans()):
        lengths = rng.integers(0, T + 1, size=B)
        lengths = lengths.astype(draw(st.sampled_from([np.int64, np.int32, np.uint8, np.float64])))
    params = lc.init_params(spec, dtype, seed=seed % 1000)
    return {
        "spec": spec,
        "params": params,
        "x": x.astype(dtype),
        "state": state,
        "lengths": lengths,
        "training": draw(st.booleans()) if training is None else training,
        "seed": draw(st.integers(0, 2**64 - 1)),
        "layouts": draw(st.lists(st.sampled_from(LAYOUTS), min_size=4, max_size=4)),
    }


def _state_map(state, fn):
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(None if s is None else fn(s) for s in state)
    return fn(state)


def _call(front_end, p, x_layout="c", param_layout="c", state_layout="c"):
    params = {k: relayout(v, param_layout) for k, v in p["params"].items()}
    x = p["x"] if p["x"].strides and 0 in p["x"].strides else relayout(p["x"], x_layout)
    state = _state_map(p["state"], lambda s: relayout(s.astype(p["x"].dtype), state_layout))
    return front_end.forward(p["spec"], params, x, state=state, lengths=p["lengths"],
                             training=p["training"], seed=p["seed"])


def _flat(y, state):
    return [y] + [s for s in (state if isinstance(state, tuple) else (state,))]


def _assert_bitwise(a, b):
    for u, v in zip(a, b):
        assert u.dtype == v.dtype and u.shape == v.shape
        assert np.array_equal(u, v), np.max(np.abs(u - v))


@FUZZ
@given(p=problems())
def test_forward_is_layout_invariant_and_matches_the_reference(p):
    y0, s0, _ = _call(functional, p)
    y1, s1, _ = _call(functional, p, *p["layouts"][:3])
    _assert_bitwise(_flat(y0, s0), _flat(y1, s1))
    y2, s2, _ = _call(reference, p)
    tol = TOL[y0.dtype]
    for u, v in zip(_flat(y0, s0), _flat(y2, s2)):
        np.testing.assert_allclose(u, v, rtol=tol, atol=tol)


@FUZZ
@given(p=problems(training=True), data=st.data())
def test_backward_is_layout_invariant_and_matches_the_reference(p, data):
    y, state, tape = _call(functional, p)
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    dy = rng.standard_normal(y.shape).astype(y.dtype)
    dstate = None
    if data.draw(st.booleans()):
        dstate = _state_map(state, lambda s: rng.standard_normal(s.shape).astype(s.dtype))
        if isinstance(dstate, tuple) and data.draw(st.booleans()):
            dstate = (None, dstate[1])
    kind = p["layouts"][3]
    params = {k: relayout(v, kind) for k, v in p["params"].items()}
    dx0, d0, g0 = functional.backward(p["spec"], p["params"], tape, dy, dstate)
    dx1, d1, g1 = functional.backward(p["spec"], params, tape, relayout(dy, kind),
                                      _state_map(dstate, lambda s: relayout(s, kind)))
    _assert_bitwise(_flat(dx0, d0) + [g0[k] for k in g0], _flat(dx1, d1) + [g1[k] for k in g0])
    _, _, ref_tape = _call(reference, p)
    dx2, d2, g2 = reference.backward(p["spec"], p["params"], ref_tape, dy, dstate)
    tol = 10 * TOL[dx0.dtype]
    for u, v in zip(_flat(dx0, d0) + [g0[k] for k in g0], _flat(dx2, d2) + [g2[k] for k in g0]):
        np.testing.assert_allclose(u, v, rtol=tol, atol=tol)


def _corrupt(p, how, rng):
    """``p`` with one argument made invalid."""
    p = dict(p)
    spec, x = p["spec"], p["x"]
    batched = x.ndim == 3
    B = x.shape[0 if spec.batch_first else 1] if batched else 1
    T = x.shape[1 if spec.batch_first else 0] if batched else x.shape[0]
    if how == "x-dtype":
        p["x"] = x.astype(rng.choice([np.complex64, np.float16, object, "U3", "datetime64[s]"]))
    elif how == "x-rank":
        p["x"] = x[..., None] if rng.random() < 0.5 else x.reshape(-1)
    elif how == "x-features":
        p["x"] = np.concatenate([x, x[..., :1]], axis=-1)
    elif how == "x-empty":
        p["x"] = x[:0]
    elif how == "lengths-range" and batched:
        p["lengths"] = np.full(B, rng.choice([-1, T + 1]))
    elif how == "lengths-count" and batched:
        p["lengths"] = np.ones(B + 1, np.int64)
    elif how == "lengths-fraction" and batched:
        p["lengths"] = np.full(B, 0.5)
    elif how == "lengths-unbatched" and not batched:
        p["lengths"] = np.ones(1, np.int64)
    elif how == "state-shape":
        shapes = spec.state_shapes(B if batched else None)
        h = np.zeros((shapes[0][0] + 1,) + shapes[0][1:])
        p["state"] = (h, np.zeros(shapes[1])) if spec.has_cell_state else h
    elif how == "state-structure":
        shapes = spec.state_shapes(B if batched else None)
        h = np.zeros(shapes[0])
        p["state"] = h if spec.has_cell_state else (h, h)
    elif how == "params-missing":
        p["params"] = dict(list(p["params"].items())[1:])
    elif how == "params-extra":
        p["params"] = {**p["params"], "weight_xx_l0": np.zeros(1)}
    elif how == "params-shape":
        name = rng.choice(sorted(p["params"]))
        v = p["params"][name]
        p["params"] = {**p["params"], name: np.concatenate([v, v[:1]])}
    elif how == "params-dtype":
        name = rng.choice(sorted(p["params"]))
        p["params"] = {**p["params"], name: p["params"][name].astype(np.complex128)}
    elif how == "training":
        p["training"] = 1
    else:
        return None
    return p


CORRUPTIONS = ["x-dtype", "x-rank", "x-features", "x-empty", "lengths-range", "lengths-count",
               "lengths-fraction", "lengths-unbatched", "state-shape", "state-structure",
               "params-missing", "params-extra", "params-shape", "params-dtype", "training"]


@FUZZ
@given(p=problems(), how=st.sampled_from(CORRUPTIONS), salt=st.integers(0, 2**16))
def test_one_corrupted_argument_raises_a_named_error(p, how, salt):
    bad = _corrupt(p, how, np.random.default_rng(salt))
    assume(bad is not None)  # that corruption may not apply to this problem's shape
    errors = []
    for fe in (functional, reference):
        with pytest.raises((TypeError, ValueError)) as info:
            fe.forward(bad["spec"], bad["params"], bad["x"], state=bad["state"],
                       lengths=bad["lengths"], training=bad["training"], seed=bad["seed"])
        errors.append(info.value)
    assert type(errors[0]) is type(errors[1])
    assert str(errors[0]) == str(errors[1])


# -- the weights file reader ---------------------------------------------------------------------

weights_file = pytest.importorskip("lstmcore.weights_file")

EXTREMES = [0, 1, 2, 3, 7, 8, 255, 256, 2**16, 2**31 - 1, 2**31, 2**32 - 1, 2**63, 2**64 - 1]


def _fix_crc(data: bytearray) -> None:
    import zlib

    data[-4:] = (zlib.crc32(bytes(data[:-4])) & 0xFFFFFFFF).to_bytes(4, "little")


@FUZZ
@given(spec=specs(), dtype=st.sampled_from([np.float32, np.float64]), data=st.data())
def test_weights_file_reader_rejects_damaged_files_cleanly(spec, dtype, data):
    """Damaged or forged files (random bytes, extreme sizes and counts, with or without a valid
    checksum) raise ValueError naming the problem; anything accepted is a consistent model."""
    good = bytearray(weights_file.to_bytes(spec, lc.init_params(spec, dtype, seed=0)))
    bad = bytearray(good)
    for _ in range(data.draw(st.integers(1, 3))):
        action = data.draw(st.sampled_from(["byte", "u32", "u64", "truncate", "extend"]))
        if action == "truncate":
            del bad[data.draw(st.integers(0, max(len(bad) - 1, 0))):]
        elif action == "extend":
            bad += bytes(data.draw(st.integers(1, 16)))
        elif len(bad) >= 8:
            width = {"byte": 1, "u32": 4, "u64": 8}[action]
            at = data.draw(st.integers(0, len(bad) - width))
            value = data.draw(st.integers(0, 255) if width == 1 else st.sampled_from(EXTREMES))
            bad[at:at + width] = (value % 2 ** (8 * width)).to_bytes(width, "little")
    if len(bad) >= 28 and data.draw(st.booleans()):
        _fix_crc(bad)  # get past the checksum to the structural checks
    try:
        got_spec, params = weights_file.from_bytes(bytes(bad))
    except ValueError as exc:
        assert "lstmcore weights file" in str(exc)
        return
    assert got_spec.param_shapes() == {k: v.shape for k, v in params.items()}
    lc.functional.forward(got_spec, params, np.zeros((2, 1, got_spec.input_size)))
