"""The inter-layer dropout mask: a counter-based hash, so NumPy and C++ draw the same mask.

Definition (the contract the C++ core implements bit for bit, see src/cpp/.../dropout):

    mix(z)  = splitmix64 finaliser of z (64-bit wrap-around arithmetic)
    base    = mix(seed + (layer + 1) * 0x9E3779B97F4A7C15)
    u[n]    = (mix(base + n) >> 11) * 2**-53          # uniform in [0, 1), 53 bits
    mask[n] = (u[n] >= p) * (1 / (1 - p))             # scale computed in float64, then cast

``layer`` is the index of the layer whose output is dropped, ``n`` the flat index of the element
in the time-major output (T, B, D*P) of that layer, ``seed`` an unsigned 64-bit integer.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

__all__ = ["dropout_mask", "resolve_seed", "splitmix64"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def splitmix64(z: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, elementwise on uint64 (wraps modulo 2**64)."""
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def resolve_seed(seed: Optional[int]) -> int:
    """The seed as an unsigned 64-bit int; None draws one from fresh OS entropy."""
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0])
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed: expected an int or None, got {type(seed).__name__} {seed!r}")
    return int(seed) % (1 << 64)


def dropout_mask(seed: int, layer: int, shape: Tuple[int, ...], p: float, dtype) -> np.ndarray:
    """The scaled keep-mask of layer ``layer``'s output, of ``shape`` (T, B, D*P), time-major."""
    n = int(np.prod(shape))
    with np.errstate(over="ignore"):
        base = splitmix64(np.uint64(seed % (1 << 64)) + np.uint64(layer + 1) * _GOLDEN)
        bits = splitmix64(base + np.arange(n, dtype=np.uint64))
    u = (bits >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)
    scale = 1.0 / (1.0 - p)
    return np.where(u >= p, scale, 0.0).astype(dtype).reshape(shape)
