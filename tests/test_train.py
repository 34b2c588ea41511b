"""The training toolkit: Dense, losses, optimizers, clipping and data generators."""

import math

import numpy as np
import pytest

from lstmcore.train import (ADDING_BASELINE_MSE, SGD, Adam, CharVocab, Dense, adding_batches,
                            adding_problem, char_lm_batches, clip_grad_norm, global_norm, mse,
                            one_hot, softmax, softmax_cross_entropy)

from _helpers import central_difference


def numeric_grad(f, x, eps=1e-6):
    """Central finite differences of the scalar f() with respect to the array x (in place)."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        g[idx] = central_difference(f, x, idx, eps)
    return g


# -- Dense -----------------------------------------------------------------------------------

def test_dense_forward_matches_formula():
    layer = Dense(3, 2, dtype=np.float64, seed=0)
    x = np.random.default_rng(1).normal(size=(4, 5, 3))
    y = layer(x)
    np.testing.assert_allclose(y, x @ layer.params["weight"].T + layer.params["bias"])
    assert y.shape == (4, 5, 2)


@pytest.mark.parametrize("bias", [True, False])
def test_dense_gradients_match_finite_differences(bias):
    rng = np.random.default_rng(2)
    layer = Dense(3, 2, bias=bias, dtype=np.float64, seed=0)
    x = rng.normal(size=(2, 4, 3))
    w = rng.normal(size=(2, 4, 2))  # loss = sum(w * y), so dL/dy = w
    loss = lambda: float(np.sum(w * layer.forward(x)))  # noqa: E731
    layer.forward(x)
    dx = layer.backward(w)
    np.testing.assert_allclose(dx, numeric_grad(loss, x), rtol=1e-7, atol=1e-8)
    for name, p in layer.params.items():
        np.testing.assert_allclose(layer.grads[name], numeric_grad(loss, p), rtol=1e-7,
                                   atol=1e-8)
    assert ("bias" in layer.params) == bias


def test_dense_backward_accumulates_and_zero_grad_resets():
    layer = Dense(2, 1, dtype=np.float64, seed=0)
    x = np.ones((3, 2))
    layer.forward(x)
    layer.backward(np.ones((3, 1)))
    once = layer.grads["weight"].copy()
    layer.backward(np.ones((3, 1)))
    np.testing.assert_allclose(layer.grads["weight"], 2 * once)
    layer.zero_grad()
    assert not layer.grads["weight"].any() and not layer.grads["bias"].any()


def test_dense_bad_input():
    layer = Dense(3, 2)
    with pytest.raises(ValueError, match="x: expected shape"):
        layer(np.zeros((4, 2)))
    with pytest.raises(RuntimeError, match="forward"):
        Dense(3, 2).backward(np.zeros((1, 2)))
    layer.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="dy"):
        layer.backward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="in_features"):
        Dense(0, 2)
    with pytest.raises(TypeError, match="dtype"):
        Dense(2, 2, dtype=np.int32)


def test_dense_keeps_dtype():
    layer = Dense(3, 2, dtype=np.float32)
    assert layer(np.zeros((1, 3))).dtype == np.float32
    assert layer.forward(np.zeros((1, 3), np.float64)).dtype == np.float32


# -- losses ----------------------------------------------------------------------------------

def test_mse_value_and_gradient():
    rng = np.random.default_rng(3)
    pred, target = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    loss, grad = mse(pred, target)
    assert loss == pytest.approx(np.mean((pred - target) ** 2))
    np.testing.assert_allclose(grad, numeric_grad(lambda: mse(pred, target)[0], pred), atol=1e-8)


def test_mse_mask_counts_only_true_elements():
    pred = np.array([1.0, 2.0, 3.0])
    target = np.zeros(3)
    loss, grad = mse(pred, target, mask=[True, False, True])
    assert loss == pytest.approx((1 + 9) / 2)
    np.testing.assert_allclose(grad, [1.0, 0.0, 3.0])
    assert mse(pred, target, mask=np.zeros(3, bool)) == (0.0, pytest.approx(np.zeros(3)))
    with pytest.raises(ValueError, match="target"):
        mse(pred, np.zeros(2))


def test_softmax_is_stable_and_normalised():
    p = softmax(np.array([[1000.0, 1000.0], [-1000.0, 0.0]]))
    np.testing.assert_allclose(p.sum(-1), 1.0)
    np.testing.assert_allclose(p[0], [0.5, 0.5])
    assert np.all(np.isfinite(p))


def test_cross_entropy_value_against_direct_formula():
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(5, 3, 4))
    targets = rng.integers(0, 4, size=(5, 3))
    loss, _ = softmax_cross_entropy(logits, targets)
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    expected = -np.mean(np.log(np.take_along_axis(probs, targets[..., None], -1)))
    assert loss == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_gradient_with_ignore_index_and_mask():
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(4, 3, 5))
    targets = rng.integers(0, 5, size=(4, 3))
    targets[0, 1] = -100
    mask = np.ones((4, 3), bool)
    mask[3, :] = False  # e.g. padding past the lengths
    f = lambda: softmax_cross_entropy(logits, targets, ignore_index=-100, mask=mask)[0]  # noqa
    loss, grad = softmax_cross_entropy(logits, targets, ignore_index=-100, mask=mask)
    np.testing.assert_allclose(grad, numeric_grad(f, logits), atol=1e-8)
    assert not grad[0, 1].any() and not grad[3].any()
    kept = mask & (targets != -100)
    sub, _ = softmax_cross_entropy(logits[kept], targets[kept])
    assert loss == pytest.approx(sub, rel=1e-12)


def test_cross_entropy_bad_targets():
    with pytest.raises(ValueError, match="targets"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(TypeError, match="targets"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="targets: expected shape"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0]))
    assert softmax_cross_entropy(np.zeros((1, 3)), np.array([7]), ignore_index=7)[0] == 0.0


# -- optimizers ------------------------------------------------------------------------------

def test_adam_first_step_by_hand():
    # Step 1: m = 0.1 g, v = 0.001 g^2, mhat = g, vhat = g^2, so p -= lr * g / (|g| + eps).
    p = {"w": np.array([1.0, -2.0, 0.5])}
    g = {"w": np.array([0.5, -4.0, 0.0])}
    opt = Adam(p, lr=0.1, eps=1e-8)
    opt.step(g)
    expected = np.array([1.0 - 0.1 * 0.5 / (0.5 + 1e-8), -2.0 + 0.1 * 4.0 / (4.0 + 1e-8), 0.5])
    np.testing.assert_allclose(p["w"], expected, rtol=1e-15)


def test_adam_matches_published_rule_over_steps():
    rng = np.random.default_rng(6)
    w0 = rng.normal(size=(3, 2))
    p = {"w": w0.copy()}
    lr, b1, b2, eps = 0.01, 0.8, 0.9, 1e-3  # unusual betas and a large eps exercise every term
    opt = Adam([p], lr=lr, betas=(b1, b2), eps=eps)
    w, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    for t in range(1, 6):
        g = rng.normal(size=w0.shape)
        opt.step([{"w": g}])
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    np.testing.assert_allclose(p["w"], w, rtol=1e-13)
    assert opt.step_count == 5


def test_adam_updates_in_place_float32():
    w = np.ones(4, np.float32)
    Adam({"w": w}, lr=0.5).step({"w": np.ones(4, np.float32)})
    np.testing.assert_allclose(w, 0.5, rtol=1e-6)
    assert w.dtype == np.float32


def test_sgd_momentum_by_hand():
    p = {"w": np.array([1.0])}
    opt = SGD(p, lr=0.1, momentum=0.9)
    for g in (1.0, 1.0, -2.0):
        opt.step({"w": np.array([g])})
    # v1 = 1, p = 0.9; v2 = 1.9, p = 0.71; v3 = 1.71 - 2 = -0.29, p = 0.739
    np.testing.assert_allclose(p["w"], [0.739], rtol=1e-13)


def test_sgd_plain_and_nesterov_and_weight_decay():
    p = {"w": np.array([2.0])}
    SGD(p, lr=0.5).step({"w": np.array([1.0])})
    assert p["w"][0] == pytest.approx(1.5)
    p = {"w": np.array([1.0])}
    opt = SGD(p, lr=0.1, momentum=0.5, nesterov=True)
    opt.step({"w": np.array([1.0])})  # v = 1, step g + 0.5 v = 1.5
    assert p["w"][0] == pytest.approx(0.85)
    p = {"w": np.array([1.0])}
    SGD(p, lr=0.1, weight_decay=0.5).step({"w": np.array([0.0])})
    assert p["w"][0] == pytest.approx(0.95)


def test_optimizer_checks_structure():
    p = {"w": np.zeros(2)}
    with pytest.raises(ValueError, match="grads"):
        SGD(p).step({"w": np.zeros(3)})
    with pytest.raises(ValueError, match="missing gradient"):
        SGD(p).step({})
    with pytest.raises(ValueError, match="expected 1 dict"):
        SGD(p).step([{"w": np.zeros(2)}, {"w": np.zeros(2)}])
    with pytest.raises(TypeError, match="params"):
        SGD([np.zeros(2)])
    with pytest.raises(ValueError, match="momentum"):
        SGD(p, momentum=1.0)
    with pytest.raises(ValueError, match="lr"):
        Adam(p, lr=-1)


# -- clipping --------------------------------------------------------------------------------

def test_clip_grad_norm_over_several_dicts():
    a = {"x": np.array([3.0, 0.0])}
    b = {"y": np.array([[4.0]])}
    assert global_norm([a, b]) == pytest.approx(5.0)
    norm = clip_grad_norm([a, b], 1.0)
    assert norm == pytest.approx(5.0)
    np.testing.assert_allclose(a["x"], [0.6, 0.0])
    np.testing.assert_allclose(b["y"], [[0.8]])
    assert global_norm([a, b]) == pytest.approx(1.0)


def test_clip_grad_norm_leaves_small_and_nonfinite_alone():
    a = {"x": np.array([0.3, 0.4])}
    assert clip_grad_norm(a, 1.0) == pytest.approx(0.5)
    np.testing.assert_allclose(a["x"], [0.3, 0.4])
    bad = {"x": np.array([np.inf, 1.0])}
    assert math.isinf(clip_grad_norm(bad, 1.0))
    assert bad["x"][1] == 1.0
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm(a, 0.0)


# -- data ------------------------------------------------------------------------------------

def test_adding_problem_layout_and_targets():
    batch = adding_problem(64, 20, rng=0)
    x, y, marks = batch
    assert x.shape == (20, 64, 2) and y.shape == (64, 1) and marks.shape == (64, 2)
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x[:, :, 1].sum(0), 2)
    assert np.all(marks[:, 0] < 10) and np.all(marks[:, 1] >= 10)
    cols = np.arange(64)
    np.testing.assert_allclose(y[:, 0], x[marks[:, 0], cols, 0] + x[marks[:, 1], cols, 0],
                               rtol=1e-6)
    np.testing.assert_array_equal(x[marks[:, 0], cols, 1], 1)


def test_adding_problem_is_seeded_and_baseline_is_right():
    a = next(adding_batches(8, 10, seed=3))
    b = next(adding_batches(8, 10, seed=3))
    np.testing.assert_array_equal(a.x, b.x)
    big = adding_problem(200_000, 4, rng=1, dtype=np.float64)
    assert np.mean((big.y - 1.0) ** 2) == pytest.approx(ADDING_BASELINE_MSE, rel=0.02)
    with pytest.raises(ValueError, match="steps"):
        adding_problem(2, 1)


def test_char_vocab_round_trip():
    vocab = CharVocab("hello world")
    assert len(vocab) == 8
    ids = vocab.encode("hello")
    assert vocab.decode(ids) == "hello"
    with pytest.raises(ValueError, match="'z'"):
        vocab.encode("z")
    np.testing.assert_array_equal(one_hot(np.array([[1, 0]]), 3),
                                  [[[0, 1, 0], [1, 0, 0]]])


def test_char_lm_batches_continue_each_track():
    ids = np.arange(101)
    batches = list(char_lm_batches(ids, batch_size=4, seq_len=5))
    assert len(batches) == 5  # 25 ids per track, 5 chunks of 5
    x0, y0 = batches[0]
    x1, _ = batches[1]
    assert x0.shape == (5, 4)
    np.testing.assert_array_equal(y0, x0 + 1)
    # Chunk k+1 of a track starts right where chunk k ended: carried state stays valid.
    np.testing.assert_array_equal(x1[0], x0[-1] + 1)
    np.testing.assert_array_equal(x0[0], [0, 25, 50, 75])
    with pytest.raises(ValueError, match="too few"):
        list(char_lm_batches(np.arange(5), batch_size=4, seq_len=5))
