"""The layer classes lc.RNN, lc.LSTM and lc.GRU: parameters, gradients and the tape around functional.

A layer object owns what a stateless ``forward``/``backward`` pair cannot: its settings (an
:class:`~lstmcore.RNNSpec`), its parameters, the gradients accumulated into them and the tape of
its last training forward. All the math is in the backend (``lstmcore.functional``, the C++
core); the classes only move arrays in and out.
"""

from __future__ import annotations

import types
from typing import Any, Dict, Mapping, Optional, Tuple, Union

import numpy as np

from ._args import check_bool
from .params import as_numpy, check_dtype, init_params
from .spec import RNNSpec

__all__ = ["RNN", "LSTM", "GRU"]

ArrayLike = Any
State = Union[np.ndarray, Tuple[np.ndarray, np.ndarray]]

# The front end the classes call. None means lstmcore.functional (the C++ core); tests may point
# it at lstmcore.reference, which has the same signatures.
_backend: Optional[types.ModuleType] = None


def _get_backend() -> types.ModuleType:
    if _backend is not None:
        return _backend
    from . import functional  # imported late: it loads the compiled core

    return functional


def _check_device(device: Any) -> str:
    if not isinstance(device, str):
        raise TypeError(f"device: expected the string 'cpu', got {type(device).__name__} {device!r}")
    if device == "cpu":
        return device
    if device.split(":")[0] == "cuda":
        from . import build_info

        if not build_info()["cuda"]:
            raise ValueError(
                f"device: got {device!r}, but this lstmcore has no CUDA backend; use device='cpu'"
            )
        raise ValueError(
            f"device: got {device!r}; the layer classes run only on 'cpu' for now"
        )
    raise ValueError(f"device: expected 'cpu', got {device!r}")


def _cast_input(value: ArrayLike, dtype: np.dtype, name: str) -> ArrayLike:
    """Numeric arrays (or tensors) of another dtype -> ``dtype``; anything else is passed on so
    that the backend's checks name the argument."""
    if value is None:
        return None
    arr = as_numpy(value, name)
    if arr.dtype.kind in "fiu" and arr.dtype != dtype:
        return arr.astype(dtype)
    return arr


def _cast_state(value: Any, dtype: np.dtype, name: str, paired: bool) -> Any:
    """Cast a state (``paired``: an LSTM's (h, c), elements may be None) like ``_cast_input``."""
    if isinstance(value, tuple) or (paired and isinstance(value, list)):
        return tuple(_cast_input(v, dtype, f"{name}[{i}]") for i, v in enumerate(value))
    return _cast_input(value, dtype, name)


def _check_seed(seed: Any) -> Optional[int]:
    if seed is None:
        return None
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed: expected a non-negative int or None, got {type(seed).__name__} {seed!r}")
    if seed < 0:
        raise ValueError(f"seed: expected a non-negative int or None, got {seed}")
    return int(seed)


def _settings_repr(obj: Any, settings: Tuple[str, ...]) -> str:
    """``Name(I, H, setting=value, ..., dtype=...)`` for a layer or cell: only the ``settings``
    of its spec that differ from RNNSpec's defaults are listed."""
    s = obj.spec
    defaults = RNNSpec(mode=s.mode, input_size=s.input_size, hidden_size=s.hidden_size)
    parts = [str(s.input_size), str(s.hidden_size)]
    for name in settings:
        value = getattr(s, name)
        if value != getattr(defaults, name):
            parts.append(f"{name}={value!r}")
    parts.append(f"dtype={obj.dtype.name}")
    return f"{type(obj).__name__}({', '.join(parts)})"


class _ParamHolder:
    """Parameters, gradients and state_dict handling shared by the layer and cell classes.

    Subclasses set ``self._params`` (a dict of C-contiguous arrays of ``self.dtype``) and
    ``self._grads`` (same names and shapes, zeros at first).
    """

    dtype: np.dtype
    _params: Dict[str, np.ndarray]
    _grads: Dict[str, np.ndarray]

    @property
    def params(self) -> Dict[str, np.ndarray]:
        """The parameters by name (the live arrays: updating them in place updates the layer)."""
        return self._params

    @property
    def grads(self) -> Dict[str, np.ndarray]:
        """Gradients of the parameters by name, summed over every ``backward`` since ``zero_grad``."""
        return self._grads

    def zero_grad(self) -> None:
        """Set every accumulated gradient to zero (in place)."""
        for g in self._grads.values():
            g.fill(0)

    def state_dict(self) -> Dict[str, np.ndarray]:
        """Copies of the parameters by name, loadable by ``load_state_dict`` (and by PyTorch
        after ``torch.from_numpy`` where PyTorch has the same layer).

        Returns
        -------
        dict of str to ndarray
        """
        return {k: v.copy() for k, v in self._params.items()}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Replace the parameters by those of ``state_dict``.

        Parameters
        ----------
        state_dict : mapping of str to array-like
            Exactly the names of ``self.params`` with the same shapes. Values may be NumPy arrays,
            array-likes or torch tensors (e.g. ``torch_module.state_dict()``); they are copied and
            cast to the layer's dtype.

        Raises
        ------
        TypeError
            ``state_dict`` is not a mapping, or a value is not numeric.
        ValueError
            A name is missing or unexpected, or a shape differs. Nothing is changed then.

        Notes
        -----
        Loading drops the tape of the last training forward: ``backward`` then raises
        RuntimeError until the next ``forward(..., training=True)``.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"state_dict: expected a dict of arrays, got {type(state_dict).__name__}"
            )
        missing = [k for k in self._params if k not in state_dict]
        extra = [k for k in state_dict if k not in self._params]
        if missing or extra:
            raise ValueError(
                f"state_dict: names differ from this layer's parameters; "
                f"missing {missing}, unexpected {extra}"
            )
        new: Dict[str, np.ndarray] = {}
        for key, ref in self._params.items():
            arr = as_numpy(state_dict[key], f"state_dict[{key!r}]")
            if arr.dtype.kind not in "fiu":
                raise TypeError(
                    f"state_dict[{key!r}]: expected a float array, got dtype {arr.dtype}"
                )
            if arr.shape != ref.shape:
                raise ValueError(
                    f"state_dict[{key!r}]: expected shape {ref.shape}, got {arr.shape}"
                )
            new[key] = arr
        # Copy into the existing arrays so that references held elsewhere (an optimizer) stay live.
        for key, arr in new.items():
            self._params[key][...] = arr.astype(self.dtype, copy=False)
        # A tape recorded with the old parameters no longer matches them: backward would mix the
        # two sets silently, so it must come from a fresh forward.
        self._tape = None
        self._tape_backend = None

    def num_parameters(self) -> int:
        """Total number of scalar parameters."""
        return int(sum(p.size for p in self._params.values()))

    def _add_grads(self, grads: Mapping[str, np.ndarray], rename=lambda k: k) -> None:
        for key, g in grads.items():
            self._grads[rename(key)] += g


class _RNNBase(_ParamHolder):
    """Common body of RNN, LSTM and GRU (one stack of layers and directions)."""

    _mode: str = ""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        *,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: Any = np.float32,
        seed: Optional[int] = None,
        device: str = "cpu",
        **mode_options: Any,
    ) -> None:
        self.spec = RNNSpec(
            mode=self._mode,
            input_size=input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bias=bias,
            batch_first=batch_first,
            dropout=dropout,
            bidirectional=bidirectional,
            **mode_options,
        )
        self.dtype = check_dtype(dtype)
        self.device = _check_device(device)
        seed = _check_seed(seed)
        self._params = init_params(self.spec, self.dtype, seed)
        self._grads = {k: np.zeros_like(v) for k, v in self._params.items()}
        # With a seed, the dropout seeds of forward(seed=None) come from it too, so that one seed
        # makes a whole training run reproducible.
        self._dropout_rng = None if seed is None else np.random.default_rng([seed, 1])
        self._tape: Any = None
        self._tape_backend: Optional[types.ModuleType] = None

    # -- running -------------------------------------------------------------------------------

    def __call__(
        self, x: ArrayLike, state: Optional[State] = None, lengths: Optional[ArrayLike] = None
    ) -> Tuple[np.ndarray, State]:
        """Inference: ``forward(x, state, lengths, training=False)``; see :meth:`forward`."""
        return self.forward(x, state, lengths)

    def forward(
        self,
        x: ArrayLike,
        state: Optional[State] = None,
        lengths: Optional[ArrayLike] = None,
        training: bool = False,
        seed: Optional[int] = None,
    ) -> Tuple[np.ndarray, State]:
        """Run the layer stack over a sequence.

        Parameters
        ----------
        x : array-like
            (T, B, I), or (B, T, I) when ``batch_first``, or unbatched (T, I). Numeric input of
            another dtype (float16, float64 into a float32 layer, integers) is cast to the
            layer's dtype; results are always in the layer's dtype.
        state : ndarray or tuple of ndarray, optional
            Initial state: LSTM ``(h0, c0)``, GRU/RNN ``h0``; h0 (L*D, B, P), c0 (L*D, B, H)
            (no B axis for unbatched x). None means zeros.
        lengths : array-like of int, optional
            (B,) valid steps of each right-padded sequence; None means every sequence is T long.
        training : bool, default False
            Keep the tape for :meth:`backward` and apply dropout. False drops any earlier tape.
        seed : int, optional
            Seed of the dropout mask. None takes one from the layer's ``seed`` stream (or fresh
            entropy when the layer was built without a seed).

        Returns
        -------
        y : ndarray
            (T, B, D*P) outputs of the last layer ((B, T, D*P) when ``batch_first``), zero past
            each length.
        state : ndarray or tuple of ndarray
            Final state, same structure and shapes as ``state``.
        """
        check_bool("training", training)
        backend = _get_backend()
        if training and seed is None and self._dropout_rng is not None and self.spec.dropout > 0:
            seed = int(self._dropout_rng.integers(0, 2**63))
        self._tape = None  # a failed or inference call leaves no stale tape behind
        self._tape_backend = None
        y, state_n, tape = backend.forward(
            self.spec,
            self._params,
            _cast_input(x, self.dtype, "x"),
            _cast_state(state, self.dtype, "state", self.spec.has_cell_state),
            lengths=lengths,
            training=bool(training),
            seed=seed,
        )
        if training:
            self._tape, self._tape_backend = tape, backend
        return y, state_n

    def backward(
        self, dy: ArrayLike, dstate: Optional[Any] = None
    ) -> Tuple[np.ndarray, State]:
        """Backpropagate through the last training forward; add parameter gradients to ``grads``.

        Parameters
        ----------
        dy : array-like
            Gradient of the loss with respect to ``y``, shaped like ``y``.
        dstate : ndarray or tuple, optional
            Gradient with respect to the final state (LSTM ``(dh_n, dc_n)``, either may be None);
            None means zeros.

        Returns
        -------
        dx : ndarray
            Gradient with respect to ``x``, shaped like ``x``.
        dstate0 : ndarray or tuple of ndarray
            Gradient with respect to the initial state (arrays even when no state was given).

        Raises
        ------
        RuntimeError
            No ``forward(..., training=True)`` preceded this call (or an inference call came
            after it).
        """
        if self._tape is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward: no tape; call forward(..., training=True) first"
            )
        dx, dstate0, grads = self._tape_backend.backward(
            self.spec,
            self._params,
            self._tape,
            _cast_input(dy, self.dtype, "dy"),
            _cast_state(dstate, self.dtype, "dstate", self.spec.has_cell_state),
        )
        self._add_grads(grads)
        return dx, dstate0

    @property
    def last_tape(self) -> Any:
        """The tape of the last training forward (None if there is none).

        It has the inspection interface of docs/CONTRACTS.md: ``gates(layer, direction)``,
        ``cell_states``, ``hidden_states``, and after a backward ``grad_hidden``/``grad_cell``.
        """
        return self._tape

    # -- description ---------------------------------------------------------------------------

    def __repr__(self) -> str:
        return _settings_repr(self, ("num_layers", "bias", "batch_first", "dropout",
                                     "bidirectional", "proj_size", "peephole", "coupled",
                                     "linear_before_reset", "nonlinearity"))


class RNN(_RNNBase):
    """Elman RNN stack: h' = act(W_ih x + b_ih + W_hh h + b_hh), act tanh or relu.

    Parameters
    ----------
    input_size : int
        Features of x (I).
    hidden_size : int
        Hidden units (H).
    num_layers : int, default 1
        Stacked layers (L).
    bias : bool, default True
        Whether ``bias_ih_l*``/``bias_hh_l*`` exist.
    batch_first : bool, default False
        x and y are (B, T, F) instead of (T, B, F). States keep the batch in axis 1.
    dropout : float, default 0.0
        Inverted dropout on every layer's output but the last's, in training forwards only.
    bidirectional : bool, default False
        Add a reverse direction (D = 2); y holds [forward, reverse] features.
    nonlinearity : {"tanh", "relu"}, default "tanh"
    dtype : float32 or float64, default float32
        Dtype of the parameters, gradients and results.
    seed : int, optional
        Seeds the initialisation (uniform(-1/sqrt(H), 1/sqrt(H)), PyTorch's) and the stream of
        dropout seeds.
    device : str, default "cpu"
        Only "cpu" for now.

    Attributes
    ----------
    spec : RNNSpec
    params, grads : dict of str to ndarray
        Names of PyTorch's ``nn.RNN``: ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``,
        ``bias_hh_l{k}`` (+ ``_reverse``).
    dtype : numpy.dtype

    Examples
    --------
    >>> import numpy as np, lstmcore as lc
    >>> rnn = lc.RNN(3, 5, seed=0)
    >>> y, h_n = rnn(np.zeros((7, 2, 3), np.float32))
    >>> y.shape, h_n.shape
    ((7, 2, 5), (1, 2, 5))
    """

    _mode = "rnn"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        *,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        nonlinearity: str = "tanh",
        dtype: Any = np.float32,
        seed: Optional[int] = None,
        device: str = "cpu",
    ) -> None:
        super().__init__(
            input_size, hidden_size, num_layers, bias=bias, batch_first=batch_first,
            dropout=dropout, bidirectional=bidirectional, dtype=dtype, seed=seed, device=device,
            nonlinearity=nonlinearity,
        )


class LSTM(_RNNBase):
    """LSTM stack, with the peephole, coupled-gate (CIFG) and projection variants.

    Gates i, f, g, o (rows in that order); c' = f*c + i*g, h' = o*tanh(c'). ``peephole`` adds
    p_i*c and p_f*c to i and f and p_o*c' to o; ``coupled`` drops the input gate (i = 1 - f,
    rows f, g, o); ``proj_size`` = P > 0 gives h' = W_hr (o*tanh(c')).

    Parameters
    ----------
    input_size : int
        Features of x (I).
    hidden_size : int
        Cell units (H).
    num_layers : int, default 1
        Stacked layers (L).
    bias : bool, default True
        Whether ``bias_ih_l*``/``bias_hh_l*`` exist.
    batch_first : bool, default False
        x and y are (B, T, F) instead of (T, B, F). States keep the batch in axis 1.
    dropout : float, default 0.0
        Inverted dropout on every layer's output but the last's, in training forwards only.
    bidirectional : bool, default False
        Add a reverse direction (D = 2); y holds [forward, reverse] features.
    proj_size : int, default 0
        Width P of the projected h (0: no projection, P = H).
    peephole : bool, default False
        Gates see the cell state through ``weight_peephole_l*`` (rows i, f, o; coupled: f, o).
    coupled : bool, default False
        Coupled input and forget gates, i = 1 - f.
    dtype : float32 or float64, default float32
        Dtype of the parameters, gradients and results.
    seed : int, optional
        Seeds the initialisation (uniform(-1/sqrt(H), 1/sqrt(H)), PyTorch's) and the stream of
        dropout seeds.
    device : str, default "cpu"
        Only "cpu" for now.

    Attributes
    ----------
    spec : RNNSpec
    params, grads : dict of str to ndarray
        Names of PyTorch's ``nn.LSTM`` (``weight_ih_l0``, ..., ``weight_hr_l0``) plus
        ``weight_peephole_l{k}``.
    dtype : numpy.dtype

    Examples
    --------
    >>> import numpy as np, lstmcore as lc
    >>> lstm = lc.LSTM(3, 5, num_layers=2, seed=0)
    >>> x = np.ones((7, 2, 3), np.float32)
    >>> y, (h_n, c_n) = lstm.forward(x, training=True)
    >>> dx, (dh0, dc0) = lstm.backward(np.ones_like(y))
    >>> y.shape, h_n.shape, dx.shape, lstm.grads["weight_ih_l0"].shape
    ((7, 2, 5), (2, 2, 5), (7, 2, 3), (20, 3))
    """

    _mode = "lstm"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        *,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        peephole: bool = False,
        coupled: bool = False,
        dtype: Any = np.float32,
        seed: Optional[int] = None,
        device: str = "cpu",
    ) -> None:
        super().__init__(
            input_size, hidden_size, num_layers, bias=bias, batch_first=batch_first,
            dropout=dropout, bidirectional=bidirectional, dtype=dtype, seed=seed, device=device,
            proj_size=proj_size, peephole=peephole, coupled=coupled,
        )


class GRU(_RNNBase):
    """GRU stack: r, z, n gates (rows in that order), h' = (1 - z)*n + z*h.

    Note the update-gate convention (PyTorch's, ONNX's, Keras'): z keeps the OLD state.

    Parameters
    ----------
    input_size : int
        Features of x (I).
    hidden_size : int
        Hidden units (H).
    num_layers : int, default 1
        Stacked layers (L).
    bias : bool, default True
        Whether ``bias_ih_l*``/``bias_hh_l*`` exist.
    batch_first : bool, default False
        x and y are (B, T, F) instead of (T, B, F). States keep the batch in axis 1.
    dropout : float, default 0.0
        Inverted dropout on every layer's output but the last's, in training forwards only.
    bidirectional : bool, default False
        Add a reverse direction (D = 2); y holds [forward, reverse] features.
    linear_before_reset : bool, default True
        True: n = tanh(W_in x + b_in + r*(W_hn h + b_hn)) (PyTorch, cuDNN). False:
        n = tanh(W_in x + b_in + W_hn (r*h) + b_hn) (Cho et al. 2014, ONNX's default).
    dtype : float32 or float64, default float32
        Dtype of the parameters, gradients and results.
    seed : int, optional
        Seeds the initialisation (uniform(-1/sqrt(H), 1/sqrt(H)), PyTorch's) and the stream of
        dropout seeds.
    device : str, default "cpu"
        Only "cpu" for now.

    Attributes
    ----------
    spec : RNNSpec
    params, grads : dict of str to ndarray
        Names of PyTorch's ``nn.GRU``.
    dtype : numpy.dtype

    Examples
    --------
    >>> import numpy as np, lstmcore as lc
    >>> gru = lc.GRU(3, 5, bidirectional=True, batch_first=True, seed=0)
    >>> y, h_n = gru(np.zeros((2, 7, 3), np.float32), lengths=[7, 4])
    >>> y.shape, h_n.shape
    ((2, 7, 10), (2, 2, 5))
    """

    _mode = "gru"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        *,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        linear_before_reset: bool = True,
        dtype: Any = np.float32,
        seed: Optional[int] = None,
        device: str = "cpu",
    ) -> None:
        super().__init__(
            input_size, hidden_size, num_layers, bias=bias, batch_first=batch_first,
            dropout=dropout, bidirectional=bidirectional, dtype=dtype, seed=seed, device=device,
            linear_before_reset=linear_before_reset,
        )
