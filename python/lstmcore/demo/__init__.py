"""``lstmcore demo``: the adding problem that shows why gated cells remember and RNNs forget.

Run it with ``python -m lstmcore demo`` (``--quick`` for a tiny version, ``--help`` for options).
The pieces are usable on their own: :func:`run_experiment` trains the models and returns their
curves, :mod:`.plots` and :mod:`.textplots` draw them, :mod:`.report` writes the numbers.
"""

from .adding import MODELS, DemoConfig, ModelRun, gate_example, run_experiment, train_model
from .cli import add_parser, main, run

__all__ = ["DemoConfig", "ModelRun", "MODELS", "run_experiment", "train_model", "gate_example",
           "add_parser", "run", "main"]
