"""lstmcore.reference: the recurrent layers in plain NumPy, the oracle of the C++ core.

Written to be read: ``cells`` holds each cell's equations (one time step, forward and backward),
``layer`` the scan of a cell over time, ``stack`` the layers, directions and dropout with the
public ``forward``/``backward``, ``tape`` what a training forward keeps and how to inspect it.
Same signatures as ``lstmcore.functional`` (DESIGN.md section 5, docs/CONTRACTS.md).
"""

from .stack import backward, forward
from .tape import Tape

__all__ = ["forward", "backward", "Tape"]
