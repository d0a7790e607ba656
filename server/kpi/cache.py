"""A small in-process cache of the dashboard's figures.

A period that ended is only changed by late edits (a ticket reopened, a report filed
late), so its figures are kept for ``[kpi] cache_minutes`` and then computed afresh; a
period still running is kept only ``[kpi] running_cache_seconds`` (default a minute), so
people opening the dashboard one after another do not each pay for computing it. One
cache per app, shared by its threads.
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
    """Values by key, each kept ``ttl_seconds`` (a running period's ``running_ttl_seconds``);
    the oldest go beyond ``MAX_ENTRIES``."""

    def __init__(
        self,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        running_ttl_seconds: float = 0,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.running_ttl_seconds = running_ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T], *, closed: bool) -> T:
        """The cached value of ``key`` while fresh, else ``compute()`` (cached for the
        ``closed`` or the running period's time to live, when that is not 0)."""
        ttl = self.ttl_seconds if closed else self.running_ttl_seconds
        if ttl <= 0:
            return compute()
        now = self._clock()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and now - hit[0] < ttl:
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
        settings = current_app.extensions["aftersales"].config.kpi
        cache = current_app.extensions.setdefault(
            "kpi_cache",
            ClosedPeriodCache(
                settings.cache_minutes * 60, running_ttl_seconds=settings.running_cache_seconds
            ),
        )
    return cache
