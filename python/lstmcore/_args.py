"""Checks of scalar int and bool arguments, with the one error wording every module uses."""

from __future__ import annotations

import operator

import numpy as np

__all__ = ["check_bool", "check_int"]


def check_int(name: str, value, minimum: int) -> int:
    """``value`` as an int >= ``minimum``; bools are refused (they are ints to Python)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected an int >= {minimum}, got bool {value!r}")
    try:
        ivalue = operator.index(value)
    except TypeError:
        raise TypeError(
            f"{name}: expected an int >= {minimum}, got {type(value).__name__} {value!r}"
        ) from None
    if ivalue < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {ivalue}")
    return ivalue


def check_bool(name: str, value) -> bool:
    """``value`` (a bool or NumPy bool) as a Python bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a bool, got {type(value).__name__} {value!r}")
    return bool(value)
