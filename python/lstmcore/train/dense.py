"""Dense: the fully connected output layer y = x W^T + b, with its backward pass."""

from __future__ import annotations

from typing import Dict, Optional

import numpy as np

from .._args import check_bool, check_int
from ..params import check_dtype

__all__ = ["Dense"]


class Dense:
    """A fully connected layer ``y = x @ weight.T + bias`` over the last axis.

    It reads a recurrent layer's output (``(T, B, H)``, ``(B, H)`` or any ``(..., H)``) and is
    trained with the same dict protocol as the recurrent layers: ``params`` and ``grads`` are
    dicts of arrays, ``backward`` adds into ``grads`` and the optimizers update ``params`` in
    place.

    Parameters
    ----------
    in_features, out_features : int
        Width of the input's last axis and of the output's.
    bias : bool, default True
        Whether a ``bias`` parameter exists.
    dtype : float32 or float64, default float32
        Dtype of the parameters and of the computation.
    seed : int, optional
        Seed of the initialisation, PyTorch's uniform(-1/sqrt(in), 1/sqrt(in)).

    Attributes
    ----------
    params : dict
        ``"weight"`` (out_features, in_features) and ``"bias"`` (out_features,).
    grads : dict
        Same names and shapes, accumulated by :meth:`backward`, reset by :meth:`zero_grad`.
    """

    def __init__(self, in_features: int, out_features: int, *, bias: bool = True,
                 dtype=np.float32, seed: Optional[int] = None) -> None:
        self.in_features = check_int("in_features", in_features, 1)
        self.out_features = check_int("out_features", out_features, 1)
        check_bool("bias", bias)
        self.dtype = check_dtype(dtype)
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(self.in_features)
        self.params: Dict[str, np.ndarray] = {
            "weight": rng.uniform(-bound, bound, (self.out_features, self.in_features)).astype(
                self.dtype)
        }
        if bias:
            self.params["bias"] = rng.uniform(-bound, bound, self.out_features).astype(self.dtype)
        self.grads: Dict[str, np.ndarray] = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._x: Optional[np.ndarray] = None

    def __repr__(self) -> str:
        return (f"Dense({self.in_features}, {self.out_features}, bias={'bias' in self.params}, "
                f"dtype={self.dtype.name})")

    def __call__(self, x) -> np.ndarray:
        return self.forward(x, training=False)

    def _check_x(self, x) -> np.ndarray:
        xa = np.asarray(x)
        if xa.dtype.kind not in "fiu":
            raise TypeError(f"x: expected a float array, got dtype {xa.dtype}")
        if xa.ndim < 1 or xa.shape[-1] != self.in_features:
            raise ValueError(
                f"x: expected shape (..., {self.in_features}), got {xa.shape}"
            )
        return xa.astype(self.dtype, copy=False)

    def forward(self, x, training: bool = True) -> np.ndarray:
        """``x @ weight.T + bias``; with ``training=True`` keeps ``x`` for :meth:`backward`.

        Parameters
        ----------
        x : ndarray (..., in_features)

        Returns
        -------
        ndarray (..., out_features)
        """
        xa = self._check_x(x)
        y = xa @ self.params["weight"].T
        if "bias" in self.params:
            y += self.params["bias"]
        self._x = xa if training else None
        return y

    def backward(self, dy) -> np.ndarray:
        """Add dL/dweight and dL/dbias into :attr:`grads`; return dL/dx.

        Parameters
        ----------
        dy : ndarray (..., out_features)
            Gradient of the loss with respect to the output of the last training forward.

        Returns
        -------
        ndarray (..., in_features)
        """
        if self._x is None:
            raise RuntimeError("Dense.backward: call forward(x, training=True) first")
        dya = np.asarray(dy)
        expected = self._x.shape[:-1] + (self.out_features,)
        if dya.shape != expected:
            raise ValueError(f"dy: expected the shape of y {expected}, got {dya.shape}")
        dya = dya.astype(self.dtype, copy=False)
        dy2 = dya.reshape(-1, self.out_features)
        x2 = self._x.reshape(-1, self.in_features)
        self.grads["weight"] += dy2.T @ x2
        if "bias" in self.grads:
            self.grads["bias"] += dy2.sum(axis=0)
        return dya @ self.params["weight"]

    def zero_grad(self) -> None:
        """Set every gradient to zero (in place)."""
        for g in self.grads.values():
            g[...] = 0
