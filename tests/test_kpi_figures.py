"""KPI figures on a hand-built month (tests/kpi_data.py): exact numbers in business time."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from server.config import ConfigError, parse_config
from server.kpi import Period, figures
from server.kpi.cache import ClosedPeriodCache
from server.kpi.dashboard import OUTLET_PARTS
from server.kpi.figures import KpiRow, figures_and_total, outlets_from_technicians
from tests.conftest import build_app
from tests.kpi_data import EVIL, SLA_CONFIG, build_month, kpi_app

MARCH = Period.month(2026, 3)


@pytest.fixture
def month(tmp_path: Any) -> Any:
    app = kpi_app(tmp_path)
    data = build_month(app)
    with app.app_context():
        yield app, data


def only(rows: list[KpiRow]) -> KpiRow:
    assert len(rows) == 1
    return rows[0]


def test_totals_for_the_month(month: Any) -> None:
    row = only(figures(MARCH, None))
    assert row.volume == 7
    assert row.met == {"first_response": 4, "resolution": 2}
    assert row.breached == {"first_response": 1, "resolution": 1}
    assert row.on_time_rate["first_response"] == pytest.approx(0.8)
    assert row.on_time_rate["resolution"] == pytest.approx(2 / 3)
    # working minutes: lunch 12–13 and the holiday on Wednesday 4 March not counted
    assert row.mean_minutes["first_response"] == pytest.approx((60 + 90 + 20 + 10 + 5) / 5)
    assert row.median_minutes["first_response"] == pytest.approx(20)
    assert row.mean_minutes["resolution"] == pytest.approx((270 + 300 + 540) / 3)
    assert row.median_minutes["resolution"] == pytest.approx(300)
    assert row.metrics == ["first_response", "resolution"]


def test_backlog_first_time_fix_and_repeats(month: Any) -> None:
    row = only(figures(MARCH, None))
    # T4, T6, T7 open at the end of March (T8 was cancelled); ages at 1 April 00:00 local
    assert row.backlog == 3
    ages = [15 + 15 / 24, 11 + 14 / 24, 19 + 14 / 24]
    assert row.backlog_age_mean_days == pytest.approx(sum(ages) / 3, abs=1e-6)
    assert row.backlog_age_max_days == pytest.approx(max(ages), abs=1e-6)
    # T1 fixed at the first visit, T2 needed two; T3 has no report
    assert row.resolved_with_reports == 2
    assert row.first_time_fixes == 1
    assert row.first_time_fix_rate == pytest.approx(0.5)
    # T6 came back 18 days after T1 on the same asset; T7 37 days after T5
    assert row.repeat_repairs == 1


def test_satisfaction_and_complaints(month: Any) -> None:
    row = only(figures(MARCH, None))
    # T1 5★, T2 2★, T5 3★ (T5's ticket is from February, its callback in March)
    assert row.satisfaction_counts == (0, 1, 1, 0, 1)
    assert row.satisfaction_total == 3
    assert row.satisfaction_avg == pytest.approx(10 / 3)
    # the complaint about T2; not the one about no ticket, nor April's
    assert row.complaint_count == 1
    assert row.complaint_rate == pytest.approx(1 / 7)
    _app, data = month
    tech2 = next(r for r in figures(MARCH, "technician") if r.key == data["tech2"].id)
    assert tech2.satisfaction_avg is None  # T3's callback was in April
    assert tech2.complaint_count == 0
    assert tech2.complaint_rate == pytest.approx(0)


def test_a_shorter_repeat_window(month: Any) -> None:
    assert only(figures(MARCH, None, repeat_window_days=10)).repeat_repairs == 0
    assert only(figures(MARCH, None, repeat_window_days=40)).repeat_repairs == 2


def test_backlog_is_as_of_the_period_end(month: Any) -> None:
    # At the end of 5 March: T2 was resolved that day, T1 earlier; T3 not yet created
    row = only(figures(Period(dt.date(2026, 3, 1), dt.date(2026, 3, 5)), None))
    assert row.backlog == 0
    # At the end of 3 March: T2 (created at 17:00) was open
    row = only(figures(Period(dt.date(2026, 3, 3), dt.date(2026, 3, 3)), None))
    assert row.backlog == 1
    assert row.volume == 1


def test_previous_period(month: Any) -> None:
    row = only(figures(MARCH.previous(), None))
    assert MARCH.previous() == Period.month(2026, 2)
    assert row.volume == 1
    assert row.met == {"first_response": 1, "resolution": 1}
    assert row.backlog == 0


def test_by_technician(month: Any) -> None:
    _app, data = month
    rows = {row.key: row for row in figures(MARCH, "technician")}
    assert set(rows) == {data["tech1"].id, data["tech2"].id, None}
    tech1 = rows[data["tech1"].id]
    assert tech1.volume == 3
    assert tech1.met == {"first_response": 2, "resolution": 2}
    assert tech1.breached == {"first_response": 1, "resolution": 0}
    assert tech1.first_time_fix_rate == pytest.approx(0.5)
    assert tech1.satisfaction_counts == (0, 1, 1, 0, 1)
    assert tech1.complaint_rate == pytest.approx(1 / 3)
    assert rows[data["tech2"].id].on_time_rate == {"first_response": 1.0, "resolution": 0.0}
    unassigned = rows[None]
    assert unassigned.label.en == "Unassigned"
    assert unassigned.volume == 3  # T6, T7, T8
    assert unassigned.repeat_repairs == 1


def test_by_outlet_team_and_plugin(month: Any) -> None:
    _app, data = month
    outlets = {row.key: row for row in figures(MARCH, "outlet")}
    assert outlets[data["north"].id].label.en == "North"
    assert outlets[data["south"].id].label.en == EVIL
    assert outlets[data["south"].id].volume == 1
    assert outlets[data["north"].id].backlog == 1
    assert [row.label.en for row in figures(MARCH, "outlet")][-1] == "No outlet"
    teams = {row.key: row.volume for row in figures(MARCH, "team")}
    assert teams == {"": 5, "A": 1, "B": 1}
    plugin = only(figures(MARCH, "plugin"))
    assert plugin.key == "sample"
    assert plugin.label.en == "Sample industry"
    assert plugin.volume == 7


def test_filters(month: Any) -> None:
    _app, data = month
    row = only(figures(MARCH, None, outlet_id=data["south"].id))
    assert row.volume == 1
    assert row.breached == {"first_response": 0, "resolution": 1}
    assert only(figures(MARCH, None, plugin="nothing")).volume == 0


def test_empty_data_gives_nones_not_errors(tmp_path: Any) -> None:
    app = kpi_app(tmp_path)
    with app.app_context():
        row = only(figures(MARCH, None))
        assert row.volume == 0
        assert row.on_time_rate == {}
        assert row.first_time_fix_rate is None
        assert row.backlog_age_mean_days is None
        assert figures(MARCH, "outlet") == []
        with pytest.raises(ValueError):
            figures(MARCH, "weather")


def test_periods() -> None:
    assert Period.quarter(2026, 1) == Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert Period.quarter(2026, 1).previous() == Period.quarter(2025, 4)
    assert Period.year(2026).previous() == Period.year(2025)
    assert Period.month(2026, 1).previous() == Period.month(2025, 12)
    custom = Period(dt.date(2026, 3, 10), dt.date(2026, 3, 19))
    assert custom.kind == "custom"
    assert custom.previous() == Period(dt.date(2026, 2, 28), dt.date(2026, 3, 9))
    assert Period.year(2026).kind == "year"
    assert Period.quarter(2026, 2).kind == "quarter"
    assert [str(p) for p in Period.quarter(2026, 1).buckets("month")] == [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    weeks = Period.month(2026, 3).buckets("week")
    assert weeks[0] == Period(dt.date(2026, 3, 1), dt.date(2026, 3, 1))  # a Sunday
    assert weeks[1].start == dt.date(2026, 3, 2)
    assert weeks[-1].end == dt.date(2026, 3, 31)
    start, end = Period.month(2026, 3).bounds(dt.UTC)
    assert (start, end) == (dt.datetime(2026, 3, 1), dt.datetime(2026, 4, 1))
    with pytest.raises(ValueError):
        Period(dt.date(2026, 3, 2), dt.date(2026, 3, 1))


def test_repeat_window_from_config(tmp_path: Any) -> None:
    app = build_app(tmp_path, sla=SLA_CONFIG, kpi={"repeat_window_days": 40})
    build_month(app)
    with app.app_context():
        assert only(figures(MARCH, None)).repeat_repairs == 2


def test_repeat_window_is_checked() -> None:
    with pytest.raises(ConfigError, match=r"kpi\.repeat_window_days"):
        parse_config({"kpi": {"repeat_window_days": 0}})


@pytest.mark.parametrize("group_by", ["plugin", "outlet", "team", "technician"])
def test_the_total_of_the_groups_is_the_ungrouped_row(month: Any, group_by: str) -> None:
    rows, total = figures_and_total(MARCH, group_by)
    assert rows == figures(MARCH, group_by)
    alone = only(figures(MARCH, None))
    for name in ("volume", "met", "breached", "on_time_rate", "median_minutes", "backlog"):
        assert getattr(total, name) == getattr(alone, name), name
    for name in ("first_time_fix_rate", "repeat_repairs", "satisfaction_counts", "complaint_rate"):
        assert getattr(total, name) == getattr(alone, name), name
    assert total.mean_minutes == pytest.approx(alone.mean_minutes)
    assert total.backlog_age_mean_days == pytest.approx(alone.backlog_age_mean_days)
    assert total.backlog_age_max_days == pytest.approx(alone.backlog_age_max_days)


@pytest.mark.parametrize("plugin", [None, "sample"])
def test_outlets_added_up_from_technicians_are_the_outlet_rows(
    month: Any, plugin: str | None
) -> None:
    asked, _total = figures_and_total(MARCH, "outlet", plugin=plugin, parts=OUTLET_PARTS)
    added = outlets_from_technicians(figures(MARCH, "technician", plugin=plugin))
    assert [r.key for r in added] == [r.key for r in asked]
    assert any(r.volume for r in asked)
    for mine, theirs in zip(added, asked, strict=True):
        assert mine.label == theirs.label
        assert mine.mean_minutes == pytest.approx(theirs.mean_minutes)
        assert dataclasses.replace(mine, mean_minutes={}) == dataclasses.replace(
            theirs, mean_minutes={}
        )


def test_closed_period_cache() -> None:
    now = [0.0]
    cache = ClosedPeriodCache(60, clock=lambda: now[0])
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cache.get("k", compute, closed=True) == 1
    assert cache.get("k", compute, closed=True) == 1  # kept
    assert cache.get("k", compute, closed=False) == 2  # a running period: always fresh
    now[0] = 61
    assert cache.get("k", compute, closed=True) == 3  # expired
    off = ClosedPeriodCache(0)
    assert off.get("k", compute, closed=True) == 4
    assert off.get("k", compute, closed=True) == 5


def test_resolved_by_guidance_counts_as_a_report_that_fixed_it(month: Any) -> None:
    from server.kb.models import GUIDANCE_OUTCOME, KbArticle, KbTicketLink

    _app, data = month
    article = KbArticle.create(slug="reset", title="Reset the unit", status="published")
    # T3 (resolved, no report) was resolved by guidance: a first-time fix. T2 needed two
    # visits; guidance on top of them is a third attempt, still not a first-time fix.
    t1, t2, t3 = data["tickets"][:3]
    KbTicketLink.create(ticket=t3, article=article, outcome=GUIDANCE_OUTCOME)
    KbTicketLink.create(ticket=t2, article=article, outcome=GUIDANCE_OUTCOME)
    # a plain link (an article told, not a resolution) on T1 changes nothing
    other = KbArticle.create(slug="tips", title="Tips", status="published")
    KbTicketLink.create(ticket=t1, article=other, outcome="")
    row = only(figures(MARCH, None))
    assert row.resolved_with_reports == 3
    assert row.first_time_fixes == 2
    by_technician = {r.key: r for r in figures(MARCH, "technician")}
    tech2 = by_technician[data["tech2"].id]
    assert (tech2.resolved_with_reports, tech2.first_time_fixes) == (1, 1)
