"""Threads: the GIL is released while the core computes, concurrent calls give the serial results
bit for bit, a layer keeps one tape (the last training forward's, from whatever thread), and the
core's own thread count never changes a result.

No test here measures time: the GIL check uses a huge switch interval so that the main thread can
only run while the worker thread has released the GIL on its own.
"""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import lstmcore as lc
from lstmcore import functional

SPECS = [
    lc.RNNSpec("lstm", 6, 16, num_layers=2, bidirectional=True, dropout=0.3),
    lc.RNNSpec("gru", 6, 12, batch_first=True, linear_before_reset=False),
    lc.RNNSpec("lstm", 6, 16, proj_size=5, peephole=True),
    lc.RNNSpec("rnn", 6, 10, nonlinearity="relu", num_layers=2),
]


BIG_SPECS = [
    lc.RNNSpec("lstm", 16, 96, num_layers=2, bidirectional=True, dropout=0.2, peephole=True),
    lc.RNNSpec("gru", 16, 96, linear_before_reset=False),
    lc.RNNSpec("lstm", 16, 96, proj_size=40),
]


def _problem(spec, seed, T=9, B=5, dtype=np.float64):
    rng = np.random.default_rng(seed)
    params = lc.init_params(spec, dtype, seed=seed)
    shape = (B, T, spec.input_size) if spec.batch_first else (T, B, spec.input_size)
    x = rng.standard_normal(shape).astype(dtype)
    lengths = rng.integers(0, T + 1, size=B)
    return params, x, lengths


def _train_step(spec, params, x, lengths, seed):
    y, state, tape = functional.forward(spec, params, x, lengths=lengths, training=True, seed=seed)
    dy = np.cos(np.arange(y.size, dtype=y.dtype)).reshape(y.shape)
    dx, dstate0, grads = functional.backward(spec, params, tape, dy)
    flat = [y, dx] + [a for s in (state, dstate0) for a in (s if isinstance(s, tuple) else (s,))]
    return flat + [grads[k] for k in sorted(grads)]


def _assert_bitwise(a, b):
    assert len(a) == len(b)
    for u, v in zip(a, b):
        assert u.dtype == v.dtype and u.shape == v.shape
        assert np.array_equal(u, v, equal_nan=True)


# -- the GIL ------------------------------------------------------------------------------------


def _main_thread_ran_during(work) -> bool:
    """Run ``work`` in a worker thread; True if the main thread got the GIL before it finished.

    With a switch interval far longer than the work, the interpreter never takes the GIL away
    from the worker, so the main thread (woken as soon as the worker starts) can only run while
    the worker has released the GIL itself.
    """
    done = []
    worker = threading.Thread(target=lambda: (work(), done.append(True)))
    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        worker.start()  # returns once the worker is running; then needs the GIL back
        ran_while_busy = not done
    finally:
        sys.setswitchinterval(old)
        worker.join()
    return ran_while_busy


def test_gil_check_detects_a_call_that_holds_the_gil():
    assert not _released_gil(lambda: sum(i * i for i in range(300_000)))


def _released_gil(work, attempts: int = 5) -> bool:
    """Whether ``work`` let the main thread run in any of a few attempts.

    On a loaded machine the OS may not schedule the main thread inside one short release window;
    a call that never releases the GIL fails every attempt, so retrying keeps the check sharp.
    """
    return any(_main_thread_ran_during(work) for _ in range(attempts))


@pytest.mark.parametrize("spec", BIG_SPECS[:2], ids=["lstm", "gru"])
def test_gil_is_released_during_forward_and_backward(spec):
    params, x, _ = _problem(spec, 0, T=200, B=32, dtype=np.float32)
    params = {k: np.ascontiguousarray(v) for k, v in params.items()}
    assert _released_gil(lambda: functional.forward(spec, params, x))
    y, _, tape = functional.forward(spec, params, x, training=True, seed=1)
    dy = np.ones_like(y)
    assert _released_gil(lambda: functional.backward(spec, params, tape, dy))


# -- concurrent calls equal serial calls ---------------------------------------------------------


def test_many_threads_same_and_different_models_match_serial():
    problems = [(spec,) + _problem(spec, i) for i, spec in enumerate(SPECS)]
    # Each task: (problem index, dropout seed); every problem is run by several threads at once.
    tasks = [(i % len(problems), 100 + i % 3) for i in range(24)]
    serial = [_train_step(*problems[i], seed=s) for i, s in tasks]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda t: _train_step(*problems[t[0]], seed=t[1]), tasks))
    for a, b in zip(serial, parallel):
        _assert_bitwise(a, b)


def test_threads_sharing_one_tape_match_serial():
    """backward of one tape from many threads at once: the calls take turns, results agree."""
    spec = lc.RNNSpec("lstm", 6, 48, num_layers=2)
    params, x, lengths = _problem(spec, 3, T=40, B=8)
    y, _, tape = functional.forward(spec, params, x, lengths=lengths, training=True, seed=5)
    dys = [np.full_like(y, 0.1 * (i + 1)) for i in range(16)]
    serial = [functional.backward(spec, params, tape, dy)[0] for dy in dys]
    grad_h = tape.grad_hidden(0, 0)  # from the last serial backward, dys[-1]
    for _ in range(3):
        with ThreadPoolExecutor(max_workers=4) as pool:
            parallel = list(pool.map(lambda dy: functional.backward(spec, params, tape, dy)[0],
                                     dys))
        for a, b in zip(serial, parallel):
            assert np.array_equal(a, b)
    functional.backward(spec, params, tape, dys[-1])
    assert np.array_equal(tape.grad_hidden(0, 0), grad_h)


def test_one_layer_object_for_inference_in_many_threads():
    lstm = lc.LSTM(6, 16, num_layers=2, bidirectional=True, seed=0, dtype=np.float64)
    xs = [np.random.default_rng(i).standard_normal((7, 3, 6)) for i in range(16)]
    serial = [lstm(x) for x in xs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lstm, xs))
    for (y0, (h0, c0)), (y1, (h1, c1)) in zip(serial, parallel):
        _assert_bitwise([y0, h0, c0], [y1, h1, c1])


def test_one_layer_object_per_thread_for_training():
    """The rule for thread-parallel training with the classes: one layer object per thread."""
    def run(seed):
        gru = lc.GRU(6, 12, num_layers=2, seed=7, dtype=np.float64)
        x = np.random.default_rng(seed).standard_normal((8, 4, 6))
        for _ in range(3):
            y, _ = gru.forward(x, training=True)
            gru.backward(np.sin(y))
        return [gru.grads[k] for k in sorted(gru.grads)]

    serial = [run(s) for s in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        parallel = list(pool.map(run, range(6)))
    for a, b in zip(serial, parallel):
        _assert_bitwise(a, b)


def test_a_layer_keeps_the_tape_of_its_last_training_forward_from_any_thread():
    """Documented rule: a layer holds one tape; another thread's training forward replaces it."""
    lstm = lc.LSTM(6, 8, seed=0)
    x_main = np.ones((5, 2, 6), np.float32)
    x_other = np.ones((5, 3, 6), np.float32)
    lstm.forward(x_main, training=True)
    t = threading.Thread(target=lambda: lstm.forward(x_other, training=True))
    t.start()
    t.join()
    assert lstm.last_tape.hidden_states(0).shape[1] == 3  # the other thread's forward
    with pytest.raises(ValueError, match="dy"):
        lstm.backward(np.ones((5, 2, 8), np.float32))  # the main thread's dy no longer fits


# -- the core's own threads ---------------------------------------------------------------------


def _thread_api():
    if not hasattr(lc, "set_num_threads"):
        pytest.skip("lstmcore.set_num_threads is not there yet (the threaded kernels add it)")
    return lc.set_num_threads, getattr(lc, "get_num_threads", None)


def test_results_are_bitwise_identical_for_any_thread_count():
    set_num_threads, get_num_threads = _thread_api()
    before = get_num_threads() if get_num_threads else None
    problems = [(spec,) + _problem(spec, i, T=12, B=9, dtype=dt)
                for i, spec in enumerate(SPECS) for dt in (np.float32, np.float64)]
    # Big enough per step (B*G*H*P >> the core's minimum work per thread) to really split.
    problems += [(spec,) + _problem(spec, 9, T=8, B=16, dtype=np.float32) for spec in BIG_SPECS]
    try:
        set_num_threads(1)
        base = [_train_step(*p, seed=3) for p in problems]
        for n in (2, 3, 4, 7):
            set_num_threads(n)
            if get_num_threads:
                assert get_num_threads() == n
            for p, b in zip(problems, base):
                _assert_bitwise(b, _train_step(*p, seed=3))
    finally:
        if before is not None:
            set_num_threads(before)


def test_changing_the_thread_count_while_other_threads_compute():
    set_num_threads, get_num_threads = _thread_api()
    before = get_num_threads() if get_num_threads else None
    spec = BIG_SPECS[0]
    params, x, lengths = _problem(spec, 1, T=8, B=16)
    base = _train_step(spec, params, x, lengths, seed=2)
    stop = threading.Event()

    def toggle():
        n = 1
        while not stop.is_set():
            set_num_threads(n)
            n = n % 4 + 1

    toggler = threading.Thread(target=toggle)
    toggler.start()
    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            results = list(pool.map(lambda _: _train_step(spec, params, x, lengths, seed=2),
                                    range(6)))
    finally:
        stop.set()
        toggler.join()
        if before is not None:
            set_num_threads(before)
    for r in results:
        _assert_bitwise(base, r)
