"""Validation and layout handling shared by ``lstmcore.reference`` and ``lstmcore.functional``.

Both front ends take the same arguments (DESIGN.md section 5); this module checks them once, names
the offending argument in every error, and turns them into the core's canonical layout:
time-major ``x`` of shape (T, B, I), states (L*D, B, P) / (L*D, B, H), lengths (B,) int64.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Mapping, Optional, Tuple

import numpy as np

from ._args import check_bool
from .dropout import resolve_seed
from .params import FLOAT_DTYPES, as_numpy, check_params
from .spec import RNNSpec

__all__ = ["Prepared", "prepare_forward", "resolve_training", "prepare_backward",
           "finish_forward", "finish_backward", "check_tape", "check_cell_state",
           "check_tape_index"]


@dataclasses.dataclass
class Prepared:
    """Forward arguments in canonical layout (arrays may be views of the caller's data)."""

    spec: RNNSpec
    dtype: np.dtype
    params: Dict[str, np.ndarray]
    x: np.ndarray  # [T, B, I] time-major view (not necessarily contiguous)
    h0: Optional[np.ndarray]  # [L*D, B, P] or None (zeros)
    c0: Optional[np.ndarray]  # [L*D, B, H] or None (zeros); LSTM only
    lengths: Optional[np.ndarray]  # [B] int64 in [0, T], or None (every sequence is T long)
    batched: bool  # False when x came as (T, I)

    @property
    def seq_len(self) -> int:
        return self.x.shape[0]

    @property
    def batch(self) -> int:
        return self.x.shape[1]


def _float_array(value, name: str, dtype: Optional[np.dtype]) -> np.ndarray:
    arr = as_numpy(value, name)
    if arr.dtype == np.dtype(object) or arr.dtype.kind not in "fiub":
        raise TypeError(f"{name}: expected a float32 or float64 array, got dtype {arr.dtype}")
    if dtype is None:
        if arr.dtype.kind != "f":
            arr = arr.astype(np.float64)
        elif arr.dtype not in FLOAT_DTYPES:
            raise TypeError(f"{name}: expected a float32 or float64 array, got dtype {arr.dtype}")
        return arr
    return arr.astype(dtype, copy=False)


def _check_spec(spec) -> RNNSpec:
    if not isinstance(spec, RNNSpec):
        raise TypeError(f"spec: expected an lstmcore.RNNSpec, got {type(spec).__name__}")
    return spec


def _state_array(value, name: str, shape: Tuple[int, ...], dtype: np.dtype, batched: bool):
    if value is None:
        return None
    arr = _float_array(value, name, dtype)
    if arr.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got {arr.shape}")
    return arr if batched else arr[:, None, :]


def _split_state(spec: RNNSpec, state, name: str):
    """(h, c) from the user's state argument: a tuple for LSTM, one array otherwise."""
    if state is None:
        return None, None
    if spec.has_cell_state:
        if not isinstance(state, (tuple, list)) or len(state) != 2:
            raise TypeError(f"{name}: expected a tuple (h, c) for an LSTM, got {type(state).__name__}")
        return state[0], state[1]
    if isinstance(state, (tuple, list)) and len(state) == 1:
        return state[0], None
    if isinstance(state, tuple):
        raise TypeError(f"{name}: expected one array h for mode {spec.mode!r}, got a tuple")
    return state, None


def prepare_forward(spec, params: Mapping, x, state=None, lengths=None) -> Prepared:
    """Validate forward arguments and return them in canonical time-major layout."""
    spec = _check_spec(spec)
    xa = _float_array(x, "x", None)
    dtype = xa.dtype
    if xa.ndim == 2:
        batched = False
        if xa.shape[1] != spec.input_size:
            raise ValueError(
                f"x: expected shape (T, {spec.input_size}) for unbatched input, got {xa.shape}"
            )
        xt = xa[:, None, :]
    elif xa.ndim == 3:
        batched = True
        layout = "(B, T, I)" if spec.batch_first else "(T, B, I)"
        if xa.shape[2] != spec.input_size:
            raise ValueError(
                f"x: expected shape {layout} with I={spec.input_size}, got {xa.shape}"
            )
        xt = xa.transpose(1, 0, 2) if spec.batch_first else xa
    else:
        raise ValueError(f"x: expected a 3-D (T, B, I) or 2-D (T, I) array, got ndim={xa.ndim}")
    T, B = xt.shape[0], xt.shape[1]
    if T == 0:
        raise ValueError(f"x: expected at least one time step, got shape {xa.shape}")
    if B == 0:
        raise ValueError(f"x: expected a batch of at least one sequence, got shape {xa.shape}")
    p = check_params(spec, params, dtype)

    h_shape, *c_shape = spec.state_shapes(B if batched else None)
    h_in, c_in = _split_state(spec, state, "state")
    h0 = _state_array(h_in, "state[0]" if spec.has_cell_state else "state", h_shape, dtype, batched)
    c0 = _state_array(c_in, "state[1]", c_shape[0], dtype, batched) if c_shape else None

    lens = None
    if lengths is not None:
        la = as_numpy(lengths, "lengths")
        if not batched:
            raise ValueError("lengths: only batched (3-D) input takes lengths")
        if la.dtype.kind not in "iu":
            # Whole floats are accepted; the range check below runs on them before the cast, so
            # that inf or 1e300 cannot wrap around to a valid-looking int.
            if (la.dtype.kind == "f" and la.size and np.all(np.isfinite(la))
                    and np.all(np.mod(la, 1) == 0)):
                pass
            else:
                raise TypeError(f"lengths: expected an integer array of shape ({B},), got dtype {la.dtype}")
        if la.shape != (B,):
            raise ValueError(f"lengths: expected shape ({B},), got {la.shape}")
        if la.size and (la.min() < 0 or la.max() > T):
            raise ValueError(
                f"lengths: expected values in [0, T={T}], got min {la.min()} and max {la.max()}"
            )
        lens = la.astype(np.int64)
    return Prepared(spec, dtype, p, xt, h0, c0, lens, batched)


def _to_user_layout(prep: Prepared, seq: np.ndarray, h: np.ndarray, c: Optional[np.ndarray]):
    """A canonical sequence [T,B,.] and state pair -> the user's layout and state structure."""
    if not prep.batched:
        seq, h = seq[:, 0], h[:, 0]
        c = None if c is None else c[:, 0]
    elif prep.spec.batch_first:
        seq = seq.transpose(1, 0, 2)
    return seq, ((h, c) if prep.spec.has_cell_state else h)


def resolve_training(training, seed: Optional[int]) -> Optional[int]:
    """Check the ``training`` flag; the dropout seed to use (drawn when training without one)."""
    check_bool("training", training)
    return resolve_seed(seed) if training or seed is not None else None


def finish_forward(prep: Prepared, y: np.ndarray, h_n: np.ndarray, c_n: Optional[np.ndarray]):
    """Canonical outputs (y [T,B,D*P], h_n, c_n) -> the user's layout and state structure."""
    return _to_user_layout(prep, y, h_n, c_n)


def prepare_backward(prep: Prepared, dy, dstate=None):
    """Validate dy and dstate against the forward they belong to; canonical time-major layout.

    Returns ``(dy [T,B,D*P], dh_n or None, dc_n or None)``.
    """
    spec, dtype = prep.spec, prep.dtype
    T, B = prep.seq_len, prep.batch
    DP = spec.num_directions * spec.output_size
    if not prep.batched:
        y_shape = (T, DP)
    elif spec.batch_first:
        y_shape = (B, T, DP)
    else:
        y_shape = (T, B, DP)
    dya = _float_array(dy, "dy", dtype)
    if dya.shape != y_shape:
        raise ValueError(f"dy: expected the shape of y {y_shape}, got {dya.shape}")
    if not prep.batched:
        dya = dya[:, None, :]
    elif spec.batch_first:
        dya = dya.transpose(1, 0, 2)
    h_shape, *c_shape = spec.state_shapes(B if prep.batched else None)
    dh_in, dc_in = _split_state(spec, dstate, "dstate")
    dh = _state_array(dh_in, "dstate[0]" if spec.has_cell_state else "dstate", h_shape, dtype,
                      prep.batched)
    dc = _state_array(dc_in, "dstate[1]", c_shape[0], dtype, prep.batched) if c_shape else None
    return dya, dh, dc


def finish_backward(prep: Prepared, dx: np.ndarray, dh0: np.ndarray, dc0: Optional[np.ndarray]):
    """Canonical input gradients (dx [T,B,I], dh0, dc0) -> the user's layout and state structure."""
    return _to_user_layout(prep, dx, dh0, dc0)


def check_tape(spec: RNNSpec, tape, tape_type: type, producer: str) -> Prepared:
    """A backward's tape checked (present, of ``tape_type``, made for ``spec``); its forward's
    prepared arguments. ``producer`` names the forward that makes such tapes."""
    if tape is None:
        raise RuntimeError("backward: tape is None; run forward(..., training=True) first")
    if not isinstance(tape, tape_type):
        raise RuntimeError(f"backward: expected a tape of {producer}, got {type(tape).__name__}")
    if spec != tape.spec:
        raise ValueError(f"spec: expected the spec of the forward that made the tape "
                         f"({tape.spec}), got {spec}")
    return tape._prep


def check_cell_state(spec: RNNSpec, what: str) -> None:
    """Refuse a tape's cell-state inspection ``what`` for a stack without cell states."""
    if not spec.has_cell_state:
        raise ValueError(f"{what}: only an LSTM has a cell state, mode is {spec.mode!r}")


def check_tape_index(spec: RNNSpec, layer: int, direction: int) -> None:
    """A tape inspection's (layer, direction) within ``spec``'s stack."""
    if not 0 <= layer < spec.num_layers:
        raise ValueError(f"layer: expected 0 <= layer < {spec.num_layers}, got {layer!r}")
    if not 0 <= direction < spec.num_directions:
        raise ValueError(
            f"direction: expected 0 <= direction < {spec.num_directions}, got {direction!r}"
        )
