"""A small in-process cache of the dashboard's figures for closed periods.

A period that ended is only changed by late edits (a ticket reopened, a report filed
late), so its figures are kept for ``[kpi] cache_minutes`` and then computed afresh; a
period still running is always computed. One cache per app, shared by its threads.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
MAX_ENTRIES = 256


class ClosedPeriodCache:
    """Values by key, each kept ``ttl_seconds``; the oldest go beyond ``MAX_ENTRIES``."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T], *, closed: bool) -> T:
        """The cached value of ``key`` while fresh, else ``compute()`` (cached when the
        period is ``closed`` and the cache is on)."""
        if not closed or self.ttl_seconds <= 0:
            return compute()
        now = self._clock()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and now - hit[0] < self.ttl_seconds:
                return hit[1]
        value = compute()
        with self._lock:
            self._entries[key] = (now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def app_cache() -> ClosedPeriodCache:
    """The current app's cache (made on first use from ``[kpi] cache_minutes``)."""
    from flask import current_app

    cache = current_app.extensions.get("kpi_cache")
    if cache is None:
        minutes = current_app.extensions["aftersales"].config.kpi.cache_minutes
        cache = current_app.extensions.setdefault("kpi_cache", ClosedPeriodCache(minutes * 60))
    return cache
