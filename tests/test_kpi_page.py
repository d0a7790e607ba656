"""The KPI dashboard /kpi: figures, previous period, SVG charts with their tables,
escaping, the empty state, bad periods, exports, the menu link."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from openpyxl import load_workbook

from server.config import ConfigError
from server.kpi import svg
from tests.conftest import add_ticket, build_app, ensure_user
from tests.kpi_data import EVIL, SLA_CONFIG, build_month, kpi_app, local

MARCH = "/kpi?period=month&year=2026&month=3"
SVG_NS = "{http://www.w3.org/2000/svg}"
ZH = {"Accept-Language": "zh-CN"}  # for the assertions on Chinese labels and headers


@pytest.fixture
def kpi(tmp_path: Any) -> Any:
    app = kpi_app(tmp_path)
    build_month(app)
    ensure_user(app, "boss", "supervisor")
    client = app.test_client()
    assert client.login("boss").status_code == 303
    return client


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(block) for block in re.findall(r"<svg.*?</svg>", html, re.S)]


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_dashboard_shows_the_month_and_the_previous_one(kpi: Any) -> None:
    response = kpi.get(MARCH + "&group=technician")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2026-03" in html and "compared with 2026-02" in html
    summary = html.split('id="kpi-summary"')[1].split("</table>")[0]
    # volume 7 against 1 in February, first response on time 80% against 100%
    assert re.search(r"Volume</th><td>7</td><td>1</td><td><span class=\"delta-up\">\+6", summary)
    assert "80.0%" in summary and "-20.0 pts" in summary
    assert "66.7%" in summary  # resolution
    assert "20.0 / 37.0" in summary  # first response median / mean working minutes
    assert "3.33" in summary  # satisfaction
    assert "1 (14.3%)" in summary  # one complaint over seven tickets
    groups = html.split('id="kpi-groups"')[1].split("</table>")[0]
    assert "Tech1" in groups and "Unassigned" in groups  # the group's label, in English
    chinese = kpi.get(MARCH + "&group=technician", headers=ZH).get_data(as_text=True)
    groups = chinese.split('id="kpi-groups"')[1].split("</table>")[0]
    assert "Tech1" in groups and "未分派" in groups  # and in Chinese


def test_charts_are_well_formed_svg_with_titles_and_tables(kpi: Any) -> None:
    html = kpi.get(MARCH, headers=ZH).get_data(as_text=True)  # weekday names in Chinese
    charts = svgs(html)
    assert len(charts) == 5
    for chart in charts:
        assert chart.get("role") == "img"
        title = chart.find(f"{SVG_NS}title")
        assert title is not None and title.text
        assert chart.get("aria-labelledby") == title.get("id")
    assert html.count("<table") == 5  # summary, groups, trend, outlets, heat-map
    # the heat-map: T2's first response fell due Tuesday 18:00, T3's resolution Monday 10:00
    heat = html.split('id="kpi-heatmap"')[1]
    assert "heat-4" in heat
    rows = re.findall(r"<tr><th scope=\"row\">(周.)</th>(.*?)</tr>", heat)
    cells = {day: re.findall(r"<td>(\d+)</td>", tds) for day, tds in rows}
    assert cells["周一"][10] == "1" and cells["周二"][18] == "1"
    assert sum(int(v) for values in cells.values() for v in values) == 2


def test_labels_are_escaped_and_nothing_inline(kpi: Any) -> None:
    html = kpi.get(MARCH + "&group=outlet").get_data(as_text=True)
    assert EVIL not in html
    assert "&lt;script&gt;South" in html
    assert " style=" not in html and "<script>" not in html.split("</head>")[1].replace(
        '<script src="', ""
    )
    texts = [t.text for chart in svgs(html) for t in chart.iter(f"{SVG_NS}text")]
    assert EVIL in texts  # drawn as text, after the XML parser un-escaped it


def test_empty_data_says_so(tmp_path: Any) -> None:
    app = kpi_app(tmp_path)
    ensure_user(app, "boss", "supervisor")
    client = app.test_client()
    client.login("boss")
    response = client.get(MARCH)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No data for 2026-03" in html
    assert all(chart.get("class") == "chart chart-no-data" for chart in svgs(html))
    assert "—" in html  # rates without anything counted
    rows = csv_rows(client.get(MARCH + "&table=summary&format=csv", headers=ZH))
    assert rows[1][:3] == ["工单量", "0", "0"]


def test_bad_periods_are_422_with_the_message(kpi: Any) -> None:
    response = kpi.get("/kpi?period=custom&start=2026-03-05&end=2026-03-01")
    assert response.status_code == 422
    assert "The last day cannot be before the first." in response.get_data(as_text=True)
    response = kpi.get("/kpi?period=custom")
    assert response.status_code == 422
    assert "Give the first day." in response.get_data(as_text=True)
    assert kpi.get("/kpi?period=year&year=1900").status_code == 422
    response = kpi.get("/kpi?period=custom&start=2020-01-01&end=2026-01-01")
    assert "A period spans at most 731 days." in response.get_data(as_text=True)
    assert kpi.get("/kpi?period=custom&start=soon&end=2026-01-01").status_code == 422
    assert kpi.get("/kpi?month=13").status_code == 422
    assert kpi.get("/kpi?plugin=nope").status_code == 422


def test_plugin_filter(kpi: Any) -> None:
    rows = csv_rows(kpi.get(MARCH + "&plugin=sample&table=summary&format=csv", headers=ZH))
    assert rows[1][:2] == ["工单量", "7"]
    assert kpi.get("/kpi?group=weather").status_code == 422
    assert kpi.get("/kpi?period=custom&format=csv").status_code == 400


def test_custom_quarter_and_year_periods(kpi: Any) -> None:
    html = kpi.get("/kpi?period=custom&start=2026-03-01&end=2026-03-10").get_data(as_text=True)
    assert "2026-03-01 – 2026-03-10" in html
    assert "compared with 2026-02-19 – 2026-02-28" in html
    html = kpi.get("/kpi?period=quarter&year=2026&quarter=1").get_data(as_text=True)
    assert "2026-Q1" in html and "compared with 2025-Q4" in html
    html = kpi.get("/kpi?period=year&year=2026&group=plugin").get_data(as_text=True)
    assert "Trend (monthly)" in html and "Sample industry" in html
    html = kpi.get("/kpi?period=year&year=2026&group=plugin", headers=ZH).get_data(as_text=True)
    assert "样例行业" in html  # the industry's label in the page's language


def test_a_closed_period_is_cached_for_cache_minutes(tmp_path: Any) -> None:
    def volume(client: Any) -> str:
        return csv_rows(client.get(MARCH + "&table=summary&format=csv"))[1][1]

    for minutes, expected in ((10, "7"), (0, "8")):
        app = build_app(tmp_path / str(minutes), sla=SLA_CONFIG, kpi={"cache_minutes": minutes})
        build_month(app)
        ensure_user(app, "boss", "supervisor")
        client = app.test_client()
        client.login("boss")
        assert volume(client) == "7"
        add_ticket(app, now=local(3, 25, 10))  # a late change to a period that has ended
        assert volume(client) == expected


def test_htmx_gets_the_partial(kpi: Any) -> None:
    response = kpi.get(MARCH, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.get_data(as_text=True)
    assert response.headers["HX-Push-Url"].startswith("/kpi?period=month")


def test_every_table_exports(kpi: Any) -> None:
    kpi.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"  # the Chinese headers and labels
    html = kpi.get(MARCH + "&group=technician").get_data(as_text=True)
    for table in ("summary", "groups", "trend", "outlets", "heatmap"):
        assert f"table={table}&amp;format=csv" in html
        assert f"table={table}&amp;format=xlsx" in html
    groups = csv_rows(kpi.get(MARCH + "&group=technician&table=groups&format=csv"))
    assert groups[0][:3] == ["技术员", "工单量", "工单量变化"]
    by_name = {row[0]: row for row in groups[1:]}
    assert by_name["Tech1"][1:3] == ["3", "2"]
    assert by_name["未分派"][1] == "3"
    outlets = csv_rows(kpi.get(MARCH + "&table=outlets&format=csv"))
    assert [row[:3] for row in outlets[1:]] == [[EVIL, "1", "50.0"], ["North", "3", "80.0"]]
    trend = csv_rows(kpi.get(MARCH + "&table=trend&format=csv"))
    assert trend[2] == ["2026-03-02", "2026-03-08", "3", "4", "1", "80.0"]
    heat = csv_rows(kpi.get(MARCH + "&table=heatmap&format=csv"))
    assert heat[1][0] == "周一" and heat[1][11] == "1"
    response = kpi.get(MARCH + "&table=summary&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:3] == ["工单量", 7, 1]
    assert kpi.get(MARCH + "&table=nothing&format=csv").status_code == 400


def test_menu_link_only_for_those_who_may_see_it(tmp_path: Any) -> None:
    app = kpi_app(tmp_path)
    for role in ("admin", "supervisor", "dispatcher", "technician"):
        ensure_user(app, role, role)
        client = app.test_client()
        client.login(role)
        html = client.get("/tickets").get_data(as_text=True)
        assert ('href="/kpi"' in html) is (role in ("admin", "supervisor"))
        assert client.get("/kpi").status_code == (200 if role in ("admin", "supervisor") else 403)


def test_svg_escapes_and_handles_no_data() -> None:
    chart = svg.bar_chart('a "b" <c>', [("<script>x</script>", 3.0), ("y & z", None)])
    root = ET.fromstring(str(chart))
    assert root.find(f"{SVG_NS}title").text == 'a "b" <c>'
    assert "<script>" not in str(chart)
    assert [t.text for t in root.iter(f"{SVG_NS}text")][:2] == ["<script>x</script>", "3"]
    empty = ET.fromstring(str(svg.line_chart("t", ["a", "b"], [svg.Series("s", [None, None])])))
    assert [t.text for t in empty.iter(f"{SVG_NS}text")] == ["No data"]
    zero = ET.fromstring(str(svg.heatmap("h", [[0] * 24] * 7, ["Mon"] * 7, ["00"] * 24)))
    assert zero.get("class") == "chart chart-no-data"
    line = ET.fromstring(str(svg.line_chart("t", ["a"], [svg.Series("s", [2.0])])))
    assert len(list(line.iter(f"{SVG_NS}circle"))) == 1


def test_a_running_period_is_shared_for_running_cache_seconds(tmp_path: Any) -> None:
    this_month = "/kpi?period=month&table=summary&format=csv"

    def volume(client: Any) -> str:
        return csv_rows(client.get(this_month))[1][1]

    for seconds, expected in ((600, "1"), (0, "2")):
        app = build_app(tmp_path / str(seconds), kpi={"running_cache_seconds": seconds})
        ensure_user(app, "boss", "supervisor")
        client = app.test_client()
        client.login("boss")
        add_ticket(app)
        assert volume(client) == "1"
        add_ticket(app)  # what happened since shows once the running figures expire
        assert volume(client) == expected


def test_running_cache_seconds_is_checked(tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match="running_cache_seconds"):
        build_app(tmp_path, kpi={"running_cache_seconds": 7200})
