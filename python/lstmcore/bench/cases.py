"""The benchmark's cases (cell, sizes, variant), their data and their FLOP counts."""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..params import init_params
from ..spec import RNNSpec

__all__ = ["Case", "CaseData", "KINDS", "full_suite", "quick_suite", "select"]

# Case kinds, the names --only accepts.
KINDS = ("lstm", "gru", "rnn", "bidir", "ragged", "peephole", "coupled")

# Gate blocks per cell: the multiply-adds of a step are G * H * (I + H) per sequence.
_GATES = {"lstm": 4, "gru": 3, "rnn": 1}


@dataclasses.dataclass(frozen=True)
class Case:
    """One benchmark configuration (time-major float32, input size = hidden size unless set).

    ``kind`` is one of :data:`KINDS`; ``ragged`` cases draw lengths uniform in [T/4, T].
    """

    kind: str
    batch: int
    hidden: int
    steps: int = 100
    layers: int = 1
    bidirectional: bool = False
    ragged: bool = False
    peephole: bool = False
    coupled: bool = False
    input: Optional[int] = None

    @property
    def mode(self) -> str:
        return self.kind if self.kind in ("gru", "rnn") else "lstm"

    @property
    def input_size(self) -> int:
        return self.input if self.input is not None else self.hidden

    @property
    def label(self) -> str:
        name = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN tanh", "bidir": "LSTM 2-layer bidir",
                "ragged": "LSTM ragged", "peephole": "LSTM peephole",
                "coupled": "LSTM coupled"}[self.kind]
        return f"{name} B={self.batch} H={self.hidden}"

    def spec(self) -> RNNSpec:
        return RNNSpec(self.mode, self.input_size, self.hidden, num_layers=self.layers,
                       bidirectional=self.bidirectional, peephole=self.peephole,
                       coupled=self.coupled)

    def lengths(self) -> Optional[np.ndarray]:
        if not self.ragged:
            return None
        rng = np.random.default_rng(1234)
        lo = max(1, self.steps // 4)
        return rng.integers(lo, self.steps + 1, size=self.batch).astype(np.int64)

    def plain_twin(self) -> Optional["Case"]:
        """For a peephole or coupled case, the standard LSTM of the same sizes (batch, hidden,
        input, steps, layers, directions, lengths) that its overhead is measured against; else
        None."""
        if not (self.peephole or self.coupled):
            return None
        return dataclasses.replace(self, kind="lstm", peephole=False, coupled=False)

    def valid_steps(self) -> int:
        """Sequence steps that carry data (T * B, or the sum of the lengths)."""
        lengths = self.lengths()
        return int(self.steps * self.batch if lengths is None else lengths.sum())

    def flops(self, training: bool) -> float:
        """Floating-point operations of the matrix products (2 per multiply-add).

        Forward: 2 * steps * G * H * (I_layer + H) per layer and direction. Training counts the
        forward and a backward of twice its work (input/state gradients and weight gradients);
        the pointwise gate math is not counted.
        """
        gates = 3 if self.coupled else _GATES[self.mode]
        dirs = 2 if self.bidirectional else 1
        total = 0.0
        for layer in range(self.layers):
            inp = self.input_size if layer == 0 else dirs * self.hidden
            total += dirs * 2.0 * self.valid_steps() * gates * self.hidden * (inp + self.hidden)
        return total * (3.0 if training else 1.0)


@dataclasses.dataclass
class CaseData:
    """Inputs every peer of one case uses: the same parameters, x, dy and lengths."""

    case: Case
    spec: RNNSpec
    params: Dict[str, np.ndarray]
    x: np.ndarray
    dy: np.ndarray
    lengths: Optional[np.ndarray]

    @classmethod
    def make(cls, case: Case, seed: int = 0) -> "CaseData":
        spec = case.spec()
        params = init_params(spec, np.float32, seed=seed)
        rng = np.random.default_rng(seed + 1)
        x = rng.standard_normal((case.steps, case.batch, case.input_size)).astype(np.float32)
        out = (2 if case.bidirectional else 1) * case.hidden
        dy = rng.standard_normal((case.steps, case.batch, out)).astype(np.float32)
        lengths = case.lengths()
        if lengths is not None:  # the output past each length is zero: so is its gradient
            dy[np.arange(case.steps)[:, None] >= lengths[None, :]] = 0
        return cls(case, spec, params, x, dy, lengths)


def full_suite() -> List[Case]:
    """The cases of the issue: T = 100, float32."""
    cases = [Case("lstm", b, h) for b, h in ((1, 128), (16, 256), (64, 512), (128, 1024))]
    cases += [Case(k, b, h) for k in ("gru", "rnn") for b, h in ((16, 256), (64, 512))]
    cases.append(Case("bidir", 32, 256, layers=2, bidirectional=True))
    cases.append(Case("ragged", 64, 512, ragged=True))
    cases += [Case("peephole", b, h, peephole=True) for b, h in ((16, 256), (64, 512))]
    cases += [Case("coupled", b, h, coupled=True) for b, h in ((16, 256), (64, 512))]
    return cases


def quick_suite() -> List[Case]:
    """Tiny versions of every kind (a smoke test that runs in seconds)."""
    return [Case("lstm", 2, 16, steps=6), Case("gru", 2, 16, steps=6),
            Case("rnn", 2, 16, steps=6),
            Case("bidir", 2, 8, steps=5, layers=2, bidirectional=True),
            Case("ragged", 4, 16, steps=8, ragged=True),
            Case("peephole", 2, 16, steps=6, peephole=True),
            Case("coupled", 2, 16, steps=6, coupled=True)]


def select(cases: Sequence[Case], kinds: Optional[Sequence[str]]) -> List[Case]:
    """The cases whose kind is in ``kinds`` (all when None)."""
    return [c for c in cases if kinds is None or c.kind in kinds]
