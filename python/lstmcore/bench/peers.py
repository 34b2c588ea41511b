"""Benchmark peers: the interface, lstmcore itself, and the plain NumPy loop (lstmcore.reference).

A peer turns a case's data into a callable that runs one inference (returns y, for the agreement
check) or one training step (forward and backward of every input and parameter).
"""

from __future__ import annotations

import abc

from typing import Callable, List, Optional

import numpy as np

from .. import functional, reference
from .._runtime import set_num_threads
from .cases import CaseData

__all__ = ["Peer", "LstmcorePeer", "NumpyPeer", "all_peers", "PEER_NAMES"]

Runner = Callable[[], Optional[np.ndarray]]

PEER_NAMES = ("lstmcore", "torch", "onnx", "numpy")


class Peer(abc.ABC):
    """One implementation under test. Subclasses set ``name``/``title`` and override."""

    name = "peer"
    title = "peer"

    def available(self) -> Optional[str]:
        """None when usable, else why not (a missing package)."""
        return None

    def version(self) -> str:
        return ""

    def supports(self, data: CaseData, training: bool) -> bool:
        return True

    def set_threads(self, n: int) -> None:
        """Make the next build/run use ``n`` threads."""

    @abc.abstractmethod
    def build(self, data: CaseData, training: bool, threads: int) -> Runner:
        """A runner that times one case of this peer."""


class LstmcorePeer(Peer):
    name = "lstmcore"
    title = "lstmcore"

    def version(self) -> str:
        from .. import __version__, get_isa

        return f"{__version__} ({get_isa()})"

    def set_threads(self, n: int) -> None:
        set_num_threads(n)

    def build(self, data: CaseData, training: bool, threads: int) -> Runner:
        return _functional_runner(functional, data, training)


class NumpyPeer(Peer):
    """The pure-NumPy reference: a readable loop, far slower; only run on small cases."""

    name = "numpy"
    title = "NumPy loop"
    max_work = 16 * 256  # B * H above which it is skipped (it is slow)

    def version(self) -> str:
        return np.__version__

    def supports(self, data: CaseData, training: bool) -> bool:
        return data.case.batch * data.case.hidden <= self.max_work

    def build(self, data: CaseData, training: bool, threads: int) -> Runner:
        return _functional_runner(reference, data, training)


def _functional_runner(module, data: CaseData, training: bool) -> Runner:
    spec, params, x, lengths, dy = data.spec, data.params, data.x, data.lengths, data.dy
    if not training:
        return lambda: module.forward(spec, params, x, lengths=lengths)[0]

    def step():
        y, _, tape = module.forward(spec, params, x, lengths=lengths, training=True, seed=0)
        module.backward(spec, params, tape, dy)
        return None

    return step


def all_peers() -> List[Peer]:
    """Every peer, lstmcore first (the others are imported lazily: they are optional)."""
    from .peer_onnx import OnnxPeer
    from .peer_torch import TorchPeer

    return [LstmcorePeer(), TorchPeer(), OnnxPeer(), NumpyPeer()]
