"""The recurrent stack on the C++ core: ``forward`` and ``backward`` with the reference's signatures.

Arguments are checked and laid out by :mod:`lstmcore._checks` (shared with
:mod:`lstmcore.reference`); the compiled module ``lstmcore._core`` does the computing with the
GIL released. The tape is a :class:`Tape` wrapping the core's saved activations.
"""

from __future__ import annotations

import operator
import threading
from typing import Dict, Mapping, Optional, Tuple

import numpy as np

from . import _checks, _core, _memory
from .params import check_params
from .spec import RNNSpec

__all__ = ["forward", "backward", "Tape"]

Array = np.ndarray


class Tape:
    """Saved activations of a training :func:`forward` of the C++ core.

    The inspection methods follow docs/CONTRACTS.md: arrays in natural time order with the batch
    axis, zero past each sequence's length. A tape can be backpropagated more than once.

    Attributes
    ----------
    spec : RNNSpec
    seed : int
        The dropout seed the forward used (backward uses the same mask).
    lengths : ndarray of int64 [B], or None
    nbytes : int
        Bytes of the saved arrays (the core's training memory).
    """

    def __init__(self, prep: _checks.Prepared, seed: int, core_tape) -> None:
        self._prep = prep
        self.seed = seed
        self._core = core_tape
        # backward rewrites the tape's state-gradient arrays (and allocates them the first time),
        # so two threads backpropagating one tape at once would race: they take turns.
        self._lock = threading.Lock()

    @property
    def spec(self) -> RNNSpec:
        return self._prep.spec

    @property
    def lengths(self) -> Optional[Array]:
        return self._prep.lengths

    @property
    def nbytes(self) -> int:
        return int(self._core.nbytes)

    def _check(self, layer: int, direction: int) -> None:
        spec = self.spec
        for name, value in (("layer", layer), ("direction", direction)):
            if isinstance(value, (bool, np.bool_)) or not hasattr(value, "__index__"):
                raise TypeError(f"{name}: expected an int, got {type(value).__name__} {value!r}")
        _checks.check_tape_index(spec, operator.index(layer), operator.index(direction))

    def _saved_grad(self, what: str, layer: int, direction: int) -> Array:
        """The core tape's ``what`` ("grad_hidden" or "grad_cell") from the last backward."""
        self._check(layer, direction)
        with self._lock:
            if not self._core.has_grads:
                raise RuntimeError(f"{what}: run a backward with this tape first")
            return getattr(self._core, what)(layer, direction)

    def gates(self, layer: int, direction: int = 0) -> Dict[str, Array]:
        """Activated gates, each [T, B, H]: LSTM i, f, g, o (coupled: i = 1 - f); GRU r, z, n;
        RNN h (the activation)."""
        self._check(layer, direction)
        return self._core.gates(layer, direction)

    def cell_states(self, layer: int, direction: int = 0) -> Array:
        """The cell states c_t, [T, B, H] (LSTM only)."""
        _checks.check_cell_state(self.spec, "cell_states")
        self._check(layer, direction)
        return self._core.cell_states(layer, direction)

    def hidden_states(self, layer: int, direction: int = 0) -> Array:
        """The hidden states h_t, [T, B, P] (before inter-layer dropout)."""
        self._check(layer, direction)
        return self._core.hidden_states(layer, direction)

    def grad_hidden(self, layer: int, direction: int = 0) -> Array:
        """Total dL/dh_t [T, B, P] of the last backward (from y_t and from the next step)."""
        return self._saved_grad("grad_hidden", layer, direction)

    def grad_cell(self, layer: int, direction: int = 0) -> Array:
        """Total dL/dc_t [T, B, H] of the last backward (LSTM only)."""
        _checks.check_cell_state(self.spec, "grad_cell")
        return self._saved_grad("grad_cell", layer, direction)

    def __repr__(self) -> str:
        return f"<lstmcore.functional.Tape {self.spec.mode} seed={self.seed} nbytes={self.nbytes}>"


def forward(spec: RNNSpec, params: Mapping[str, object], x, state=None, lengths=None,
            training: bool = False, seed: Optional[int] = None):
    """Run the recurrent stack over ``x`` on the C++ core.

    Parameters
    ----------
    spec : RNNSpec
        Mode and settings of the stack.
    params : dict of str to array
        Every parameter of ``spec.param_names()`` (DESIGN.md section 4); cast to x's dtype.
    x : ndarray
        (T, B, I), (B, T, I) when ``spec.batch_first``, or unbatched (T, I); float32 or float64.
    state : ndarray or tuple (h0, c0), optional
        Initial state, h0 (L*D, B, P) and c0 (L*D, B, H) (LSTM); None means zeros.
    lengths : int array (B,), optional
        Valid steps of each right-padded sequence, in [0, T].
    training : bool, default False
        Keep a tape for :func:`backward` and apply inter-layer dropout.
    seed : int, optional
        Dropout seed; None draws one (the tape records it).

    Returns
    -------
    y : ndarray
        (T, B, D*P) (batch-first or unbatched like ``x``); 0 past each length.
    state : ndarray or tuple (h_n, c_n)
        The state at each sequence's last valid step, h_n (L*D, B, P), c_n (L*D, B, H).
    tape : Tape or None
        The saved activations when ``training``, else None.
    """
    prep = _checks.prepare_forward(spec, params, x, state, lengths)
    seed = _checks.resolve_training(training, seed)
    _memory.check_bytes("forward", _memory.forward_bytes(prep.spec, prep.seq_len, prep.batch,
                                                         prep.dtype.itemsize, bool(training)),
                         prep.spec, prep.seq_len, prep.batch)
    y, h_n, c_n, core_tape = _core.forward(
        prep.spec, prep.params, prep.x, prep.h0, prep.c0, prep.lengths, bool(training),
        0 if seed is None else seed,
    )
    y, state_n = _checks.finish_forward(prep, y, h_n, c_n)
    tape = Tape(prep, seed, core_tape) if training else None
    return y, state_n, tape


def backward(spec: RNNSpec, params: Mapping[str, object], tape: Tape, dy,
             dstate=None) -> Tuple[Array, object, Dict[str, Array]]:
    """Backpropagation through time for a training :func:`forward`, on the C++ core.

    Parameters
    ----------
    spec, params
        The same as the forward's.
    tape : Tape
        The tape that forward returned (it is not consumed).
    dy : ndarray
        Gradient of the loss w.r.t. y (y's shape).
    dstate : ndarray or tuple, optional
        Gradient w.r.t. the final state (state's structure); None (or a None element) = zeros.

    Returns
    -------
    dx : ndarray
        Gradient w.r.t. x (x's shape).
    dstate0 : ndarray or tuple (dh0, dc0)
        Gradient w.r.t. the initial state (always arrays, also when the forward had none).
    grads : dict of str to ndarray
        Every parameter's gradient, in the compute dtype.
    """
    prep = _checks.check_tape(spec, tape, Tape, "lstmcore.functional.forward")
    p = check_params(spec, params, prep.dtype)
    dy_t, dh_n, dc_n = _checks.prepare_backward(prep, dy, dstate)
    _memory.check_bytes("backward", _memory.backward_bytes(spec, prep.seq_len, prep.batch,
                                                           prep.dtype.itemsize),
                         spec, prep.seq_len, prep.batch)
    with tape._lock:
        dx, dh0, dc0, grads = _core.backward(spec, p, tape._core, dy_t, dh_n, dc_n)
    dx, dstate0 = _checks.finish_backward(prep, dx, dh0, dc0)
    return dx, dstate0, grads
