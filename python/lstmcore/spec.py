"""RNNSpec: the settings of a recurrent layer stack, and the names and shapes of its parameters.

DESIGN.md sections 3 and 4 fix the gate orders, parameter names and shapes; this module is the
one place in Python that encodes them.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Tuple

import numpy as np

from ._args import check_bool, check_int

__all__ = ["RNNSpec", "MODES", "NONLINEARITIES", "GATE_NAMES"]

MODES = ("rnn", "lstm", "gru")
NONLINEARITIES = ("tanh", "relu")

# Row order of the stacked gate weights, per cell (DESIGN.md section 3).
GATE_NAMES = {
    "rnn": ("h",),
    "lstm": ("i", "f", "g", "o"),
    "lstm_coupled": ("f", "g", "o"),
    "gru": ("r", "z", "n"),
}


@dataclasses.dataclass(frozen=True)
class RNNSpec:
    """Settings of a stack of recurrent layers (all of ``lc.LSTM``/``lc.GRU``/``lc.RNN``'s options).

    Parameters
    ----------
    mode : {"rnn", "lstm", "gru"}
        The cell.
    input_size : int
        Features of the input ``x`` (I_0).
    hidden_size : int
        Hidden units per layer and direction (H).
    num_layers : int, default 1
        Stacked layers (L).
    bias : bool, default True
        Whether the ``bias_ih``/``bias_hh`` parameters exist.
    batch_first : bool, default False
        Inputs and outputs are (B, T, F) instead of (T, B, F).
    dropout : float, default 0.0
        Inverted dropout probability on the outputs of every layer but the last (training only).
    bidirectional : bool, default False
        Run a reverse direction too (D = 2); outputs are concatenated [forward, reverse].
    proj_size : int, default 0
        LSTM only: project h to this many units with ``weight_hr`` (P); 0 means no projection.
    peephole : bool, default False
        LSTM only: the gates see the cell state through ``weight_peephole``.
    coupled : bool, default False
        LSTM only: coupled input and forget gates (CIFG), i = 1 - f; three gates f, g, o.
    linear_before_reset : bool, default True
        GRU only: True applies r after the recurrent product (PyTorch, cuDNN), False before it
        (Cho et al. 2014, ONNX's default).
    nonlinearity : {"tanh", "relu"}, default "tanh"
        RNN only: the activation.
    """

    mode: str
    input_size: int
    hidden_size: int
    num_layers: int = 1
    bias: bool = True
    batch_first: bool = False
    dropout: float = 0.0
    bidirectional: bool = False
    proj_size: int = 0
    peephole: bool = False
    coupled: bool = False
    linear_before_reset: bool = True
    nonlinearity: str = "tanh"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode: expected one of {MODES}, got {self.mode!r}")
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731 (frozen dataclass)
        set_("input_size", check_int("input_size", self.input_size, 1))
        set_("hidden_size", check_int("hidden_size", self.hidden_size, 1))
        set_("num_layers", check_int("num_layers", self.num_layers, 1))
        set_("proj_size", check_int("proj_size", self.proj_size, 0))
        for name in ("bias", "batch_first", "bidirectional", "peephole", "coupled",
                     "linear_before_reset"):
            set_(name, check_bool(name, getattr(self, name)))
        if isinstance(self.dropout, (bool, np.bool_)) or not isinstance(
            self.dropout, (int, float, np.integer, np.floating)
        ):
            raise TypeError(f"dropout: expected a float in [0, 1), got {self.dropout!r}")
        set_("dropout", float(self.dropout))
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout: expected a float in [0, 1), got {self.dropout}")
        if self.nonlinearity not in NONLINEARITIES:
            raise ValueError(
                f"nonlinearity: expected one of {NONLINEARITIES}, got {self.nonlinearity!r}"
            )
        if self.mode != "lstm":
            for name in ("peephole", "coupled"):
                if getattr(self, name):
                    raise ValueError(f"{name}: only an LSTM has this option, mode is {self.mode!r}")
            if self.proj_size:
                raise ValueError(f"proj_size: only an LSTM has a projection, mode is {self.mode!r}")
        if self.proj_size >= self.hidden_size:
            raise ValueError(
                f"proj_size: expected 0 or less than hidden_size={self.hidden_size}, "
                f"got {self.proj_size}"
            )
        if self.mode != "gru" and not self.linear_before_reset:
            raise ValueError(
                f"linear_before_reset: only a GRU has this option, mode is {self.mode!r}"
            )
        if self.mode != "rnn" and self.nonlinearity != "tanh":
            raise ValueError(f"nonlinearity: only an RNN has this option, mode is {self.mode!r}")

    # -- derived sizes -------------------------------------------------------------------------

    @property
    def gate_names(self) -> Tuple[str, ...]:
        """Gate names in the row order of the stacked weights."""
        if self.mode == "lstm" and self.coupled:
            return GATE_NAMES["lstm_coupled"]
        return GATE_NAMES[self.mode]

    @property
    def num_gates(self) -> int:
        """G: gate blocks stacked in ``weight_ih``/``weight_hh`` rows."""
        return len(self.gate_names)

    @property
    def num_directions(self) -> int:
        """D: 2 when bidirectional, else 1."""
        return 2 if self.bidirectional else 1

    @property
    def output_size(self) -> int:
        """P: width of h (proj_size when set, else hidden_size)."""
        return self.proj_size or self.hidden_size

    @property
    def has_cell_state(self) -> bool:
        """Whether the state is (h, c) (LSTM) rather than h alone."""
        return self.mode == "lstm"

    @property
    def peephole_names(self) -> Tuple[str, ...]:
        """Gates that have a peephole, in the row order of ``weight_peephole``."""
        if not self.peephole:
            return ()
        return ("f", "o") if self.coupled else ("i", "f", "o")

    def layer_input_size(self, layer: int) -> int:
        """I_k: input features of layer ``layer`` (input_size, then D * P)."""
        return self.input_size if layer == 0 else self.num_directions * self.output_size

    # -- parameters ----------------------------------------------------------------------------

    def layer_param_shapes(self, layer: int) -> Dict[str, Tuple[int, ...]]:
        """Shapes of one layer-direction's parameters, keyed by the suffix-free base name."""
        G, H, P = self.num_gates, self.hidden_size, self.output_size
        shapes: Dict[str, Tuple[int, ...]] = {
            "weight_ih": (G * H, self.layer_input_size(layer)),
            "weight_hh": (G * H, P),
        }
        if self.bias:
            shapes["bias_ih"] = (G * H,)
            shapes["bias_hh"] = (G * H,)
        if self.proj_size:
            shapes["weight_hr"] = (P, H)
        if self.peephole:
            shapes["weight_peephole"] = (len(self.peephole_names) * H,)
        return shapes

    def param_shapes(self) -> Dict[str, Tuple[int, ...]]:
        """All parameter names (DESIGN.md section 4) and shapes, in canonical order."""
        out: Dict[str, Tuple[int, ...]] = {}
        for layer in range(self.num_layers):
            for direction in range(self.num_directions):
                sfx = "_reverse" if direction == 1 else ""
                for base, shape in self.layer_param_shapes(layer).items():
                    out[f"{base}_l{layer}{sfx}"] = shape
        return out

    def param_names(self) -> List[str]:
        """All parameter names in canonical order."""
        return list(self.param_shapes())

    def state_shapes(self, batch: int = None) -> Tuple[Tuple[int, ...], ...]:
        """Shapes of the state: ((L*D, B, P), (L*D, B, H)) for LSTM, ((L*D, B, P),) otherwise.

        With ``batch=None`` the batch axis is left out (unbatched input).
        """
        LD = self.num_layers * self.num_directions
        b = () if batch is None else (batch,)
        h = (LD,) + b + (self.output_size,)
        if self.has_cell_state:
            return (h, (LD,) + b + (self.hidden_size,))
        return (h,)

    def replace(self, **changes) -> "RNNSpec":
        """A copy with some settings changed."""
        return dataclasses.replace(self, **changes)
