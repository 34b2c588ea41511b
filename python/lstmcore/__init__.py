"""lstmcore: recurrent layers (RNN, LSTM and its variants, GRU) with forward and BPTT.

A C++17 core behind a NumPy API shaped like PyTorch's, plus ``lstmcore.reference``: the same
layers in plain NumPy, written to be read next to the textbook equations.
"""

from ._core import build_info as _build_info
from .spec import RNNSpec
from .params import init_params
from .modules import GRU, LSTM, RNN
from .cells import GRUCell, LSTMCell, RNNCell
from . import reference
from . import functional
from . import inspect, train
from ._runtime import available_isas, get_isa, get_num_threads, set_max_isa, set_num_threads

__version__ = "0.1.0"


def build_info() -> dict:
    """How the compiled core was built.

    Returns
    -------
    dict
        ``version``, ``compiler``, ``build_type``, ``isa_compiled`` (SIMD kernel sets compiled
        in), ``isa_active`` (the one the kernels use now) and ``cuda`` (whether the CUDA backend
        was built).
    """
    return _build_info()


__all__ = ["RNNSpec", "init_params", "build_info", "reference", "__version__"]
__all__ += ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]
__all__ += ["inspect", "train"]
__all__ += ["functional"]
__all__ += ["set_num_threads", "get_num_threads", "set_max_isa", "get_isa", "available_isas"]
