"""Look inside a recurrent layer: per-step gates and states, and how far back the gradient reaches.

Every function takes either a tape (the third result of ``lstmcore.functional.forward`` or
``lstmcore.reference.forward`` with ``training=True``) or a layer module (``lc.LSTM``, ``lc.GRU``,
``lc.RNN``) whose last forward ran with ``training=True``. The arrays are time-major
``(T, B, H)`` in natural time order (also for the reverse direction) and zero past each
sequence's length. See docs/CONTRACTS.md, "The tape".

Example::

    y, state = lstm.forward(x, training=True)
    acts = lc.inspect.gate_activations(lstm)          # {"i": (T,B,H), "f": ..., "g": ..., "o": ...}
    c = lc.inspect.cell_states(lstm)                  # (T, B, H)
    lstm.backward(dy)
    flow = lc.inspect.gradient_flow(lstm)             # (T,): mean over batch of |dL/dh_t|
"""

from __future__ import annotations

import operator
from typing import Dict, Optional

import numpy as np

__all__ = ["tape_of", "gate_activations", "cell_states", "hidden_states", "trace",
           "grad_hidden", "grad_cell", "gradient_flow"]

_TAPE_ATTRS = ("last_tape", "tape", "_tape")


def tape_of(source):
    """The tape behind ``source``: a tape itself, or the last training tape of a layer module.

    Raises
    ------
    RuntimeError
        When ``source`` is a module whose last forward did not keep a tape (``training=False``).
    TypeError
        When ``source`` is neither a tape nor a layer module.
    """
    if callable(getattr(source, "gates", None)) and hasattr(source, "spec"):
        return source
    for attr in _TAPE_ATTRS:
        if hasattr(source, attr):
            tape = getattr(source, attr)
            if tape is None:
                raise RuntimeError(
                    f"{type(source).__name__} holds no tape: run forward(x, training=True) first")
            return tape
    raise TypeError(f"source: expected a tape or a recurrent layer module, "
                    f"got {type(source).__name__}")


def _where(tape, layer, direction):
    spec = tape.spec
    for name, value, count in (("layer", layer, spec.num_layers),
                               ("direction", direction, spec.num_directions)):
        if isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name}: expected an int, got bool")
        try:
            v = operator.index(value)
        except TypeError:
            raise TypeError(f"{name}: expected an int, got {type(value).__name__}") from None
        if not 0 <= v < count:
            raise ValueError(f"{name}: expected an int in [0, {count}), got {v}")
    return operator.index(layer), operator.index(direction)


def gate_activations(source, layer: int = 0, direction: int = 0) -> Dict[str, np.ndarray]:
    """The activated gates at every step of one layer and direction.

    Parameters
    ----------
    source : tape or layer module
    layer : int, default 0
    direction : int, default 0
        0 forward, 1 reverse (bidirectional layers).

    Returns
    -------
    dict of str to ndarray (T, B, H)
        LSTM: ``"i"`` input gate, ``"f"`` forget gate, ``"g"`` candidate cell (tanh),
        ``"o"`` output gate (coupled LSTM: ``"i"`` is ``1 - f``). GRU: ``"r"`` reset,
        ``"z"`` update, ``"n"`` candidate. RNN: ``"h"``, the activation.
    """
    tape = tape_of(source)
    return dict(tape.gates(*_where(tape, layer, direction)))


def cell_states(source, layer: int = 0, direction: int = 0) -> np.ndarray:
    """c_t, the LSTM's cell state after every step, (T, B, H). ValueError for GRU and RNN."""
    tape = tape_of(source)
    return tape.cell_states(*_where(tape, layer, direction))


def hidden_states(source, layer: int = 0, direction: int = 0) -> np.ndarray:
    """h_t, the hidden state (the layer's output) after every step, (T, B, P)."""
    tape = tape_of(source)
    return tape.hidden_states(*_where(tape, layer, direction))


def trace(source, layer: int = 0, direction: int = 0) -> Dict[str, np.ndarray]:
    """Everything one layer-direction computed, by the names of the equations.

    The gates of :func:`gate_activations` plus ``"h"`` (h_t) and, for an LSTM, ``"c"`` (c_t),
    each (T, B, ·). For an RNN ``"h"`` is the activation, which is h_t.
    """
    tape = tape_of(source)
    where = _where(tape, layer, direction)
    out = dict(tape.gates(*where))
    out["h"] = tape.hidden_states(*where)
    if tape.spec.has_cell_state:
        out["c"] = tape.cell_states(*where)
    return out


def grad_hidden(source, layer: int = 0, direction: int = 0) -> np.ndarray:
    """dL/dh_t of the last backward, (T, B, P): what reaches h_t from the output and from later
    steps (earlier ones for the reverse direction). RuntimeError before any backward."""
    tape = tape_of(source)
    return tape.grad_hidden(*_where(tape, layer, direction))


def grad_cell(source, layer: int = 0, direction: int = 0) -> np.ndarray:
    """dL/dc_t of the last backward, (T, B, H); LSTM only (ValueError otherwise)."""
    tape = tape_of(source)
    return tape.grad_cell(*_where(tape, layer, direction))


def gradient_flow(source, layer: int = 0, direction: int = 0, of: str = "hidden",
                  lengths: Optional[np.ndarray] = None) -> np.ndarray:
    """How strongly the loss reaches back to each step: the 2-norm of dL/dh_t (or dL/dc_t)
    over the hidden units, averaged over the batch.

    With a loss on the last step only, ``flow[::-1]`` is the norm against the distance from
    the loss; a curve that falls off exponentially is the vanishing gradient.

    Parameters
    ----------
    source : tape or layer module, after a backward
    layer, direction : int
    of : {"hidden", "cell"}
        ``"cell"`` uses dL/dc_t (LSTM only).
    lengths : int array (B,), optional
        Average each step only over the sequences that reach it (defaults to the tape's lengths).

    Returns
    -------
    ndarray (T,), float64
    """
    if of not in ("hidden", "cell"):
        raise ValueError(f"of: expected 'hidden' or 'cell', got {of!r}")
    tape = tape_of(source)
    where = _where(tape, layer, direction)
    g = tape.grad_hidden(*where) if of == "hidden" else tape.grad_cell(*where)
    norms = np.linalg.norm(np.asarray(g, dtype=np.float64), axis=-1)  # (T, B)
    if lengths is None:
        lengths = getattr(tape, "lengths", None)
    if lengths is None:
        return norms.mean(axis=1)
    lens = np.asarray(lengths)
    valid = np.arange(norms.shape[0])[:, None] < lens[None, :]
    counts = valid.sum(axis=1)
    return np.where(counts > 0, (norms * valid).sum(axis=1) / np.maximum(counts, 1), 0.0)
