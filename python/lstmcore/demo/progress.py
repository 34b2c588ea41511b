"""A plain-text progress bar (no dependency): redrawn in place on a terminal, few lines in a log."""

from __future__ import annotations

import sys
import time
from typing import Optional, TextIO


class ProgressBar:
    """Shows ``label [#####-----] done/total  extra  elapsed`` for one task.

    On a terminal the line is redrawn in place; when the output is a file or a pipe, a line is
    written at every quarter of the work so logs stay short.

    Parameters
    ----------
    label : str
    total : int
        Units of work (e.g. training iterations).
    width : int, default 28
        Characters of the bar itself.
    stream : text stream, default sys.stdout
    """

    def __init__(self, label: str, total: int, width: int = 28,
                 stream: Optional[TextIO] = None) -> None:
        self.label = label
        self.total = max(int(total), 1)
        self.width = width
        self.stream = sys.stdout if stream is None else stream
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self._last_quarter = 0
        self._last_draw = 0.0

    def elapsed(self) -> float:
        """Seconds since the bar was created."""
        return time.perf_counter() - self.start

    def _line(self, done: int, extra: str) -> str:
        filled = int(self.width * done / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        return (f"{self.label:<14} [{bar}] {done:>{len(str(self.total))}}/{self.total}"
                f"  {extra}  {self.elapsed():5.1f}s")

    def update(self, done: int, extra: str = "") -> None:
        """Report ``done`` units finished; ``extra`` is shown after the counts (e.g. the loss)."""
        if self.interactive:
            now = time.perf_counter()
            if now - self._last_draw >= 0.1 or done >= self.total:
                self._last_draw = now
                self.stream.write("\r" + self._line(done, extra))
                self.stream.flush()
            return
        quarter = 4 * done // self.total
        if quarter > self._last_quarter:
            self._last_quarter = quarter
            self.stream.write(self._line(done, extra) + "\n")
            self.stream.flush()

    def close(self, extra: str = "") -> None:
        """Draw the finished bar and end its line."""
        if self.interactive:
            self.stream.write("\r" + self._line(self.total, extra) + "\n")
            self.stream.flush()
        elif self._last_quarter < 4:
            self._last_quarter = 4
            self.stream.write(self._line(self.total, extra) + "\n")
            self.stream.flush()
