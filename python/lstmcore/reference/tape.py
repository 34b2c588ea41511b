"""The reference tape: what a training forward keeps for backward, and its inspection interface.

The inspection methods are the contract of docs/CONTRACTS.md ("The tape"): every array they return
is in natural time order with the batch axis, and zero past each sequence's length.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import numpy as np

from .._checks import Prepared, check_cell_state, check_tape_index
from ..spec import RNNSpec
from .layer import LayerRecord

__all__ = ["Tape", "time_order", "reverse_order"]

Array = np.ndarray


def reverse_order(T: int, lengths: Optional[Array], B: int) -> Array:
    """[T, B] time indices that reverse each sequence within its own length.

    Position t of the reverse scan reads time ``length - 1 - t``; padding positions map to
    themselves. The permutation is its own inverse, so the same index turns scan order back into
    time order.
    """
    t = np.arange(T)[:, None]
    if lengths is None:
        return np.broadcast_to(T - 1 - t, (T, B))
    n = lengths[None, :]
    return np.where(t < n, n - 1 - t, t)


def time_order(a: Array, order: Optional[Array]) -> Array:
    """Reorder ``a`` [T, B, ...] along time by ``order`` [T, B] (None: unchanged)."""
    if order is None:
        return a
    return np.take_along_axis(a, order.reshape(order.shape + (1,) * (a.ndim - 2)), axis=0)


class Tape:
    """Saved activations of a training forward of ``lstmcore.reference``.

    Attributes
    ----------
    spec : RNNSpec
    seed : int
        The dropout seed the forward used (backward uses the same mask).
    lengths : ndarray of int64 [B], or None
    nbytes : int
        Bytes of the saved arrays.
    """

    def __init__(self, prep: Prepared, seed: int, records: Dict[Tuple[int, int], LayerRecord],
                 orders: List[Optional[Array]], masks: List[Optional[Array]]):
        self._prep = prep
        self.seed = seed
        self._records = records
        self._orders = orders  # per direction: scan order -> time order index, None for forward
        self._masks = masks  # per layer: the scaled dropout mask of its output, or None
        self._grad_h: Dict[Tuple[int, int], Array] = {}
        self._grad_c: Dict[Tuple[int, int], Array] = {}

    @property
    def spec(self) -> RNNSpec:
        return self._prep.spec

    @property
    def lengths(self) -> Optional[Array]:
        return self._prep.lengths

    @property
    def nbytes(self) -> int:
        masks = sum(m.nbytes for m in self._masks if m is not None)
        return masks + sum(r.nbytes for r in self._records.values())

    # -- inspection ------------------------------------------------------------------------

    def _key(self, layer: int, direction: int) -> Tuple[int, int]:
        check_tape_index(self.spec, layer, direction)
        return layer, direction

    def _steps(self, layer: int, direction: int, name: str) -> Array:
        """The saved ``name`` of every step, [T, B, ...], time order, zero past each length."""
        key = self._key(layer, direction)
        record = self._records[key]
        a = np.stack([saved[name] for saved in record.steps])
        if record.active is not None:
            a = np.where(record.active[:, :, None], a, 0.0)
        return time_order(a, self._orders[direction])

    def gates(self, layer: int, direction: int = 0) -> Dict[str, Array]:
        """Activated gates, each [T, B, H]: LSTM i, f, g, o (coupled: i = 1 - f); GRU r, z, n;
        RNN h (the activation)."""
        names = ("i", "f", "g", "o") if self.spec.mode == "lstm" else self.spec.gate_names
        return {name: self._steps(layer, direction, name) for name in names}

    def cell_states(self, layer: int, direction: int = 0) -> Array:
        """The cell states c_t, [T, B, H] (LSTM only)."""
        check_cell_state(self.spec, "cell_states")
        return self._steps(layer, direction, "c")

    def hidden_states(self, layer: int, direction: int = 0) -> Array:
        """The hidden states h_t, [T, B, P] (before inter-layer dropout)."""
        key = self._key(layer, direction)
        return time_order(self._records[key].y, self._orders[direction])

    def grad_hidden(self, layer: int, direction: int = 0) -> Array:
        """Total dL/dh_t [T, B, P] of the last backward (from y_t and from the next step)."""
        key = self._key(layer, direction)
        if key not in self._grad_h:
            raise RuntimeError("grad_hidden: run a backward with this tape first")
        return time_order(self._grad_h[key], self._orders[direction])

    def grad_cell(self, layer: int, direction: int = 0) -> Array:
        """Total dL/dc_t [T, B, H] of the last backward (LSTM only)."""
        check_cell_state(self.spec, "grad_cell")
        key = self._key(layer, direction)
        if key not in self._grad_c:
            raise RuntimeError("grad_cell: run a backward with this tape first")
        return time_order(self._grad_c[key], self._orders[direction])

    def __repr__(self) -> str:
        return f"<lstmcore.reference.Tape {self.spec.mode} seed={self.seed} nbytes={self.nbytes}>"
