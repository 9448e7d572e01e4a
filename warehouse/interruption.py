"""Ctrl-C (SIGINT) and SIGTERM during a run, remembered as well as raised.

Python raises KeyboardInterrupt where the main thread is. But when the main thread is inside a
DuckDB query at that moment (the build records its results, the docs site reads the catalog),
DuckDB checks the signal itself, stops the query and raises `RuntimeError: Query interrupted`
instead, and the KeyboardInterrupt is gone: a handler that catches errors would carry on as if
nothing happened. So the handlers below also record which signal came; `raise_if_received()`
turns such an error back into the interruption it was.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

HANDLED = (signal.SIGINT, signal.SIGTERM)
_received: list[signal.Signals] = []


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is, so it unwinds (and cleans up) as Ctrl-C does."""


def received() -> signal.Signals | None:
    """The first signal received since the handlers were installed (None outside them)."""
    return _received[0] if _received else None


def _interruption(signal_number: signal.Signals) -> KeyboardInterrupt:
    return Terminated() if signal_number == signal.SIGTERM else KeyboardInterrupt()


def _handle(signal_number: int, frame) -> None:
    _received.append(signal.Signals(signal_number))
    raise _interruption(signal.Signals(signal_number))


def raise_if_received() -> None:
    """Raise the interruption of the signal received, if one was (call it where an error is
    caught, so a query a signal stopped does not pass for an ordinary failure)."""
    if _received:
        raise _interruption(_received[0])


@contextmanager
def signals_handled() -> Iterator[None]:
    """SIGINT and SIGTERM raise (KeyboardInterrupt, Terminated) and are remembered, inside."""
    _received.clear()
    previous = {number: signal.signal(number, _handle) for number in HANDLED}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        _received.clear()  # outside, no error is taken for an interruption
