"""Memory a forward or backward call will need, checked before anything large is allocated.

A call whose arrays cannot fit must fail with a clear MemoryError up front: left to the allocator,
a request just under the machine's memory succeeds (Linux overcommits) and the process is killed
later while the arrays are filled. The estimate follows the tape layout of
``src/cpp/include/lstmcore/tape.hpp`` plus the per-call workspaces, in Python integers so that it
cannot overflow.
"""

from __future__ import annotations

import functools
import os
from typing import Optional

from .spec import RNNSpec

__all__ = ["tape_elements", "forward_bytes", "backward_bytes", "params_bytes", "memory_limit",
           "check_bytes"]


def _widths(spec: RNNSpec):
    H, P, G = spec.hidden_size, spec.output_size, spec.num_gates
    # A GRU keeps one more H block next to its gates (W_hn h + b_hn, or r * h for Cho's form).
    ldg = G * H + (H if spec.mode == "gru" else 0)
    max_i = max(spec.layer_input_size(k) for k in range(spec.num_layers))
    return H, P, G, ldg, max_i


def tape_elements(spec: RNNSpec, seq_len: int, batch: int, with_grads: bool = False) -> int:
    """Scalars a training forward saves (the layout of lstmcore/tape.hpp), without the index
    arrays; ``with_grads`` adds the dL/dh_t, dL/dc_t arrays a backward records."""
    T, B = int(seq_len), int(batch)
    H, P, _, ldg, _ = _widths(spec)
    lstm = spec.has_cell_state
    n = sum(T * B * spec.layer_input_size(k) for k in range(spec.num_layers))
    per_dir = T * B * ldg + (T + 1) * B * P
    if lstm:
        per_dir += (T + 1) * B * H
    if spec.proj_size:
        per_dir += T * B * H
    if with_grads:
        per_dir += T * B * P + (T * B * H if lstm else 0)
    return n + spec.num_layers * spec.num_directions * per_dir


def forward_bytes(spec: RNNSpec, seq_len: int, batch: int, itemsize: int, training: bool) -> int:
    """Bytes of the largest arrays one forward allocates: outputs, workspaces and the tape, plus
    the parameters (the core needs them contiguous; a broadcast view would be copied)."""
    T, B = int(seq_len), int(batch)
    H, P, _, ldg, max_i = _widths(spec)
    DP = spec.num_directions * P
    n = 2 * T * B * DP  # y and the layer output buffer
    if spec.bidirectional:
        n += T * B * max_i  # the reverse direction's input in scan order
    if training:
        n += tape_elements(spec, T, B)
    else:
        # The input copy, and a set of workspaces reused by every layer: one per direction,
        # since the two directions of a layer may run at once (an upper bound on one thread).
        per_dir = T * B * ldg + (T + 1) * B * P
        if spec.has_cell_state:
            per_dir += (T + 1) * B * H
        if spec.proj_size:
            per_dir += T * B * H
        n += T * B * max_i + spec.num_directions * per_dir
    return n * int(itemsize) + params_bytes(spec, itemsize)


def backward_bytes(spec: RNNSpec, seq_len: int, batch: int, itemsize: int) -> int:
    """Bytes one backward allocates besides the tape it reads (which gains its gradient arrays)."""
    T, B = int(seq_len), int(batch)
    H, P, G, _, max_i = _widths(spec)
    DP = spec.num_directions * P
    gh = 2 if spec.mode == "gru" and spec.linear_before_reset else 1
    # d_out, d_in, the reverse direction's input, dx; then the workspaces of a direction (dy in
    # scan order, the gates' gradients, dx in scan order), one set per direction (they may run
    # at once).
    n = T * B * (DP + 2 * max_i + spec.input_size)
    n += spec.num_directions * T * B * (P + gh * G * H + max_i)
    n += tape_elements(spec, T, B, with_grads=True) - tape_elements(spec, T, B)
    return n * int(itemsize) + params_bytes(spec, itemsize)  # + the gradients


def _prod(shape) -> int:
    out = 1
    for s in shape:
        out *= int(s)
    return out


# Below this a call is not worth a system call: any machine that runs Python holds it.
_SMALL = 256 * 2**20


@functools.lru_cache(maxsize=1)
def _machine_bytes() -> Optional[int]:
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("SwapTotal:"):
                    total += int(line.split()[1]) * 1024
    except (ValueError, OSError):
        pass
    return total


def params_bytes(spec: RNNSpec, itemsize: int) -> int:
    """Bytes of one set of parameters (the same again for their gradients)."""
    # Layers 1.. all have the same shapes: no per-layer loop, so a forged num_layers is cheap.
    first = sum(_prod(shape) for shape in spec.layer_param_shapes(0).values())
    rest = 0
    if spec.num_layers > 1:
        rest = (spec.num_layers - 1) * sum(_prod(s) for s in spec.layer_param_shapes(1).values())
    return (first + rest) * spec.num_directions * int(itemsize)


def memory_limit() -> Optional[int]:
    """Bytes this process can ever hold: physical memory plus swap, capped by RLIMIT_AS/RLIMIT_DATA
    when set; None where it cannot be read."""
    limit = _machine_bytes()
    try:
        import resource

        for which in (resource.RLIMIT_AS, getattr(resource, "RLIMIT_DATA", None)):
            if which is None:
                continue
            soft = resource.getrlimit(which)[0]
            if soft != resource.RLIM_INFINITY and soft > 0:
                limit = soft if limit is None else min(limit, soft)
    except (ImportError, ValueError, OSError):
        pass
    return limit


def _gib(n: int) -> str:
    return f"{n / 2**30:.3g} GiB"


def check_bytes(what: str, needed: int, spec: RNNSpec, seq_len: Optional[int] = None,
                batch: Optional[int] = None) -> None:
    """Raise MemoryError when ``needed`` bytes exceed what this process can ever hold."""
    if needed <= _SMALL:
        return
    limit = memory_limit()
    if limit is not None and needed > limit:
        sizes = "" if seq_len is None else f"T={seq_len}, B={batch}, "
        advice = ("use shorter sequences (truncated BPTT), a smaller batch or a smaller model"
                  if seq_len is not None else "use a smaller input_size or hidden_size")
        raise MemoryError(
            f"{what}: needs about {_gib(needed)} for {sizes}input_size={spec.input_size}, "
            f"hidden_size={spec.hidden_size}, num_layers={spec.num_layers}, "
            f"directions={spec.num_directions}, but this process can hold at most {_gib(limit)} "
            f"(memory + swap, or its rlimit); {advice}"
        )
