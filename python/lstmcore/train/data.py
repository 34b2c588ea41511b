"""Seeded data for the demo and examples: the adding problem and character-level LM batches."""

from __future__ import annotations

from typing import Dict, Iterator, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from .._args import check_int
from ..params import check_dtype

__all__ = ["AddingBatch", "adding_problem", "adding_batches", "ADDING_BASELINE_MSE",
           "CharVocab", "one_hot", "char_lm_batches"]

# Always answering 1.0 (the mean of a sum of two uniform[0,1) numbers) scores var = 2/12.
ADDING_BASELINE_MSE = 1.0 / 6.0


class AddingBatch(NamedTuple):
    """One batch of the adding problem."""

    x: np.ndarray  #: (T, B, 2): channel 0 the random values, channel 1 the 0/1 markers
    y: np.ndarray  #: (B, 1): the sum of the two marked values
    marks: np.ndarray  #: (B, 2) int: the marked time steps, first < second


def adding_problem(batch_size: int, steps: int, rng=None, dtype=np.float32) -> AddingBatch:
    """One batch of the adding problem (Hochreiter and Schmidhuber 1997; Le et al. 2015's form).

    Each sequence holds ``steps`` values drawn uniformly from [0, 1) and a marker channel that is
    1 at exactly two steps: one in the first half, one in the second half. The target is the sum
    of the two marked values. Guessing 1.0 always scores MSE 1/6 ~ 0.167
    (:data:`ADDING_BASELINE_MSE`); doing better requires remembering the first marked value for
    up to ``steps`` steps.

    Parameters
    ----------
    batch_size : int >= 1
    steps : int >= 2
        Sequence length T.
    rng : numpy Generator or int seed, optional
    dtype : float32 or float64

    Returns
    -------
    AddingBatch
        ``x`` (T, B, 2), ``y`` (B, 1), ``marks`` (B, 2).
    """
    B = check_int("batch_size", batch_size, 1)
    T = check_int("steps", steps, 2)
    dt = check_dtype(dtype)
    rng = np.random.default_rng(rng)
    values = rng.random((T, B))
    half = T // 2
    first = rng.integers(0, half, size=B)
    second = rng.integers(half, T, size=B)
    markers = np.zeros((T, B))
    cols = np.arange(B)
    markers[first, cols] = 1.0
    markers[second, cols] = 1.0
    x = np.stack([values, markers], axis=-1).astype(dt)
    y = (values[first, cols] + values[second, cols])[:, None].astype(dt)
    return AddingBatch(x, y, np.stack([first, second], axis=1))


def adding_batches(batch_size: int, steps: int, seed: Optional[int] = 0,
                   dtype=np.float32) -> Iterator[AddingBatch]:
    """An endless, reproducible stream of adding-problem batches from ``seed``."""
    rng = np.random.default_rng(seed)
    while True:
        yield adding_problem(batch_size, steps, rng, dtype)


class CharVocab:
    """The characters of a text, mapped to consecutive ids in sorted order.

    Parameters
    ----------
    text : str
        The training text; every character that appears gets an id.
    """

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"text: expected a str, got {type(text).__name__}")
        if not text:
            raise ValueError("text: expected a non-empty string")
        self.chars: Tuple[str, ...] = tuple(sorted(set(text)))
        self.index: Dict[str, int] = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """int64 ids of ``text``'s characters; an unknown character raises ValueError."""
        try:
            return np.fromiter((self.index[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError as exc:
            raise ValueError(f"text: character {exc.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids: Sequence[int]) -> str:
        """The string of the characters with these ids."""
        return "".join(self.chars[int(i)] for i in ids)


def one_hot(ids, num_classes: int, dtype=np.float32) -> np.ndarray:
    """``ids`` (any shape, ints in [0, num_classes)) as one-hot vectors (..., num_classes)."""
    a = np.asarray(ids)
    if a.dtype.kind not in "iu":
        raise TypeError(f"ids: expected an integer array, got dtype {a.dtype}")
    n = check_int("num_classes", num_classes, 1)
    if a.size and (a.min() < 0 or a.max() >= n):
        raise ValueError(f"ids: expected values in [0, {n}), got min {a.min()} and max {a.max()}")
    return np.eye(n, dtype=check_dtype(dtype))[a]


def char_lm_batches(ids, batch_size: int, seq_len: int) -> Iterator[Tuple[np.ndarray, np.ndarray]]:
    """One epoch of next-character batches laid out for truncated BPTT.

    The id stream is cut into ``batch_size`` contiguous tracks; batch ``k`` holds, for every
    track, the ``seq_len`` characters that follow those of batch ``k - 1``. So the final state
    of one batch is the right initial state of the next one (carry it, detached, across chunks).

    Parameters
    ----------
    ids : int array (N,)
        The encoded text.
    batch_size, seq_len : int >= 1

    Yields
    ------
    inputs, targets : int64 arrays (seq_len, batch_size)
        Time-major; ``targets`` is ``inputs`` shifted one character ahead.
    """
    a = np.asarray(ids)
    if a.ndim != 1 or a.dtype.kind not in "iu":
        raise TypeError(f"ids: expected a 1-D integer array, got {a.dtype} of shape {a.shape}")
    B = check_int("batch_size", batch_size, 1)
    T = check_int("seq_len", seq_len, 1)
    track = (a.size - 1) // B
    if track < T:
        raise ValueError(f"ids: {a.size} ids are too few for batch_size={B} tracks of at least "
                         f"seq_len={T} + 1 characters")
    inputs = a[: B * track].reshape(B, track).T.astype(np.int64)
    targets = a[1: B * track + 1].reshape(B, track).T.astype(np.int64)
    for start in range(0, track - T + 1, T):
        yield inputs[start:start + T], targets[start:start + T]
