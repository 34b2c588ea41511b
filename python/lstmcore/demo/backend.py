"""Which front end the demo's layers run on: the C++ core (default) or the NumPy reference."""

from __future__ import annotations

import contextlib
import importlib
from typing import Iterator

BACKENDS = {"cpp": "lstmcore.functional", "reference": "lstmcore.reference"}


@contextlib.contextmanager
def using_backend(name: str) -> Iterator[None]:
    """Run the layer classes on ``name`` ("cpp" or "reference") inside the block.

    The layer classes read their front end from ``lstmcore.modules._backend`` (None means the
    C++ one); the previous setting is restored on exit.
    """
    from .. import modules

    if name not in BACKENDS:
        raise ValueError(f"backend: expected one of {list(BACKENDS)}, got {name!r}")
    previous = modules._backend
    modules._backend = importlib.import_module(BACKENDS[name])
    try:
        yield
    finally:
        modules._backend = previous


def describe_backend() -> str:
    """A short phrase for the banner, e.g. 'on the C++ core (Release, avx2)'."""
    from .. import modules

    backend = modules._get_backend()
    if backend.__name__.endswith("reference"):
        return "on the pure-NumPy reference"
    try:
        import lstmcore

        info = lstmcore.build_info()
        isa = info.get("isa_active") or ",".join(info.get("isa_compiled", []))
        return f"on the C++ core ({info.get('build_type', '?')} build, kernels {isa})"
    except Exception:  # noqa: BLE001 - the banner must never stop the demo
        return "on the C++ core"
