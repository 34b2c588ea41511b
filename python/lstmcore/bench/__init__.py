"""lstmcore's benchmark against PyTorch, ONNX Runtime and a plain NumPy loop.

Run it with ``python -m lstmcore bench`` (or ``python benchmarks/run.py``); ``--quick`` is a
smoke test. The peers are optional: those not installed are left out of the table.
"""

from .cli import add_parser, main, run

__all__ = ["add_parser", "main", "run"]
