"""Run-time settings of the compiled kernels: thread count and instruction set (ISA).

Both settings are process-wide (one thread pool and one kernel choice serve every layer and
every calling thread). Results never depend on the thread count: threads split output rows or
hidden units, never a sum.
"""

from __future__ import annotations

import operator
from typing import List, Optional

import numpy as np

from . import _core

__all__ = ["available_isas", "get_isa", "get_num_threads", "set_max_isa", "set_num_threads"]

ISA_NAMES = ("baseline", "avx2", "avx512")


def set_num_threads(n: Optional[int]) -> None:
    """Set how many threads the compiled core uses.

    Parameters
    ----------
    n : int or None
        Threads (>= 1). ``None`` restores the default: ``LSTMCORE_NUM_THREADS`` when set, else
        the CPUs this process may run on.

    Raises
    ------
    TypeError
        ``n`` is not an int or None.
    ValueError
        ``n`` is below 1.

    Notes
    -----
    Small problems stay on one thread whatever this says, when a second one would not pay.
    Results are bitwise identical for any thread count.
    """
    if n is None:
        _core._set_num_threads(0)
        return
    if isinstance(n, (bool, np.bool_)) or not hasattr(n, "__index__"):
        raise TypeError(f"n: expected an int >= 1 or None, got {type(n).__name__} {n!r}")
    count = operator.index(n)
    if count < 1 or count > 1024:
        raise ValueError(f"n: expected an int in [1, 1024] or None, got {count}")
    _core._set_num_threads(count)


def get_num_threads() -> int:
    """The number of threads the compiled core uses.

    Returns
    -------
    int
        The value of the last :func:`set_num_threads`, else ``LSTMCORE_NUM_THREADS`` when set,
        else the CPUs this process may run on.
    """
    return int(_core._get_num_threads())


def set_max_isa(name: Optional[str]) -> None:
    """Cap the SIMD instruction set the kernels use (to test or compare the lower ones).

    Parameters
    ----------
    name : {"avx512", "avx2", "baseline"} or None
        The highest ISA allowed (case-insensitive); ``None`` drops the cap. A cap above what the
        machine runs is harmless. The environment variable ``LSTMCORE_MAX_ISA`` (read once, at
        first use) caps it too: the lower of the two wins.

    Raises
    ------
    TypeError
        ``name`` is not a str or None.
    ValueError
        ``name`` is not one of the ISA names.

    Notes
    -----
    Process-wide; call it while no computation runs on other threads.
    """
    if name is None:
        _core._set_max_isa(None)
        return
    if not isinstance(name, str):
        raise TypeError(f"name: expected a str or None, got {type(name).__name__} {name!r}")
    if name.lower() not in ISA_NAMES:
        raise ValueError(f"name: expected one of {ISA_NAMES} or None, got {name!r}")
    _core._set_max_isa(name.lower())


def get_isa() -> str:
    """The instruction set the kernels use now.

    Returns
    -------
    str
        ``"avx512"``, ``"avx2"`` or ``"baseline"``: the best one compiled in and supported by
        this CPU, capped by ``LSTMCORE_MAX_ISA`` and :func:`set_max_isa`.
    """
    return str(_core._get_isa())


def available_isas() -> List[str]:
    """The instruction sets compiled in that this machine can run, lowest first.

    Returns
    -------
    list of str
        Always starts with ``"baseline"`` (portable code). ``LSTMCORE_MAX_ISA`` and
        :func:`set_max_isa` do not shrink this list; they only cap the choice among it.
    """
    return [str(s) for s in _core._available_isas()]
