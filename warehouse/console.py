"""What the pipeline prints: a progress bar per stage on a terminal, plain lines elsewhere.

On a terminal (the stream is a TTY) each stage draws a one-line bar, redrawn in place with
carriage returns, and ends with its summary line. Without a terminal (a file, a pipe, the
dashboard's Build page) nothing but the lines is written: one per stage, plus warnings, and no
escape codes or carriage returns. A reader that follows the run (the dashboard sets
DW_PROGRESS_LINES=1) also gets the bar as lines, `progress: <stage> <done>/<total> <detail>`,
at most two a second.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from typing import TextIO

BAR_WIDTH = 24
REDRAW_SECONDS = 0.1  # at most ten redraws a second: drawing must not slow the work down
PROGRESS_LINE_SECONDS = 0.5
PROGRESS_LINES_VARIABLE = "DW_PROGRESS_LINES"
PROGRESS_LINE_PREFIX = "progress: "


class Console:
    """Lines and progress bars on one stream; safe to call from several threads."""

    def __init__(
        self,
        stream: TextIO | None = None,
        interactive: bool | None = None,
        progress_lines: bool | None = None,
    ) -> None:
        self.stream = stream if stream is not None else sys.stdout
        if interactive is None:
            isatty = getattr(self.stream, "isatty", None)
            interactive = bool(isatty and isatty())
        self.interactive = interactive
        if progress_lines is None:
            progress_lines = os.environ.get(PROGRESS_LINES_VARIABLE, "") == "1"
        self.progress_lines = progress_lines and not interactive
        self._lock = threading.RLock()
        self._drawn_width = 0  # characters of the bar now on screen, 0 when none

    def line(self, text: str) -> None:
        """Write one line (clearing a bar drawn on the terminal first)."""
        with self._lock:
            self._clear_bar()
            self.stream.write(text + "\n")
            self.stream.flush()

    def warn(self, stage: str, text: str) -> None:
        """One warning line: `<stage>: WARN <text>`."""
        self.line(f"{stage}: WARN {text}")

    def progress(self, stage: str, total: int | None = None) -> Progress:
        """A progress bar for a stage (drawn only on a terminal)."""
        return Progress(self, stage, total)

    def end_bar(self) -> None:
        """Remove a bar left on the terminal, e.g. before a failure message on stderr."""
        with self._lock:
            self._clear_bar()
            self.stream.flush()

    def _draw(self, text: str) -> None:
        with self._lock:
            columns = shutil.get_terminal_size((100, 24)).columns - 1
            text = text[:columns]
            padding = " " * max(0, self._drawn_width - len(text))
            self.stream.write("\r" + text + padding)
            self.stream.flush()
            self._drawn_width = len(text)

    def _clear_bar(self) -> None:
        if self._drawn_width:
            self.stream.write("\r" + " " * self._drawn_width + "\r")
            self._drawn_width = 0


class Progress:
    """One stage's bar: `stage [#######.........] 12/40 detail`."""

    def __init__(self, console: Console, stage: str, total: int | None) -> None:
        self.console = console
        self.stage = stage
        self.total = total
        self.done = 0
        self.detail = ""
        self._drawn_at = 0.0

    def update(
        self,
        *,
        advance: int = 0,
        total: int | None = None,
        detail: str | None = None,
        force: bool = False,
    ) -> None:
        """Advance the count, change the total or the detail text, and redraw."""
        with self.console._lock:
            self.done += advance
            if total is not None:
                self.total = total
            if detail is not None:
                self.detail = detail
            now = time.monotonic()
            if self.console.progress_lines:
                if force or now - self._drawn_at >= PROGRESS_LINE_SECONDS:
                    self._drawn_at = now
                    self.console.line(PROGRESS_LINE_PREFIX + self.render(bar=False))
                return
            if not self.console.interactive:
                return
            if force or now - self._drawn_at >= REDRAW_SECONDS:
                self._drawn_at = now
                self.console._draw(self.render())

    def render(self, bar: bool = True) -> str:
        """The bar as text (without the leading carriage return); bar=False: the counts only,
        `stage 12/40 detail`."""
        if not bar:
            counts = f"{self.done}/{self.total or 0}"
            return " ".join(part for part in (self.stage, counts, self.detail) if part)
        if self.total:
            filled = min(BAR_WIDTH, BAR_WIDTH * self.done // self.total)
            bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total}"
        else:
            bar = f"[{'.' * BAR_WIDTH}] {self.done}" if self.done else ""
        return " ".join(part for part in (f"{self.stage}", bar, self.detail) if part)
