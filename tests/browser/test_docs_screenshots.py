"""The user guide's pictures, taken by walking each chapter's steps in a real browser.

Every step opens the page the guide describes, as the role the chapter is for, checks
that the page shows what the guide says it shows (a form, a table, a card — checked by
markup, so the checks hold in both languages) and takes a 1280×800 PNG of it.

Normally the pictures go to a temporary folder and are thrown away: the checks are the
point, so the guide's pictures cannot silently rot. To regenerate the pictures in
``docs/images/<lang>/`` (English ``en`` and Chinese ``zh``):

    AFTERSALES_SCREENSHOTS=docs/images .venv/bin/python -m pytest \
        tests/browser/test_docs_screenshots.py -p no:xdist -q

The names taken here are the ones the guides use (``tests/test_guides.py`` checks that
every picture a guide shows exists).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, log_in

VIEWPORT = {"width": 1280, "height": 800}
LANGUAGES = {"en": "page", "zh": "chinese_page"}
# A ticket being worked on shows the most: SLA clocks running, a timeline, a report to file.
WORKING = ("on_site", "in_progress", "waiting_parts", "assigned")


@dataclass
class Camera:
    """Takes the named pictures of one language into one folder."""

    page: Any
    folder: Path
    taken: list[str]

    def take(self, name: str, target: Any = None) -> None:
        """A PNG of the viewport, or of ``target`` (a locator) when a region is enough."""
        path = self.folder / f"{name}.png"
        self.page.wait_for_load_state("networkidle")
        if target is None:
            self.page.screenshot(path=str(path), type="png", scale="css", animations="disabled")
        else:
            target.scroll_into_view_if_needed()
            target.screenshot(path=str(path), type="png", scale="css", animations="disabled")
        assert path.stat().st_size > 1000, f"{name}.png is empty"
        self.taken.append(name)


@pytest.fixture(params=sorted(LANGUAGES))
def camera(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Camera]:
    lang = request.param
    base = os.environ.get("AFTERSALES_SCREENSHOTS")
    folder = (Path(base) if base else tmp_path) / lang
    folder.mkdir(parents=True, exist_ok=True)
    page = request.getfixturevalue(LANGUAGES[lang])
    page.set_viewport_size(VIEWPORT)
    yield Camera(page, folder, [])


@dataclass(frozen=True)
class Worked:
    number: str
    customer_id: int
    technician: str  # the assignee's username


def _working_ticket(app: Any) -> Worked:
    """A technician's ticket being worked on, a home-appliance one when the demo has one.

    The demo data depends on today's date, so the ticket is looked up, never named.
    """
    from server.models import Ticket, User

    with app.app_context():
        query = (
            Ticket.select(Ticket, User)
            .join(User)
            .where(User.role == "technician", Ticket.status.in_(WORKING))
            .order_by(Ticket.plugin != "home_appliances", Ticket.number)
        )
        ticket = query.first()
        assert ticket is not None, "the demo data has no ticket a technician is working on"
        return Worked(ticket.number, ticket.customer_id, ticket.assignee.username)


def _reported_ticket(app: Any, fallback: Worked) -> str:
    """A ticket of the same technician with a filed result report (a full slip), if any."""
    from server.dispatch.reports import ServiceReport
    from server.models import Ticket, User

    with app.app_context():
        reported = (
            Ticket.select(Ticket.number)
            .join(ServiceReport, on=ServiceReport.ticket == Ticket.id)
            .switch(Ticket)
            .join(User, on=Ticket.assignee == User.id)
            .where(User.username == fallback.technician)
            .order_by(Ticket.number)
            .first()
        )
        return reported.number if reported is not None else fallback.number


def _pending_callback(app: Any, avoid: str) -> int:
    """A pending callback's id; when the demo left none, resolve a ticket to get one."""
    from server.catalog import current_registry
    from server.followup.models import Callback
    from server.models import Ticket, User
    from server.tickets import transition_ticket

    def pending() -> Any:
        return Callback.select().where(Callback.status == "pending").order_by(Callback.id).first()

    with app.app_context():
        admin = User.get(User.username == "admin")
        candidates = Ticket.select().where(
            Ticket.status.in_(("in_progress", "on_site")), Ticket.number != avoid
        )
        for ticket in candidates.order_by(Ticket.number):
            if pending() is not None:
                break
            try:
                transition_ticket(current_registry(), ticket, ticket.version, "resolved", admin)
            except Exception:  # a plugin may refuse (a report first …): try the next
                continue
        callback = pending()
        assert callback is not None, "no pending callback, and no ticket could be resolved"
        return callback.id


def _visible(page: Any, selector: str) -> Any:
    """The first element ``selector`` finds, once shown (htmx may still be swapping it in)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    locator = page.locator(selector).first
    try:
        locator.wait_for(state="visible", timeout=5_000)
    except PlaywrightTimeout:
        pytest.fail(f"{page.url}: {selector} is not shown")
    return locator


def test_login_page(camera: Camera, live_server: LiveServer) -> None:
    page = camera.page
    page.goto(live_server.at("/login"))
    _visible(page, "input[name=username]")
    _visible(page, "input[name=password]")
    camera.take("login")


def test_dispatcher_chapter(camera: Camera, live_server: LiveServer) -> None:
    page, app = camera.page, live_server.app
    log_in(page, live_server, "dispatcher")
    _visible(page, "form.language select[name=locale]")
    camera.take("language", page.locator("header.topbar"))

    page.goto(live_server.at("/tickets?status=open&sort=deadline"))
    _visible(page, "form select[name=status]")
    assert page.locator("table tbody tr").count() > 0, "the queue lists no tickets"
    camera.take("queue")

    ticket = _working_ticket(app)
    page.goto(live_server.at(f"/tickets/new?customer={ticket.customer_id}"))
    page.locator("select[name=service]").select_option("home_appliances:repair")
    _visible(page, "[name^=f_]")  # the plugin's own fields, swapped in for the service
    page.evaluate("window.scrollTo(0, 0)")
    camera.take("new-ticket")

    page.goto(live_server.at(f"/tickets/{ticket.number}"))
    _visible(page, "section.facts")
    camera.take("ticket")
    _visible(page, "section.sla-panel table")
    camera.take("ticket-sla", page.locator("section.sla-panel"))
    assert page.locator("section.timeline li").count() > 0, "the timeline is empty"
    camera.take("ticket-timeline", page.locator("section.timeline"))
    _visible(page, "form[action$='/assign'] select[name=assignee]")
    camera.take("assign", page.locator("section.actions"))

    page.goto(live_server.at("/dispatch"))
    _visible(page, "section.board-section table")
    camera.take("dispatch")

    page.goto(live_server.at("/calendar?view=week"))
    _visible(page, "table.calendar")
    camera.take("calendar")

    page.goto(live_server.at(f"/callbacks/{_pending_callback(app, avoid=ticket.number)}"))
    _visible(page, "#callback-form input[name=satisfaction]")
    camera.take("callback")

    page.goto(live_server.at("/complaints"))
    _visible(page, "a[href$='/complaints/new']")
    camera.take("complaints")


def test_technician_chapter(camera: Camera, live_server: LiveServer) -> None:
    page, app = camera.page, live_server.app
    ticket = _working_ticket(app)
    log_in(page, live_server, ticket.technician)

    page.goto(live_server.at("/my/jobs"))
    _visible(page, "#my-jobs h1")
    assert page.locator("li.job").count() > 0, f"{ticket.technician} has no jobs listed"
    camera.take("my-jobs")

    page.goto(live_server.at(f"/tickets/{ticket.number}/report"))
    _visible(page, "textarea[name=diagnosis]")
    _visible(page, "input[name=customer_name]")
    camera.take("report")

    page.goto(live_server.at(f"/tickets/{_reported_ticket(app, ticket)}/slip"))
    _visible(page, "section.signatures")
    camera.take("slip")


def test_supervisor_chapter(camera: Camera, live_server: LiveServer) -> None:
    page = camera.page
    log_in(page, live_server, "supervisor")

    page.goto(live_server.at("/kpi"))
    _visible(page, "section.kpi-section table")
    camera.take("kpi")

    page.goto(live_server.at("/merit"))
    _visible(page, "table")
    camera.take("merit")

    page.goto(live_server.at("/grading"))
    _visible(page, "form input[name=period]")
    camera.take("grading")


def test_admin_chapter(camera: Camera, live_server: LiveServer) -> None:
    page = camera.page
    log_in(page, live_server, "admin")

    page.goto(live_server.at("/admin/users"))
    _visible(page, "a[href$='/admin/users/new']")
    assert page.locator("table tbody tr").count() >= 5, "the demo staff are not listed"
    camera.take("admin-users")

    # Reported the evening before the National Day holiday: due after it (the guide's example).
    page.goto(
        live_server.at(
            "/admin/sla/calculator?policy=it_silver&priority=high&reported_at=2026-09-30T17:30"
        )
    )
    _visible(page, "#sla-results table")
    camera.take("sla-calculator", page.locator("#sla-results"))

    page.goto(live_server.at("/admin/import"))
    _visible(page, "input[type=file]")
    camera.take("import")
