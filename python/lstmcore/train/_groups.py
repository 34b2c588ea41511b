"""Turn the optimizers' and clipping's ``params``/``grads`` arguments into a list of dicts."""

from __future__ import annotations

from typing import Dict, List, Mapping, Sequence, Union

import numpy as np

DictOrDicts = Union[Mapping[str, np.ndarray], Sequence[Mapping[str, np.ndarray]]]


def as_dict_list(value, name: str) -> List[Dict[str, np.ndarray]]:
    """One dict or a list/tuple of dicts (e.g. ``[lstm.params, head.params]``) as a list."""
    if isinstance(value, Mapping):
        return [value]  # type: ignore[list-item]
    if isinstance(value, (list, tuple)) and all(isinstance(d, Mapping) for d in value):
        return list(value)  # type: ignore[arg-type]
    raise TypeError(f"{name}: expected a dict of arrays or a list of such dicts, "
                    f"got {type(value).__name__}")


def matching_grads(params: List[Dict[str, np.ndarray]], grads, name: str = "grads"):
    """Validate ``grads`` against ``params`` (same number of dicts, names and shapes)."""
    gl = as_dict_list(grads, name)
    if len(gl) != len(params):
        raise ValueError(f"{name}: expected {len(params)} dict(s) like params, got {len(gl)}")
    for k, (p, g) in enumerate(zip(params, gl)):
        for key, arr in p.items():
            if key not in g:
                raise ValueError(f"{name}[{k}]: missing gradient for parameter {key!r}")
            if np.shape(g[key]) != arr.shape:
                raise ValueError(f"{name}[{k}][{key!r}]: expected shape {arr.shape}, "
                                 f"got {np.shape(g[key])}")
    return gl
