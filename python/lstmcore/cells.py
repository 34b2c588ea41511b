"""The one-step cell classes lc.RNNCell, lc.LSTMCell and lc.GRUCell.

A cell is a single-layer, single-direction layer run for one time step: each call goes through
the same backend (``lstmcore.functional``) as the layer classes with T = 1, so the cells have no
math of their own. Parameter names are PyTorch's cell names (``weight_ih``, no ``_l0``).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import numpy as np

from . import modules as _modules
from ._args import check_bool
from .modules import ArrayLike, _cast_input, _check_seed, _ParamHolder, _settings_repr
from .params import check_dtype, init_params
from .spec import RNNSpec

__all__ = ["RNNCell", "LSTMCell", "GRUCell"]

_LAYER_SUFFIX = "_l0"


class _CellBase(_ParamHolder):
    """Common body of the cells: a T=1, one-layer spec and the name mapping to its parameters."""

    _mode: str = ""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        bias: bool,
        dtype: Any,
        seed: Optional[int],
        **mode_options: Any,
    ) -> None:
        self.spec = RNNSpec(
            mode=self._mode, input_size=input_size, hidden_size=hidden_size, bias=bias,
            **mode_options,
        )
        self.dtype = check_dtype(dtype)
        self.device = "cpu"
        layer_params = init_params(self.spec, self.dtype, _check_seed(seed))
        self._params = {self._cell_name(k): v for k, v in layer_params.items()}
        self._grads = {k: np.zeros_like(v) for k, v in self._params.items()}
        self._tape: Any = None
        self._tape_backend: Any = None
        self._tape_batch: Tuple[int, ...] = ()

    @staticmethod
    def _cell_name(layer_name: str) -> str:
        return layer_name[: -len(_LAYER_SUFFIX)]

    def _layer_params(self) -> Dict[str, np.ndarray]:
        return {k + _LAYER_SUFFIX: v for k, v in self._params.items()}

    # -- shapes --------------------------------------------------------------------------------

    def _step_input(self, x_t: ArrayLike) -> np.ndarray:
        """x_t (B, I) or (I,) -> the layer's x (1, B, I) or (1, I)."""
        xa = _cast_input(x_t, self.dtype, "x_t")
        if xa.ndim not in (1, 2) or xa.shape[-1] != self.spec.input_size:
            raise ValueError(
                f"x_t: expected shape (B, {self.spec.input_size}) or ({self.spec.input_size},), "
                f"got {xa.shape}"
            )
        return xa[None]

    def _state_in(
        self, value: Any, name: str, width: int, batch: Tuple[int, ...]
    ) -> Optional[np.ndarray]:
        """A cell state (B, W), or (W,) when ``batch`` is (), -> the layer's (1, B, W) or (1, W)."""
        if value is None:
            return None
        arr = _cast_input(value, self.dtype, name)
        if arr.shape != batch + (width,):
            raise ValueError(
                f"{name}: expected shape {batch + (width,)} to match x_t, got {arr.shape}"
            )
        return arr[None]

    # -- running -------------------------------------------------------------------------------

    def _run(self, x_t: ArrayLike, h0: Any, c0: Any, training: bool):
        check_bool("training", training)
        x = self._step_input(x_t)
        batch = x.shape[1:-1]  # (B,) or () when unbatched
        names = ("state[0]", "state[1]") if self.spec.has_cell_state else ("state", None)
        h = self._state_in(h0, names[0], self.spec.output_size, batch)
        if self.spec.has_cell_state:
            c = self._state_in(c0, names[1], self.spec.hidden_size, batch)
            state = None if h is None and c is None else (h, c)
        else:
            state = h
        if self.spec.has_cell_state and state is not None and (h is None or c is None):
            # The layer API takes both or neither; fill the missing half with zeros.
            if h is None:
                h = np.zeros((1,) + batch + (self.spec.output_size,), self.dtype)
            if c is None:
                c = np.zeros((1,) + batch + (self.spec.hidden_size,), self.dtype)
            state = (h, c)
        backend = _modules._get_backend()
        self._tape = None
        self._tape_backend = None
        _, state_n, tape = backend.forward(
            self.spec, self._layer_params(), x, state, training=bool(training)
        )
        if training:
            self._tape, self._tape_backend, self._tape_batch = tape, backend, batch
        if self.spec.has_cell_state:
            return state_n[0][0], state_n[1][0]
        return state_n[0]

    def _run_backward(self, dh1: Any, dc1: Any):
        if self._tape is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward: no tape; call forward(..., training=True) first"
            )
        batch = self._tape_batch
        names = ("dstate[0]", "dstate[1]") if self.spec.has_cell_state else ("dstate", None)
        # The output y of a one-step layer is h1 itself: send the whole gradient through the final
        # state and a zero dy.
        dy = np.zeros((1,) + batch + (self.spec.output_size,), self.dtype)
        dh = self._state_in(dh1, names[0], self.spec.output_size, batch)
        if self.spec.has_cell_state:
            dstate = (dh, self._state_in(dc1, names[1], self.spec.hidden_size, batch))
        else:
            dstate = dh
        dx, dstate0, grads = self._tape_backend.backward(
            self.spec, self._layer_params(), self._tape, dy, dstate
        )
        self._add_grads(grads, self._cell_name)
        if self.spec.has_cell_state:
            return dx[0], (dstate0[0][0], dstate0[1][0])
        return dx[0], dstate0[0]

    @property
    def last_tape(self) -> Any:
        """The tape of the last training forward (a T=1, one-layer tape), or None."""
        return self._tape

    def __repr__(self) -> str:
        return _settings_repr(self, ("bias", "proj_size", "peephole", "coupled",
                                     "linear_before_reset", "nonlinearity"))


class _SingleStateCell(_CellBase):
    """GRU and RNN cells: the state is one array h."""

    def __call__(self, x_t: ArrayLike, h0: Optional[ArrayLike] = None) -> np.ndarray:
        """Inference step: ``forward(x_t, h0, training=False)``; see :meth:`forward`."""
        return self.forward(x_t, h0)

    def forward(
        self, x_t: ArrayLike, h0: Optional[ArrayLike] = None, training: bool = False
    ) -> np.ndarray:
        """One time step.

        Parameters
        ----------
        x_t : array-like
            (B, I) or unbatched (I,); numeric input of another dtype is cast to the cell's dtype.
        h0 : array-like, optional
            (B, H) or (H,); None means zeros.
        training : bool, default False
            Keep the tape for :meth:`backward`; False drops any earlier tape.

        Returns
        -------
        h1 : ndarray
            (B, H) or (H,), the new state (which is also the step's output).
        """
        return self._run(x_t, h0, None, training)

    def backward(self, dh1: ArrayLike) -> Tuple[np.ndarray, np.ndarray]:
        """Backpropagate through the last training step; add parameter gradients to ``grads``.

        Parameters
        ----------
        dh1 : array-like
            Gradient with respect to h1, shaped like h1.

        Returns
        -------
        dx_t : ndarray
            Gradient with respect to x_t, shaped like x_t.
        dh0 : ndarray
            Gradient with respect to h0 (also when h0 was not given).

        Raises
        ------
        RuntimeError
            No ``forward(..., training=True)`` preceded this call.
        """
        return self._run_backward(dh1, None)


class RNNCell(_SingleStateCell):
    """One step of an Elman RNN: h1 = act(W_ih x + b_ih + W_hh h0 + b_hh).

    Parameters
    ----------
    input_size : int
        Features of x_t (I).
    hidden_size : int
        Hidden units (H).
    bias : bool, default True
        Whether ``bias_ih``/``bias_hh`` exist.
    nonlinearity : {"tanh", "relu"}, default "tanh"
    dtype : float32 or float64, default float32
    seed : int, optional
        Seeds the initialisation, uniform(-1/sqrt(H), 1/sqrt(H)).

    Attributes
    ----------
    spec : RNNSpec
        The equivalent one-layer spec.
    params, grads : dict of str to ndarray
        ``weight_ih`` (H, I), ``weight_hh`` (H, H), ``bias_ih``, ``bias_hh`` (H,), as in
        ``torch.nn.RNNCell``.
    dtype : numpy.dtype

    Examples
    --------
    >>> import numpy as np, lstmcore as lc
    >>> cell = lc.RNNCell(3, 4, seed=0)
    >>> h = cell(np.ones((2, 3), np.float32))
    >>> h.shape
    (2, 4)
    """

    _mode = "rnn"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        bias: bool = True,
        nonlinearity: str = "tanh",
        dtype: Any = np.float32,
        seed: Optional[int] = None,
    ) -> None:
        super().__init__(
            input_size, hidden_size, bias=bias, dtype=dtype, seed=seed, nonlinearity=nonlinearity
        )


class GRUCell(_SingleStateCell):
    """One GRU step: gates r, z, n; h1 = (1 - z)*n + z*h0.

    Parameters
    ----------
    input_size : int
        Features of x_t (I).
    hidden_size : int
        Hidden units (H).
    bias : bool, default True
        Whether ``bias_ih``/``bias_hh`` exist.
    linear_before_reset : bool, default True
        True: r multiplies (W_hn h + b_hn) (PyTorch); False: W_hn multiplies (r*h) (Cho 2014).
    dtype : float32 or float64, default float32
    seed : int, optional
        Seeds the initialisation, uniform(-1/sqrt(H), 1/sqrt(H)).

    Attributes
    ----------
    spec : RNNSpec
        The equivalent one-layer spec.
    params, grads : dict of str to ndarray
        ``weight_ih`` (3H, I), ``weight_hh`` (3H, H), ``bias_ih``, ``bias_hh`` (3H,), as in
        ``torch.nn.GRUCell``.
    dtype : numpy.dtype

    Examples
    --------
    >>> import numpy as np, lstmcore as lc
    >>> cell = lc.GRUCell(3, 4, seed=0)
    >>> h1 = cell.forward(np.ones(3, np.float32), training=True)
    >>> dx, dh0 = cell.backward(np.ones(4, np.float32))
    >>> h1.shape, dx.shape, dh0.shape
    ((4,), (3,), (4,))
    """

    _mode = "gru"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        bias: bool = True,
        linear_before_reset: bool = True,
        dtype: Any = np.float32,
        seed: Optional[int] = None,
    ) -> None:
        super().__init__(
            input_size, hidden_size, bias=bias, dtype=dtype, seed=seed,
            linear_before_reset=linear_before_reset,
        )


LSTMState = Tuple[Optional[ArrayLike], Optional[ArrayLike]]


class LSTMCell(_CellBase):
    """One LSTM step, with the peephole, coupled-gate and projection variants of ``lc.LSTM``.

    Parameters
    ----------
    input_size : int
        Features of x_t (I).
    hidden_size : int
        Cell units (H).
    bias : bool, default True
        Whether ``bias_ih``/``bias_hh`` exist.
    peephole : bool, default False
        Gates see the cell state through ``weight_peephole`` (rows i, f, o; coupled: f, o).
    coupled : bool, default False
        Coupled input and forget gates, i = 1 - f (rows f, g, o).
    proj_size : int, default 0
        Width P of the projected h (``weight_hr`` (P, H)); 0 means none.
    dtype : float32 or float64, default float32
    seed : int, optional
        Seeds the initialisation, uniform(-1/sqrt(H), 1/sqrt(H)).

    Attributes
    ----------
    spec : RNNSpec
        The equivalent one-layer spec.
    params, grads : dict of str to ndarray
        ``weight_ih`` (G*H, I), ``weight_hh`` (G*H, P), ``bias_ih``, ``bias_hh`` (G*H,) as in
        ``torch.nn.LSTMCell``, plus ``weight_hr`` and ``weight_peephole`` when enabled.
    dtype : numpy.dtype

    Examples
    --------
    >>> import numpy as np, lstmcore as lc
    >>> cell = lc.LSTMCell(3, 4, seed=0)
    >>> h1, c1 = cell.forward(np.ones((2, 3), np.float32), training=True)
    >>> dx, (dh0, dc0) = cell.backward((np.ones_like(h1), None))
    >>> h1.shape, c1.shape, dx.shape
    ((2, 4), (2, 4), (2, 3))
    """

    _mode = "lstm"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        bias: bool = True,
        peephole: bool = False,
        coupled: bool = False,
        proj_size: int = 0,
        dtype: Any = np.float32,
        seed: Optional[int] = None,
    ) -> None:
        super().__init__(
            input_size, hidden_size, bias=bias, dtype=dtype, seed=seed, peephole=peephole,
            coupled=coupled, proj_size=proj_size,
        )

    @staticmethod
    def _split(state: Any, name: str) -> LSTMState:
        if state is None:
            return None, None
        if not isinstance(state, (tuple, list)) or len(state) != 2:
            raise TypeError(
                f"{name}: expected a tuple (h, c) for an LSTM cell, got {type(state).__name__}"
            )
        return state[0], state[1]

    def __call__(
        self, x_t: ArrayLike, state: Optional[LSTMState] = None
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Inference step: ``forward(x_t, state, training=False)``; see :meth:`forward`."""
        return self.forward(x_t, state)

    def forward(
        self, x_t: ArrayLike, state: Optional[LSTMState] = None, training: bool = False
    ) -> Tuple[np.ndarray, np.ndarray]:
        """One time step.

        Parameters
        ----------
        x_t : array-like
            (B, I) or unbatched (I,); numeric input of another dtype is cast to the cell's dtype.
        state : tuple (h0, c0), optional
            h0 (B, P), c0 (B, H) (no B axis for unbatched x_t); None, or a None element, means
            zeros.
        training : bool, default False
            Keep the tape for :meth:`backward`; False drops any earlier tape.

        Returns
        -------
        h1 : ndarray
            (B, P) or (P,).
        c1 : ndarray
            (B, H) or (H,).
        """
        h0, c0 = self._split(state, "state")
        return self._run(x_t, h0, c0, training)

    def backward(
        self, dstate: LSTMState
    ) -> Tuple[np.ndarray, Tuple[np.ndarray, np.ndarray]]:
        """Backpropagate through the last training step; add parameter gradients to ``grads``.

        Parameters
        ----------
        dstate : tuple (dh1, dc1)
            Gradients with respect to h1 and c1; either may be None (zeros).

        Returns
        -------
        dx_t : ndarray
            Gradient with respect to x_t, shaped like x_t.
        (dh0, dc0) : tuple of ndarray
            Gradients with respect to h0 and c0 (also when no state was given).

        Raises
        ------
        RuntimeError
            No ``forward(..., training=True)`` preceded this call.
        """
        dh1, dc1 = self._split(dstate, "dstate")
        return self._run_backward(dh1, dc1)

