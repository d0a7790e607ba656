"""One SLA metric's clock: its deadline, paused and elapsed working time, and its state.

Pure: no Flask, no database. Everything is recomputed from the facts (start, target,
pause segments, the moment the metric's event happened), so changing the priority or
the policy recomputes from ``reported_at`` and loses nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from server.sla.calendar import BusinessCalendar

RUNNING, PAUSED, MET, BREACHED, CANCELLED = "running", "paused", "met", "breached", "cancelled"
# States whose metric is still waiting for its event (a breached one may still come).
OPEN_STATES = (RUNNING, PAUSED)

Segment = tuple[dt.datetime, dt.datetime | None]  # end None: still paused


@dataclass(frozen=True)
class MetricClock:
    due: dt.datetime
    paused_seconds: float
    elapsed_seconds: float
    state: str
    # The moment the next escalation step is due (None when every step has fired).
    next_escalation_at: dt.datetime | None


def clip_pauses(pauses: Sequence[Segment], end: dt.datetime) -> list[Segment]:
    """Pauses cut off at ``end`` (an open pause runs until then; later ones drop out)."""
    return [(s, min(e or end, end)) for s, e in pauses if s < end]


def deadline(
    calendar: BusinessCalendar,
    start: dt.datetime,
    target_seconds: float,
    pauses: Sequence[Segment],
    now: dt.datetime,
) -> tuple[dt.datetime, float]:
    """The deadline and the paused working time that moved it.

    A pause moves the deadline by exactly its working time — but only a pause that
    began before the deadline it would move: once a deadline has passed, pausing the
    ticket does not take the breach back.
    """
    due = calendar.add(start, target_seconds)
    paused = 0.0
    for pause_start, pause_end in sorted(pauses, key=lambda seg: seg[0]):
        begin = max(pause_start, start)
        end = pause_end or now
        if begin >= due:
            break
        if end <= begin:
            continue
        worked = calendar.between(begin, end)
        paused += worked
        due = calendar.add(due, worked)
    return due, paused


def measure(
    calendar: BusinessCalendar,
    start: dt.datetime,
    target_seconds: float,
    pauses: Sequence[Segment],
    stopped_at: dt.datetime | None,
    now: dt.datetime,
    cancelled_at: dt.datetime | None = None,
    escalation_percents: Sequence[int] = (),
) -> MetricClock:
    """The clock of one metric at ``now``.

    ``stopped_at`` is when the metric's event happened (first response, arrival,
    resolution); pauses are cut off there. ``cancelled_at`` ends a metric whose event
    never came: breached if its deadline had passed by then, else cancelled.
    ``escalation_percents`` are the ladder steps not yet fired, in rising order.
    """
    end = stopped_at or cancelled_at or now
    clipped = clip_pauses(pauses, end)
    due, paused = deadline(calendar, start, target_seconds, clipped, end)
    elapsed = max(0.0, calendar.between(start, end) - paused) if end > start else 0.0
    if stopped_at is not None:
        state = MET if stopped_at <= due else BREACHED
    elif cancelled_at is not None:
        state = BREACHED if cancelled_at > due else CANCELLED
    elif now > due:
        state = BREACHED
    elif any(s <= now and e is None for s, e in pauses):
        state = PAUSED
    else:
        state = RUNNING
    still_running = stopped_at is None and cancelled_at is None
    next_step = None
    if still_running and escalation_percents:
        percent = escalation_percents[0]
        next_step, _ = deadline(calendar, start, target_seconds * percent / 100, clipped, end)
    return MetricClock(due, paused, elapsed, state, next_step)


def not_started(
    calendar: BusinessCalendar, target_seconds: float, moment: dt.datetime, cancelled: bool
) -> MetricClock:
    """A milestone metric whose starting moment has not come: paused (cancelled when the
    ticket ended first), nothing elapsed; the deadline shown is the one it would have if
    it started at ``moment``."""
    due = calendar.add(moment, target_seconds)
    return MetricClock(due, 0.0, 0.0, CANCELLED if cancelled else PAUSED, None)
