"""Writes that can wait: started a little after the work that needs the answer now.

A large table's first load converts it to Parquet and stores its checked rows for the next
start. Neither is needed for the first map, and on two cores, writing while that map is
drawn slows the map down. A :class:`Deferred` job therefore waits ``DELAY_S`` seconds (the
environment variable ``FISCALMAP_BACKGROUND_DELAY`` sets another) before it runs, unless
someone waiting for it calls :meth:`Deferred.hurry` (tests, benchmarks, shutdown).
"""
from __future__ import annotations

import os
import threading

DELAY_S = 3.0


def delay_s() -> float:
    try:
        return max(0.0, float(os.environ.get("FISCALMAP_BACKGROUND_DELAY", DELAY_S)))
    except ValueError:
        return DELAY_S


class Deferred(threading.Thread):
    """``fn(*args)`` in a daemon thread, after the delay (or at once when hurried)."""

    def __init__(self, fn, *args, name: str) -> None:
        super().__init__(daemon=True, name=name)
        self._fn, self._args = fn, args
        self._go = threading.Event()
        self._delay = delay_s()

    def run(self) -> None:
        self._go.wait(self._delay)
        self._fn(*self._args)

    def hurry(self) -> None:
        self._go.set()

    def finish(self, timeout: float | None = None) -> None:
        self.hurry()
        self.join(timeout)
