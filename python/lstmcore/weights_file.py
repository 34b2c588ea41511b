"""Save and load a layer stack (spec + parameters) in the lstmcore weights file format.

The format is documented in docs/weights_format.md; the C++ library reads the same files without
Python (``lstmcore::read_weights_file``). Writing is deterministic: the same spec and parameters
give the same bytes.
"""

from __future__ import annotations

import math
import os
import struct
import zlib
from typing import Dict, Mapping, Tuple, Union

import numpy as np

from .params import FLOAT_DTYPES, as_numpy, check_dtype, check_params
from .spec import MODES, NONLINEARITIES, RNNSpec

__all__ = ["save", "load", "to_bytes", "from_bytes", "FORMAT_VERSION", "MAGIC"]

PathLike = Union[str, "os.PathLike[str]"]

MAGIC = b"\x89LCW\r\n\x1a\n"
FORMAT_VERSION = 1

_PREAMBLE = struct.Struct("<8sIIQ")  # magic, version, reserved, body_size
_SPEC = struct.Struct("<BBBBIIIIIdII")  # mode .. reserved (docs/weights_format.md)
_RECORD_HEAD = struct.Struct("<II")  # name_length, ndim
_CRC = struct.Struct("<I")
_MAX_NAME = 255
_MAX_NDIM = 8
_MIN_RECORD = 16  # head (8 bytes) plus a name padded to 8

_DTYPE_CODES = {np.dtype(np.float32): 1, np.dtype(np.float64): 2}
_FLAG_BITS = ("bias", "batch_first", "bidirectional", "peephole", "coupled",
              "linear_before_reset")


def _pad8(n: int) -> int:
    return -n % 8


def _common_dtype(params: Mapping[str, object]) -> np.dtype:
    dtypes = {as_numpy(v, f"params[{k!r}]").dtype for k, v in params.items()}
    floats = [d for d in dtypes if d in FLOAT_DTYPES]
    if not floats:
        raise TypeError(
            f"params: expected float32 or float64 arrays (or pass dtype=), got dtypes "
            f"{sorted(str(d) for d in dtypes)}"
        )
    return np.result_type(*floats)


def to_bytes(spec: RNNSpec, params: Mapping[str, object], dtype=None) -> bytes:
    """The weights file's bytes for ``spec`` and ``params`` (see :func:`save`)."""
    if not isinstance(spec, RNNSpec):
        raise TypeError(f"spec: expected an lstmcore.RNNSpec, got {type(spec).__name__}")
    if not isinstance(params, Mapping):
        raise TypeError(f"params: expected a dict of arrays, got {type(params).__name__}")
    dt = _common_dtype(params) if dtype is None else check_dtype(dtype)
    arrays = check_params(spec, params, dt)
    flags = sum(1 << bit for bit, name in enumerate(_FLAG_BITS) if getattr(spec, name))
    body = bytearray(
        _SPEC.pack(
            MODES.index(spec.mode), NONLINEARITIES.index(spec.nonlinearity), _DTYPE_CODES[dt], 0,
            flags, spec.input_size, spec.hidden_size, spec.num_layers, spec.proj_size,
            spec.dropout, len(arrays), 0,
        )
    )
    little = dt.newbyteorder("<")
    for name, arr in arrays.items():  # canonical order: check_params follows spec.param_shapes()
        encoded = name.encode("ascii")
        body += _RECORD_HEAD.pack(len(encoded), arr.ndim)
        body += struct.pack(f"<{arr.ndim}Q", *arr.shape)
        body += encoded
        body += bytes(_pad8(_PREAMBLE.size + len(body)))
        body += np.ascontiguousarray(arr, dtype=little).tobytes()
        body += bytes(_pad8(_PREAMBLE.size + len(body)))
    head = _PREAMBLE.pack(MAGIC, FORMAT_VERSION, 0, len(body)) + bytes(body)
    return head + _CRC.pack(zlib.crc32(head))


def save(path: PathLike, spec: RNNSpec, params: Mapping[str, object], dtype=None) -> None:
    """Write ``spec`` and ``params`` to a weights file that Python and C++ can read.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (replaced if it exists). The usual extension is ``.lcw``.
    spec : RNNSpec
        The layer stack's settings.
    params : dict of str to array-like
        Every parameter of ``spec.param_names()`` with its shape (torch tensors are accepted).
    dtype : float32 or float64, optional
        The stored dtype; by default the common float dtype of ``params``.

    Raises
    ------
    TypeError, ValueError
        For a bad spec, dtype, or a missing, extra or misshaped parameter.
    """
    data = to_bytes(spec, params, dtype)
    with open(os.fspath(path), "wb") as f:
        f.write(data)


# -- reading ---------------------------------------------------------------------------------


class _Reader:
    """Bounds-checked little-endian reads from the body, with errors naming the file."""

    def __init__(self, data: bytes, end: int, source: str) -> None:
        self.data, self.pos, self.end, self.source = data, _PREAMBLE.size, end, source

    def error(self, what: str) -> ValueError:
        return ValueError(f"lstmcore weights file {self.source}: {what}")

    def take(self, n: int, what: str) -> bytes:
        if n > self.end - self.pos:
            raise self.error(
                f"{what} needs {n} bytes at offset {self.pos}, but the body ends at {self.end}"
            )
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: struct.Struct, what: str) -> tuple:
        return fmt.unpack(self.take(fmt.size, what))

    def padding(self, what: str) -> None:
        if any(self.take(_pad8(self.pos), f"padding after {what}")):
            raise self.error(f"non-zero padding bytes after {what} (offset {self.pos})")


def _check_preamble(data: bytes, r: _Reader) -> int:
    if len(data) < len(MAGIC) or data[: len(MAGIC)] != MAGIC:
        got = data[: len(MAGIC)].hex(" ")
        raise r.error(
            f"not an lstmcore weights file: expected the magic bytes {MAGIC.hex(' ')}, "
            f"got {got or 'an empty file'}"
        )
    minimum = _PREAMBLE.size + _SPEC.size + _CRC.size
    if len(data) < _PREAMBLE.size:
        raise r.error(f"truncated: expected at least {minimum} bytes, got {len(data)}")
    _, version, reserved, body_size = _PREAMBLE.unpack_from(data)
    if version != FORMAT_VERSION:
        raise r.error(
            f"format version {version} is not supported: this lstmcore reads version "
            f"{FORMAT_VERSION} (was the file written by another lstmcore release?)"
        )
    if reserved != 0:
        raise r.error(f"reserved preamble field: expected 0, got {reserved}")
    expected = _PREAMBLE.size + body_size + _CRC.size
    if len(data) < expected:
        raise r.error(f"truncated: the header says {expected} bytes, the file has {len(data)}")
    if len(data) > expected:
        raise r.error(
            f"trailing bytes: the header says {expected} bytes, the file has {len(data)}"
        )
    (stored,) = _CRC.unpack_from(data, expected - _CRC.size)
    computed = zlib.crc32(data[: expected - _CRC.size])
    if stored != computed:
        raise r.error(
            f"checksum mismatch (stored 0x{stored:08x}, computed 0x{computed:08x}): "
            f"the file is corrupted"
        )
    return expected - _CRC.size


def _read_spec(r: _Reader) -> Tuple[RNNSpec, np.dtype, int]:
    (mode, nonlin, dtype_code, res0, flags, input_size, hidden_size, num_layers, proj_size,
     dropout, num_params, res1) = r.unpack(_SPEC, "the spec block")
    if mode >= len(MODES):
        raise r.error(f"mode: expected a code in 0..{len(MODES) - 1}, got {mode}")
    if nonlin >= len(NONLINEARITIES):
        raise r.error(f"nonlinearity: expected a code in 0..{len(NONLINEARITIES) - 1}, got {nonlin}")
    codes = {code: dt for dt, code in _DTYPE_CODES.items()}
    if dtype_code not in codes:
        raise r.error(f"dtype: expected code 1 (float32) or 2 (float64), got {dtype_code}")
    if res0 or res1 or flags >> len(_FLAG_BITS):
        raise r.error(f"reserved spec bits: expected 0, got {res0}, {res1}, flags 0x{flags:08x}")
    bools = {name: bool(flags >> bit & 1) for bit, name in enumerate(_FLAG_BITS)}
    try:
        spec = RNNSpec(
            mode=MODES[mode], input_size=input_size, hidden_size=hidden_size,
            num_layers=num_layers, dropout=dropout, proj_size=proj_size,
            nonlinearity=NONLINEARITIES[nonlin], **bools,
        )
    except (TypeError, ValueError) as exc:
        raise r.error(f"invalid spec: {exc}") from None
    return spec, codes[dtype_code], num_params


def from_bytes(data: bytes, source: str = "<bytes>") -> Tuple[RNNSpec, Dict[str, np.ndarray]]:
    """Parse a weights file's bytes (see :func:`load`); ``source`` names it in errors."""
    data = bytes(data)
    r = _Reader(data, 0, source)
    r.end = _check_preamble(data, r)
    spec, dt, num_params = _read_spec(r)
    # Count before listing: a forged num_layers must not make us build billions of names.
    implied = spec.num_layers * spec.num_directions * len(spec.layer_param_shapes(0))
    if num_params != implied:
        raise r.error(f"num_params: the spec implies {implied} parameters, got {num_params}")
    if num_params > (r.end - r.pos) // _MIN_RECORD:
        raise r.error(
            f"{num_params} parameter records cannot fit in the {r.end - r.pos} bytes left in "
            f"the body"
        )
    shapes = spec.param_shapes()
    found: Dict[str, np.ndarray] = {}
    for index in range(num_params):
        name_len, ndim = r.unpack(_RECORD_HEAD, f"parameter record {index}")
        if not 1 <= name_len <= _MAX_NAME or ndim > _MAX_NDIM:
            raise r.error(
                f"parameter record {index}: expected a name of 1..{_MAX_NAME} bytes and "
                f"ndim <= {_MAX_NDIM}, got {name_len} and {ndim}"
            )
        shape = struct.unpack(f"<{ndim}Q", r.take(8 * ndim, f"the shape of record {index}"))
        raw_name = r.take(name_len, f"the name of record {index}")
        if not all(0x20 <= ch <= 0x7E for ch in raw_name):
            raise r.error(f"parameter record {index}: the name is not printable ASCII")
        name = raw_name.decode("ascii")
        if name not in shapes:
            raise r.error(f"unexpected parameter {name!r} for this spec")
        if name in found:
            raise r.error(f"parameter {name!r} appears twice")
        if shape != shapes[name]:
            raise r.error(f"parameter {name!r}: expected shape {shapes[name]}, got {shape}")
        r.padding(f"the name of {name!r}")
        count = math.prod(shape)  # Python ints: a forged shape cannot overflow
        raw = r.take(count * dt.itemsize, f"the data of {name!r}")
        found[name] = np.frombuffer(raw, dtype=dt.newbyteorder("<")).astype(dt).reshape(shape)
        r.padding(f"the data of {name!r}")
    if r.pos != r.end:
        raise r.error(f"{r.end - r.pos} unread bytes after the last parameter record")
    missing = [k for k in shapes if k not in found]
    if missing:
        raise r.error(f"missing parameter(s) {missing}")
    return spec, {name: found[name] for name in shapes}


def load(path: PathLike) -> Tuple[RNNSpec, Dict[str, np.ndarray]]:
    """Read a weights file written by :func:`save` or by the C++ library.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    spec : RNNSpec
    params : dict of str to ndarray
        Fresh writable arrays in the stored dtype, in the canonical order of
        ``spec.param_names()``.

    Raises
    ------
    ValueError
        For a file that is not an lstmcore weights file, is truncated, corrupted (checksum), of
        an unknown format version, or whose parameters do not match its spec; the message names
        the file.
    OSError
        When the file cannot be read.
    """
    fspath = os.fspath(path)
    with open(fspath, "rb") as f:
        data = f.read()
    return from_bytes(data, source=repr(fspath))
