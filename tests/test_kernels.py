"""CPU kernels through Python: every compiled ISA's GEMM and math against the portable oracle and
NumPy, the engine under each ISA against the reference, thread-count invariance, and the
threads/ISA settings (functions and environment variables)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import lstmcore as lc
from lstmcore import _core, functional, reference

ISAS = lc.available_isas()
ORDER = ("baseline", "avx2", "avx512")


def _env_cap() -> str:
    """The ISA the environment allows (LSTMCORE_MAX_ISA; unknown values are ignored)."""
    value = os.environ.get("LSTMCORE_MAX_ISA", "").lower()
    return value if value in ORDER else "avx512"


def _expected_isa(cap: str | None) -> str:
    """What get_isa() must say after set_max_isa(cap): the lowest of the caps and the machine."""
    limit = min(ORDER.index(_env_cap()), ORDER.index(cap) if cap else len(ORDER))
    return [isa for isa in ISAS if ORDER.index(isa) <= limit][-1]


@pytest.fixture
def restore_runtime():
    threads = lc.get_num_threads()
    yield
    lc.set_num_threads(threads)
    lc.set_max_isa(None)


# -- the settings --------------------------------------------------------------------------------


def test_available_isas_are_compiled_and_ordered():
    info = lc.build_info()
    assert ISAS[0] == "baseline"
    assert set(ISAS) <= set(info["isa_compiled"]) <= set(ORDER)
    assert ISAS == sorted(ISAS, key=ORDER.index)
    assert info["isa_active"] == lc.get_isa() == _expected_isa(None)


@pytest.mark.parametrize("cap", ORDER)
def test_set_max_isa_caps_the_choice(cap, restore_runtime):
    lc.set_max_isa(cap.upper() if cap == "avx2" else cap)  # case-insensitive
    assert lc.get_isa() == _expected_isa(cap)
    assert lc.build_info()["isa_active"] == lc.get_isa()
    lc.set_max_isa(None)
    assert lc.get_isa() == _expected_isa(None)


@pytest.mark.parametrize("bad, exc", [("sse2", ValueError), ("", ValueError), (2, TypeError),
                                      (b"avx2", TypeError)])
def test_set_max_isa_rejects_bad_names(bad, exc, restore_runtime):
    before = lc.get_isa()
    with pytest.raises(exc, match="name"):
        lc.set_max_isa(bad)
    assert lc.get_isa() == before


def test_set_num_threads_round_trips(restore_runtime):
    for n in (1, 3, 2):
        lc.set_num_threads(n)
        assert lc.get_num_threads() == n
    lc.set_num_threads(np.int64(2))
    assert lc.get_num_threads() == 2
    lc.set_num_threads(None)
    assert lc.get_num_threads() >= 1


@pytest.mark.parametrize("bad, exc", [(0, ValueError), (-1, ValueError), (5000, ValueError),
                                      (1.5, TypeError), (True, TypeError), ("2", TypeError)])
def test_set_num_threads_rejects_bad_counts(bad, exc, restore_runtime):
    lc.set_num_threads(2)
    with pytest.raises(exc, match="n: expected"):
        lc.set_num_threads(bad)
    assert lc.get_num_threads() == 2


def _run_python(code: str, **env) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("LSTMCORE_MAX_ISA", "LSTMCORE_NUM_THREADS")}
    full_env.update(env)
    return subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True,
                          text=True, timeout=120, check=True)


def test_environment_variables_set_the_defaults():
    code = "import lstmcore as lc; print(lc.get_isa(), lc.get_num_threads())"
    out = _run_python(code, LSTMCORE_MAX_ISA="baseline", LSTMCORE_NUM_THREADS="3")
    assert out.stdout.split() == ["baseline", "3"]
    # set_max_isa cannot lift the environment's cap.
    out = _run_python("import lstmcore as lc; lc.set_max_isa('avx512'); print(lc.get_isa())",
                      LSTMCORE_MAX_ISA="baseline")
    assert out.stdout.split() == ["baseline"]
    # set_num_threads(None) goes back to the environment's count.
    out = _run_python("import lstmcore as lc; lc.set_num_threads(1); lc.set_num_threads(None); "
                      "print(lc.get_num_threads())", LSTMCORE_NUM_THREADS="5")
    assert out.stdout.split() == ["5"]


def test_bad_environment_values_are_ignored_with_a_message():
    code = "import lstmcore as lc; print(lc.get_isa(), lc.get_num_threads())"
    out = _run_python(code, LSTMCORE_MAX_ISA="sse9", LSTMCORE_NUM_THREADS="lots")
    isa, threads = out.stdout.split()
    assert isa == ISAS[-1] and int(threads) >= 1
    assert "LSTMCORE_MAX_ISA=sse9" in out.stderr


# -- GEMM ----------------------------------------------------------------------------------------

# (m, n, k): single elements, one partial micro-tile, sizes across the tile and block edges
# (MR 4/6/12, NR 16..32, KC 256, NC 512/960), and a per-step-like product.
SHAPES = [(1, 1, 1), (1, 37, 5), (13, 1, 9), (5, 3, 300), (29, 67, 257), (70, 1000, 20),
          (32, 128, 64)]


def _operands(m, n, k, trans_a, trans_b, dtype, seed, pad=0):
    """op(A) m x k and op(B) k x n as row-major views with `pad` extra elements per row."""
    rng = np.random.default_rng(seed)

    def mat(rows, cols):
        full = rng.standard_normal((rows, cols + pad)).astype(dtype)
        return full[:, :cols]

    a = mat(k, m) if trans_a else mat(m, k)
    b = mat(n, k) if trans_b else mat(k, n)
    c = mat(m, n)
    return a, b, c


def _op(x, trans):
    return x.T if trans else x


def _gemm(a, b, c, ta, tb, alpha, beta, isa):
    out = c.copy() if c.base is None else c.base.copy()[:, :c.shape[1]]  # keep c's row stride
    _core._gemm(a, b, out, ta, tb, alpha, beta, isa)
    return out


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gemm_of_every_isa_matches_the_oracle_and_numpy(isa, dtype):
    eps = np.finfo(dtype).eps
    for i, (m, n, k) in enumerate(SHAPES):
        for ta in (False, True):
            for tb in (False, True):
                for alpha, beta in ((1.0, 0.0), (0.5, 1.0), (-1.5, 0.25)):
                    a, b, c = _operands(m, n, k, ta, tb, dtype, seed=i, pad=3 * (i % 2))
                    exact = (alpha * (_op(a, ta).astype(np.float64) @ _op(b, tb))
                             + beta * c.astype(np.float64))
                    bound = (abs(alpha) * (np.abs(_op(a, ta)).astype(np.float64)
                                           @ np.abs(_op(b, tb))) + abs(beta) * np.abs(c))
                    got = _gemm(a, b, c, ta, tb, alpha, beta, isa)
                    oracle = _gemm(a, b, c, ta, tb, alpha, beta, "plain")
                    case = f"{isa} {np.dtype(dtype).name} m,n,k={m},{n},{k} ta={ta} tb={tb}"
                    assert got.dtype == dtype, case
                    # Each element is a k-term sum: error <= ~k eps sum|a||b| in the worst case;
                    # 4 (k + 2) eps leaves room for the different summation orders.
                    tol = 4 * (k + 2) * eps * bound + np.finfo(dtype).tiny
                    assert np.all(np.abs(got - exact) <= tol), case
                    assert np.all(np.abs(oracle - exact) <= tol), case


@pytest.mark.parametrize("isa", ISAS + ["plain", None])
def test_gemm_beta_zero_overwrites_nan_and_degenerate_shapes(isa):
    a, b, _ = _operands(6, 9, 4, False, False, np.float32, seed=1)
    c = np.full((6, 9), np.nan, np.float32)
    _core._gemm(a, b, c, False, False, 1.0, 0.0, isa)
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-6)
    # k == 0: C = beta C; alpha == 0: the product is skipped.
    c = np.full((3, 4), 2.0, np.float64)
    _core._gemm(np.zeros((3, 0)), np.zeros((0, 4)), c, False, False, 1.0, 0.5, isa)
    assert np.all(c == 1.0)
    a, b, _ = _operands(3, 4, 5, False, False, np.float64, seed=2)
    _core._gemm(a, b, c, False, False, 0.0, 3.0, isa)
    assert np.all(c == 3.0)
    # m == 0 or n == 0: nothing to do, nothing touched.
    _core._gemm(np.zeros((0, 5)), b, np.zeros((0, 4)), False, False, 1.0, 0.0, isa)


def test_gemm_hook_rejects_bad_arguments():
    a = np.ones((3, 4), np.float32)
    with pytest.raises(ValueError, match="b:"):
        _core._gemm(a, np.ones((5, 2), np.float32), np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError, match="c:"):
        _core._gemm(a, np.ones((4, 2), np.float32), np.zeros((3, 3), np.float32))
    with pytest.raises(TypeError, match="b:"):
        _core._gemm(a, np.ones((4, 2)), np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError, match="isa"):
        _core._gemm(a, np.ones((4, 2), np.float32), np.zeros((3, 2), np.float32), isa="sse9")
    with pytest.raises(ValueError, match="c:"):
        _core._gemm(a, np.ones((4, 2), np.float32), np.zeros((2, 3), np.float32).T)


@pytest.mark.parametrize("isa", ISAS)
def test_engine_gemm_is_the_active_kernel_bitwise_for_any_thread_count(isa, restore_runtime):
    """The threaded engine route splits C into blocks of the kernel's own tiles: every element
    sees the same operations as on one thread, so the results are equal bit for bit."""
    lc.set_max_isa(isa)
    active = lc.get_isa()
    for m, n, k, ta, tb in [(300, 1024, 256, False, True), (1024, 256, 300, True, False),
                            (32, 2048, 128, False, True), (2000, 64, 96, False, False)]:
        for dtype in (np.float32, np.float64):
            a, b, c = _operands(m, n, k, ta, tb, dtype, seed=m)
            single = _gemm(a, b, c, ta, tb, 1.0, 0.5, active)
            for threads in (1, 2, 3):
                lc.set_num_threads(threads)
                got = _gemm(a, b, c, ta, tb, 1.0, 0.5, None)
                assert np.array_equal(got, single), (isa, m, n, k, threads)


# -- vectorized math -----------------------------------------------------------------------------


def _math_inputs(dtype):
    dense = np.linspace(-30, 30, 20011)
    small = np.concatenate([np.geomspace(1e-30, 1, 500), -np.geomspace(1e-30, 1, 500)])
    return np.concatenate([dense, small, [0.0, -0.0, 80.0, -80.0, 700.0, -700.0]]).astype(dtype)


_REF = {
    "exp": np.exp,
    # exp(-|x|) never overflows; both branches are free of cancellation.
    "sigmoid": lambda x: np.where(x >= 0, 1, np.exp(-np.abs(x))) / (1 + np.exp(-np.abs(x))),
    "tanh": np.tanh,
}


@pytest.mark.parametrize("isa", ISAS + [None])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fn", ["exp", "sigmoid", "tanh"])
def test_vmath_of_every_isa_within_a_few_ulp(fn, dtype, isa):
    x = _math_inputs(dtype)
    if fn == "exp":
        x = x[np.abs(x) < (80 if dtype == np.float32 else 700)]
    with np.errstate(over="ignore"):
        ref = _REF[fn](x.astype(np.longdouble))
    got = _core._vmath(fn, x, isa)
    assert got.dtype == dtype and got.shape == x.shape
    ref_t = ref.astype(dtype)
    nonzero = ref_t != 0
    ulp = np.spacing(np.abs(ref_t[nonzero]))
    err = np.abs(got[nonzero].astype(np.longdouble) - ref[nonzero]) / ulp
    # The C++ kernel tests measure ~2.6 ulp at most; 4 is the documented bound.
    assert err.max() <= 4, (fn, isa, float(err.max()), x[nonzero][np.argmax(err)])
    # Where the true value rounds to 0 (sigmoid far left), so does ours, or at least nearly.
    assert np.all(np.abs(got[~nonzero]) <= 4 * np.finfo(dtype).smallest_subnormal)


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_vmath_special_values_and_agreement_across_isas(isa, dtype):
    x = np.array([np.inf, -np.inf, np.nan, 0.0, 1e30, -1e30], dtype)
    with np.errstate(invalid="ignore"):
        exp = _core._vmath("exp", x, isa)
        sig = _core._vmath("sigmoid", x, isa)
        tanh = _core._vmath("tanh", x, isa)
    np.testing.assert_array_equal(exp, [np.inf, 0, np.nan, 1, np.inf, 0])
    np.testing.assert_array_equal(sig, [1, 0, np.nan, 0.5, 1, 0])
    np.testing.assert_array_equal(tanh, [1, -1, np.nan, 0, 1, -1])
    # Every length exercises the vector tail; the ISAs agree to a few ulp.
    base = _math_inputs(dtype)[:10007]
    for n in (1, 7, 15, 17, 33):
        np.testing.assert_allclose(_core._vmath("tanh", base[:n], isa),
                                   _core._vmath("tanh", base[:n], "baseline"),
                                   rtol=8 * np.finfo(dtype).eps, atol=0)
    with pytest.raises(ValueError, match="fn"):
        _core._vmath("log", base, isa)


# -- the engine under each ISA ------------------------------------------------------------------

CONFIGS = [
    dict(mode="lstm", input_size=7, hidden_size=24, num_layers=2, bidirectional=True),
    dict(mode="lstm", input_size=5, hidden_size=33, proj_size=7, peephole=True),
    dict(mode="lstm", input_size=6, hidden_size=20, coupled=True),
    dict(mode="gru", input_size=9, hidden_size=40, bidirectional=True),
    dict(mode="gru", input_size=9, hidden_size=17, linear_before_reset=False),
    dict(mode="rnn", input_size=4, hidden_size=35, nonlinearity="relu"),
]


def _spec(cfg):
    try:
        return lc.RNNSpec(**cfg)
    except TypeError as err:  # an option this checkout does not have
        pytest.skip(f"RNNSpec: {err}")


def _train(front_end, spec, params, x, lengths, dy_seed=5):
    y, state, tape = front_end.forward(spec, params, x, lengths=lengths, training=True, seed=1)
    dy = np.random.default_rng(dy_seed).standard_normal(y.shape).astype(y.dtype)
    dx, dstate0, grads = front_end.backward(spec, params, tape, dy)
    states = list(state) if isinstance(state, tuple) else [state]
    dstates = list(dstate0) if isinstance(dstate0, tuple) else [dstate0]
    return [y, dx] + states + dstates + [grads[k] for k in sorted(grads)]


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_core_matches_reference_under_each_isa(cfg, isa, restore_runtime):
    spec = _spec(cfg)
    T, B = 9, 5
    rng = np.random.default_rng(3)
    lengths = np.array([9, 4, 0, 7, 9])
    for dtype, rtol, atol in ((np.float64, 1e-9, 1e-11), (np.float32, 2e-4, 2e-5)):
        params = lc.init_params(spec, dtype, seed=2)
        x = rng.standard_normal((T, B, spec.input_size)).astype(dtype)
        want = _train(reference, spec, params, x, lengths)
        lc.set_max_isa(isa)
        got = _train(functional, spec, params, x, lengths)
        lc.set_max_isa(None)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


@pytest.mark.parametrize("isa", ISAS)
def test_core_is_bitwise_identical_for_one_and_two_threads(isa, restore_runtime):
    """Sizes large enough that the GEMMs and the recurrent steps do split across threads."""
    lc.set_max_isa(isa)
    rng = np.random.default_rng(4)
    for cfg in (dict(mode="lstm", input_size=64, hidden_size=128, bidirectional=True),
                dict(mode="gru", input_size=64, hidden_size=160)):
        spec = _spec(cfg)
        for dtype in (np.float32, np.float64):
            params = lc.init_params(spec, dtype, seed=1)
            x = rng.standard_normal((12, 24, spec.input_size)).astype(dtype)
            lengths = rng.integers(1, 13, size=24)
            results = []
            for threads in (1, 2):
                lc.set_num_threads(threads)
                results.append(_train(functional, spec, params, x, lengths))
            for a, b in zip(*results):
                assert np.array_equal(a, b), (cfg, isa, np.dtype(dtype).name)
