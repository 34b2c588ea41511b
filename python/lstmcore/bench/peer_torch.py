"""The PyTorch peer: torch.nn.LSTM/GRU/RNN (PackedSequence for ragged batches), and for the
peephole and coupled LSTMs, which PyTorch lacks, the Python loop of cell math a user would write.
"""

from __future__ import annotations

from typing import Dict, Optional

from .cases import CaseData
from .peers import Peer, Runner

__all__ = ["TorchPeer"]


def _torch():
    import torch

    return torch


class TorchPeer(Peer):
    name = "torch"
    title = "PyTorch"

    def available(self) -> Optional[str]:
        try:
            _torch()
        except ImportError:
            return "torch is not installed"
        return None

    def version(self) -> str:
        return _torch().__version__

    def set_threads(self, n: int) -> None:
        _torch().set_num_threads(n)

    def build(self, data: CaseData, training: bool, threads: int) -> Runner:
        case = data.case
        if case.peephole or case.coupled:
            return _loop_runner(data, training)
        torch = _torch()
        cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[case.mode]
        module = cls(case.input_size, case.hidden, num_layers=case.layers,
                     bidirectional=case.bidirectional)
        module.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in data.params.items()})
        x = torch.from_numpy(data.x.copy())
        dy = torch.from_numpy(data.dy.copy())
        lengths = None if data.lengths is None else torch.from_numpy(data.lengths.copy())
        pack = torch.nn.utils.rnn.pack_padded_sequence
        unpack = torch.nn.utils.rnn.pad_packed_sequence
        steps = case.steps

        def forward(inp):
            if lengths is None:
                return module(inp)[0]
            # The user's padded batch goes in and comes out padded: packing is part of the cost.
            out, _ = module(pack(inp, lengths, enforce_sorted=False))
            return unpack(out, total_length=steps)[0]

        if not training:
            def infer():
                with torch.inference_mode():
                    return forward(x).numpy()

            return infer
        x.requires_grad_(True)

        def train():
            module.zero_grad(set_to_none=True)
            x.grad = None
            forward(x).backward(dy)

        return train


def _loop_runner(data: CaseData, training: bool) -> Runner:
    """Peephole / coupled LSTM as a PyTorch user writes it: the input projection of all steps
    in one product, then one cell update per step in Python."""
    torch = _torch()
    case = data.case
    H = case.hidden
    p: Dict[str, "torch.Tensor"] = {
        k: torch.from_numpy(v.copy()).requires_grad_(training) for k, v in data.params.items()
    }
    x = torch.from_numpy(data.x.copy()).requires_grad_(training)
    dy = torch.from_numpy(data.dy.copy())
    zeros = torch.zeros(case.batch, H)

    def forward():
        T, B, _ = x.shape
        w_hh_t = p["weight_hh_l0"].t()
        xp = torch.addmm(p["bias_ih_l0"] + p["bias_hh_l0"], x.reshape(T * B, -1),
                         p["weight_ih_l0"].t()).reshape(T, B, -1)
        peep = p.get("weight_peephole_l0")
        if peep is not None:
            if case.coupled:
                pf, po = peep.chunk(2)
            else:
                pi, pf, po = peep.chunk(3)
        h, c = zeros, zeros
        ys = []
        for t in range(T):
            g = torch.addmm(xp[t], h, w_hh_t)
            if case.coupled:
                gf, gg, go = g.chunk(3, 1)
            else:
                gi, gf, gg, go = g.chunk(4, 1)
            if peep is not None:
                f = torch.sigmoid(gf + pf * c)
                i = 1 - f if case.coupled else torch.sigmoid(gi + pi * c)
            else:
                f = torch.sigmoid(gf)
                i = 1 - f if case.coupled else torch.sigmoid(gi)
            c = f * c + i * torch.tanh(gg)
            o = torch.sigmoid(go + po * c) if peep is not None else torch.sigmoid(go)
            h = o * torch.tanh(c)
            ys.append(h)
        return torch.stack(ys)

    if not training:
        def infer():
            with torch.inference_mode():
                return forward().numpy()

        return infer

    def train():
        for t in list(p.values()) + [x]:
            t.grad = None
        forward().backward(dy)

    return train
