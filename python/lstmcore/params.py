"""Parameter initialisation and validation of parameter dicts against an RNNSpec."""

from __future__ import annotations

import functools
import itertools
from typing import Dict, Iterator, Mapping, Optional, Tuple

import numpy as np

from . import _memory
from .spec import RNNSpec

__all__ = ["init_params", "check_params", "as_numpy", "check_dtype"]

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_dtype(dtype, name: str = "dtype") -> np.dtype:
    """Return ``np.dtype(dtype)`` if it is float32 or float64, else raise TypeError naming ``name``."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name}: expected float32 or float64, got {dtype!r}") from None
    if dt not in FLOAT_DTYPES:
        raise TypeError(f"{name}: expected float32 or float64, got {dt}")
    return dt


def init_params(spec: RNNSpec, dtype=np.float32, seed: Optional[int] = None) -> Dict[str, np.ndarray]:
    """Fresh parameters for ``spec`` with PyTorch's initialisation.

    Every parameter is drawn from uniform(-1/sqrt(H), 1/sqrt(H)), in the canonical name order of
    ``spec.param_names()``, from ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    spec : RNNSpec
    dtype : float32 or float64
    seed : int, optional
        Seed of the NumPy Generator; None draws fresh entropy.

    Returns
    -------
    dict of str to ndarray
        Names and shapes of DESIGN.md section 4, C-contiguous, of ``dtype``.
    """
    if not isinstance(spec, RNNSpec):
        raise TypeError(f"spec: expected an lstmcore.RNNSpec, got {type(spec).__name__}")
    dt = check_dtype(dtype)
    _memory.check_bytes("init_params", _memory.params_bytes(spec, dt.itemsize), spec)
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(spec.hidden_size)
    return {
        name: rng.uniform(-bound, bound, size=shape).astype(dt)
        for name, shape in spec.param_shapes().items()
    }


def as_numpy(value, name: str) -> np.ndarray:
    """An ndarray from an array-like or a torch tensor (detached, moved to the CPU)."""
    if hasattr(value, "detach") and hasattr(value, "cpu") and hasattr(value, "numpy"):
        value = value.detach().cpu().numpy()
    try:
        return np.asarray(value)
    except Exception as exc:  # noqa: BLE001 - any conversion failure is a bad argument
        raise TypeError(f"{name}: expected an array-like, got {type(value).__name__}") from exc


def _iter_names(spec: RNNSpec) -> Iterator[str]:
    """The names of spec.param_names(), in the same order, one at a time."""
    for layer in range(spec.num_layers):
        bases = list(spec.layer_param_shapes(layer))
        for direction in range(spec.num_directions):
            sfx = "_reverse" if direction == 1 else ""
            for base in bases:
                yield f"{base}_l{layer}{sfx}"


@functools.lru_cache(maxsize=64)
def _cached_shapes(spec: RNNSpec) -> Dict[str, Tuple[int, ...]]:
    return spec.param_shapes()


def _known_shapes(spec: RNNSpec, count: int) -> Optional[Dict[str, Tuple[int, ...]]]:
    """spec's parameter shapes (cached: a layer called in a loop checks the same spec each
    time) when ``count`` parameters could be exactly them; else None (the slow path then
    names what is missing or extra). Read-only: callers must not change the dict."""
    per_layer = len(spec.layer_param_shapes(0))
    if count != per_layer * spec.num_layers * spec.num_directions:
        return None
    return _cached_shapes(spec)


def check_params(
    spec: RNNSpec, params: Mapping[str, object], dtype, name: str = "params"
) -> Dict[str, np.ndarray]:
    """Validate a parameter dict against ``spec`` and return its arrays as ``dtype``.

    Raises ValueError naming the parameter for a missing, extra or misshaped entry, and
    TypeError for a non-numeric one. Arrays already of ``dtype`` are not copied.
    """
    if not isinstance(params, Mapping):
        raise TypeError(f"{name}: expected a dict of arrays, got {type(params).__name__}")
    dt = check_dtype(dtype)
    shapes = _known_shapes(spec, len(params))
    if shapes is None or any(k not in shapes for k in params):
        # Look for missing names lazily before listing them all: a spec with num_layers=2**40
        # must fail at once, not build a trillion names.
        missing = list(itertools.islice((k for k in _iter_names(spec) if k not in params), 20))
        if missing:
            raise ValueError(f"{name}: missing parameter(s) {missing} for this spec")
        shapes = spec.param_shapes()  # now known to be no longer than params
        extra = [k for k in params if k not in shapes]
        if extra:
            raise ValueError(f"{name}: unexpected parameter(s) {extra} for this spec")
    out: Dict[str, np.ndarray] = {}
    for key, shape in shapes.items():
        arr = as_numpy(params[key], f"{name}[{key!r}]")
        if arr.dtype.kind not in "fiu":
            raise TypeError(f"{name}[{key!r}]: expected a float array, got dtype {arr.dtype}")
        if arr.shape != shape:
            raise ValueError(f"{name}[{key!r}]: expected shape {shape}, got {arr.shape}")
        out[key] = arr.astype(dt, copy=False)
    return out
