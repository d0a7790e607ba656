"""Everything a plugin may import: the hookimpl marker and the dataclasses hooks exchange.

Plugins never import ``server.models``, ``server.views`` or other core internals; what
they receive and return is defined here, frozen, so no hook can change core state behind
the core's back.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

PROJECT_NAME = "aftersales"

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

FIELD_KINDS = ("text", "textarea", "integer", "decimal", "date", "choice", "boolean")
_SLUG = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
_PREFIX = re.compile(r"^[A-Z]{2,4}$")


@dataclass(frozen=True)
class Label:
    """A text in Simplified Chinese and English."""

    zh: str
    en: str

    def get(self, locale: str) -> str:
        return self.zh if locale.startswith("zh") else self.en

    def __str__(self) -> str:
        return self.en


@dataclass(frozen=True)
class Industry:
    """What a plugin is: returned by ``register_industry``."""

    slug: str
    label: Label
    ticket_prefix: str
    version: str = "0.1.0"

    def __post_init__(self) -> None:
        if not _SLUG.match(self.slug):
            raise ValueError(f"industry slug {self.slug!r} must match {_SLUG.pattern}")
        if not _PREFIX.match(self.ticket_prefix):
            raise ValueError(f"ticket prefix {self.ticket_prefix!r} must be 2-4 capitals")


@dataclass(frozen=True)
class FieldSpec:
    """One plugin form field; the core turns it into a WTForms field and validates it.

    Values are stored in ``attributes[name]`` as JSON: text as str, integer as int,
    decimal as str (exact), date as ISO ``YYYY-MM-DD``, choice as the choice key,
    boolean as bool.
    """

    name: str
    label: Label
    kind: str = "text"
    required: bool = False
    choices: tuple[tuple[str, Label], ...] = ()
    max_length: int = 200
    pattern: str | None = None
    pattern_hint: Label | None = None
    min_value: float | None = None
    max_value: float | None = None
    not_in_future: bool = False
    help: Label | None = None
    # The place the work is done when it is not the customer's address (an installation
    # address, a supply point): the technician's day shows it instead.
    site_address: bool = False
    # Staff-only: left off the public request form (``ServiceType.public``), so a customer
    # never sees or fills it. A required internal field is required on the staff forms
    # only; a ticket from the public form arrives without it and staff fill it in.
    internal: bool = False

    def __post_init__(self) -> None:
        if not _SLUG.match(self.name):
            raise ValueError(f"field name {self.name!r} must match {_SLUG.pattern}")
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"field {self.name}: kind must be one of {FIELD_KINDS}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"field {self.name}: a choice field needs choices")
        if self.site_address and self.kind not in ("text", "textarea"):
            raise ValueError(f"field {self.name}: a site address must be text or textarea")


@dataclass(frozen=True)
class ServiceType:
    """One entry of a plugin's service catalog."""

    code: str
    label: Label
    category: str = "general"
    default_priority: str = "normal"
    fields: tuple[FieldSpec, ...] = ()
    asset_kind: str | None = None
    description: Label | None = None
    # When set, the condition someone must confirm before the ticket can be dispatched
    # (e.g. "the installation site is ready"); assigning is refused until then.
    readiness: Label | None = None
    # When True, a ticket with an agreed appointment window has its arrival SLA measured
    # against that window: due at the window's end (arriving early is fine), breached if
    # nobody arrived by then. Without a window the policy's arrival target applies.
    arrival_within_appointment: bool = False
    # Working days after resolution when the customer is called back (回访): None leaves
    # it to ``[callbacks] due_working_days``; 0 means no callback (e.g. a consultation).
    # ``[[callbacks.rules]]`` in the config override it.
    callback_days: int | None = None
    # When True, customers may request the service themselves on the public request form
    # (``/request``, when ``[public] enabled``): its fields minus the internal ones.
    public: bool = False
    # What the customer reads about the service on the public pages (what it covers, what
    # happens next); ``description`` when None.
    public_description: Label | None = None

    def __post_init__(self) -> None:
        if not _SLUG.match(self.code):
            raise ValueError(f"service code {self.code!r} must match {_SLUG.pattern}")
        if self.callback_days is not None and not 0 <= self.callback_days <= 60:
            raise ValueError(f"service {self.code!r}: callback_days must be between 0 and 60")


@dataclass(frozen=True)
class AssetKind:
    """A kind of serviced thing a plugin knows (appliance, meter, policy …).

    ``fields`` are the kind's own values (a policy's line and status, a meter's number):
    the add-asset form, the asset import (``attr.<name>`` columns), the asset export and
    the API check and store them in ``Asset.attributes`` the way ticket fields are kept
    (see :class:`FieldSpec`). Plugins read them from ``AssetInfo.attributes``.
    """

    code: str
    label: Label
    identifier_label: Label
    identifier_pattern: str | None = None
    fields: tuple[FieldSpec, ...] = ()

    def __post_init__(self) -> None:
        names = [spec.name for spec in self.fields]
        if len(names) != len(set(names)):
            raise ValueError(f"asset kind {self.code}: field names must be unique")


@dataclass(frozen=True)
class CalendarSpec:
    """A business calendar a plugin offers; ``[sla.calendars.<name>]`` may override it.

    ``days`` maps ``"weekdays"`` (Monday–Friday) or a day name (``"saturday"``) to working
    windows like ``("09:00-12:00", "13:00-18:00")``. ``holidays`` is ``"china"`` (with
    make-up working days), ``"none"`` or a country code for the `holidays` package.
    """

    name: str
    timezone: str
    days: Mapping[str, tuple[str, ...]]
    holidays: str = "none"
    makeup_days: tuple[str, ...] | None = None
    extra_holidays: tuple[dt.date, ...] = ()
    extra_workdays: tuple[dt.date, ...] = ()

    def as_table(self) -> dict[str, Any]:
        """The same calendar as a config table, so one parser checks both."""
        table: dict[str, Any] = {"timezone": self.timezone, "holidays": self.holidays}
        table.update({day: list(windows) for day, windows in self.days.items()})
        if self.makeup_days is not None:
            table["makeup_days"] = list(self.makeup_days)
        table["extra_holidays"] = list(self.extra_holidays)
        table["extra_workdays"] = list(self.extra_workdays)
        return table


SLA_METRICS = ("first_response", "arrival", "resolution")
# A plugin's milestone metric (stored in a 20-character column).
_MILESTONE_METRIC = re.compile(r"^[a-z][a-z0-9_]{1,19}$")
ESCALATION_TARGETS = ("assignee", "supervisor", "admin")


@dataclass(frozen=True)
class EscalationStep:
    """At ``percent`` of a metric's target, tell ``notify`` (a role, or the assignee)."""

    percent: int
    notify: str = "assignee"

    def __post_init__(self) -> None:
        if not 1 <= self.percent <= 1000:
            raise ValueError(f"escalation at {self.percent}% must be between 1 and 1000")
        if self.notify not in ESCALATION_TARGETS:
            raise ValueError(f"escalation notify must be one of {ESCALATION_TARGETS}")


@dataclass(frozen=True)
class MetricTarget:
    """One metric of a policy: minutes per priority, its calendar, pauses and ladder.

    A priority missing from ``minutes`` has no target for this metric.

    Milestone metrics measure the ticket's own moments, kept as date attributes
    (``YYYY-MM-DD``, read as midnight in the calendar's time zone): ``starts_at`` names
    the attribute that starts the clock instead of ``reported_at`` (until it is set the
    clock stands paused and no time counts); ``stops_at`` the attribute that stops it
    instead of the core's event. A metric other than the core's three needs
    ``stops_at``. ``days_from`` names a whole-number attribute (days), looked up on the
    ticket and then on its asset, that replaces ``minutes`` when set (a contract's own
    limit). ``label`` names a milestone metric on the pages (the core names its three).
    """

    metric: str
    calendar: str
    minutes: Mapping[str, int]
    pause_statuses: tuple[str, ...] = ()
    escalation: tuple[EscalationStep, ...] = ()
    starts_at: str = ""
    stops_at: str = ""
    days_from: str = ""
    label: Label | None = None

    def __post_init__(self) -> None:
        if self.metric not in SLA_METRICS:
            if not self.stops_at:
                raise ValueError(
                    f"metric {self.metric!r} must be one of {SLA_METRICS}"
                    " or name the attribute that stops it (stops_at)"
                )
            if not _MILESTONE_METRIC.match(self.metric):
                raise ValueError(f"metric {self.metric!r} must match {_MILESTONE_METRIC.pattern}")
        for priority, minutes in self.minutes.items():
            if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
                raise ValueError(f"{self.metric}: target for {priority} must be positive minutes")


@dataclass(frozen=True)
class SlaMatch:
    """Conditions under which a policy applies; an empty tuple matches anything."""

    services: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    customer_tiers: tuple[str, ...] = ()
    region_classes: tuple[str, ...] = ()
    entitlements: tuple[str, ...] = ()


@dataclass(frozen=True)
class SlaPolicy:
    """A named set of targets, and when it applies to the registering plugin's tickets.

    ``when`` lists alternatives (any may match); an empty ``when`` makes the policy the
    plugin's default, tried after every policy with conditions.
    """

    name: str
    label: Label
    targets: tuple[MetricTarget, ...]
    when: tuple[SlaMatch, ...] = ()


@dataclass(frozen=True)
class Entitlement:
    """What the customer is entitled to for this ticket, and why (shown on the ticket).

    ``covered`` means the work is free for the customer under it (warranty, contract):
    the result report's fee lines are then not charged. No entitlement at all: charged.
    """

    status: str
    reason: str | Label  # a Label is shown in the page's language (stored: the writer's)
    covered: bool = False


_PART_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")


@dataclass(frozen=True)
class Part:
    """One entry of a plugin's parts list; money is integer cents (fen), never a float."""

    code: str
    name: Label
    price_cents: int
    unit: Label | None = None
    # The services it is used for; empty means any of the plugin's services.
    services: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _PART_CODE.match(self.code):
            raise ValueError(f"part code {self.code!r} must match {_PART_CODE.pattern}")
        price = self.price_cents
        if isinstance(price, bool) or not isinstance(price, int) or price < 0:
            raise ValueError(f"part {self.code}: price_cents must be a whole number ≥ 0")


REPORT_OUTCOMES = (
    "resolved_by_phone",
    "resolved_on_site",
    "sent_to_workshop",
    "sent_to_factory",
    "unfinished",
)


@dataclass(frozen=True)
class ReportInfo:
    """A read-only snapshot of a submitted result report, handed to ``validate_report``.

    ``parts`` holds ``(code, quantity, returned_to_customer)`` per part line.
    """

    outcome: str
    diagnosis: str = ""
    work_done: str = ""
    labour_hours: decimal.Decimal = decimal.Decimal(0)
    parts: tuple[tuple[str, int, bool], ...] = ()
    customer_name: str = ""
    unfinished_reason: str = ""
    next_start: dt.datetime | None = None
    next_end: dt.datetime | None = None


@dataclass(frozen=True)
class Migration:
    """A numbered schema change; ``apply`` receives the peewee database."""

    number: int
    name: str
    apply: Callable[[Any], None]


@dataclass(frozen=True)
class Veto:
    """A plugin's refusal of a status change, shown to the user as the reason.

    ``reason`` is a plain string or a :class:`Label`: pages show the Label in the page's
    language, the JSON API its English text.
    """

    reason: str | Label


ARTICLE_LANGUAGES = ("zh_CN", "en")
ARTICLE_VISIBILITIES = ("public", "staff")
_ARTICLE_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")


@dataclass(frozen=True)
class ArticleSpec:
    """A starter knowledge-base article a plugin ships (one language per article).

    Imported once into the knowledge base (``aftersales init-db`` or ``aftersales kb
    import-starters``); raising ``version`` updates the stored copy unless someone has
    edited it since. ``category`` and ``service`` (codes of the plugin's catalog, both
    optional) say which tickets it is suggested on: the service's first, then the
    category's, then the rest.
    """

    slug: str
    language: str
    title: str
    body: str
    category: str = ""
    service: str = ""
    visibility: str = "public"
    version: int = 1

    def __post_init__(self) -> None:
        if not _ARTICLE_SLUG.match(self.slug):
            raise ValueError(f"article slug {self.slug!r} must match {_ARTICLE_SLUG.pattern}")
        if self.language not in ARTICLE_LANGUAGES:
            raise ValueError(f"article {self.slug!r}: language must be zh_CN or en")
        if self.visibility not in ARTICLE_VISIBILITIES:
            raise ValueError(f"article {self.slug!r}: visibility must be public or staff")
        if not self.title.strip() or self.version < 1:
            raise ValueError(f"article {self.slug!r}: needs a title and a version ≥ 1")


def articles_from_folder(folder: str | os.PathLike[str]) -> list[ArticleSpec]:
    """The :class:`ArticleSpec` of every ``*.md`` file in ``folder``, by file name.

    Each file opens with a front matter between two ``---`` lines, one ``key: value`` a
    line (``slug``, ``language``, ``title``, and optionally ``category``, ``service``,
    ``visibility``, ``version``); the Markdown body follows.

    :raises ValueError: naming the file, for a missing or malformed front matter.
    """
    specs = []
    for path in sorted(Path(folder).glob("*.md")):
        text = path.read_text(encoding="utf-8")
        head, separator, body = text.removeprefix("---\n").partition("\n---\n")
        if not text.startswith("---\n") or not separator:
            raise ValueError(f"{path}: must open with a front matter between --- lines")
        meta: dict[str, str] = {}
        for line in head.splitlines():
            key, colon, value = line.partition(":")
            if not colon:
                raise ValueError(f"{path}: front matter line {line!r} is not key: value")
            meta[key.strip()] = value.strip()
        try:
            specs.append(
                ArticleSpec(
                    slug=meta["slug"],
                    language=meta["language"],
                    title=meta["title"],
                    body=body.strip() + "\n",
                    category=meta.get("category", ""),
                    service=meta.get("service", ""),
                    visibility=meta.get("visibility", "public"),
                    version=int(meta.get("version", "1")),
                )
            )
        except KeyError as exc:
            raise ValueError(f"{path}: front matter lacks {exc.args[0]}") from None
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
    return specs


SURVEY_KINDS = ("scale", "yes_no")


@dataclass(frozen=True)
class SurveyQuestion:
    """One question of a plugin's callback survey (回访问卷).

    ``kind`` ``"scale"`` is answered 1–5 (5 best), ``"yes_no"`` yes (best) or no. The
    callback's score is the weighted mean of the answers on 0–100 (``weight`` > 0).
    """

    code: str
    label: Label
    weight: float = 1.0
    kind: str = "scale"

    def __post_init__(self) -> None:
        if not _SLUG.match(self.code):
            raise ValueError(f"survey question code {self.code!r} must match {_SLUG.pattern}")
        if self.kind not in SURVEY_KINDS:
            raise ValueError(f"survey question {self.code!r}: kind must be scale or yes_no")
        if not self.weight > 0:
            raise ValueError(f"survey question {self.code!r}: weight must be positive")


@dataclass(frozen=True)
class NavLink:
    """A link added to the main menu."""

    label: Label
    url: str


@dataclass(frozen=True)
class PluginBlueprint:
    """A Flask blueprint of a plugin's own pages, returned by ``register_blueprints``.

    The core mounts it under ``/p/<plugin name>/``; every view in it needs a login and
    ``permission`` (one of the core's permissions, e.g. ``"customer.view"``).
    """

    blueprint: Any
    permission: str


@dataclass(frozen=True)
class Panel:
    """A titled block of label/value rows shown on the ticket page.

    A row's label and value are plain strings or :class:`Label` pairs (shown in the page's
    language).
    """

    title: Label
    rows: tuple[tuple[str | Label, str | Label], ...] = ()


@dataclass(frozen=True)
class Column:
    """One column of a CSV/XLSX export: the row mapping's ``key`` and its header ``label``."""

    key: str
    label: Label


@dataclass(frozen=True)
class UserInfo:
    """The acting user as plugins see it."""

    id: int
    username: str
    display_name: str
    role: str


@dataclass(frozen=True)
class CustomerInfo:
    id: int | None
    name: str
    kind: str
    region: str
    tier: str
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AssetInfo:
    """A read-only snapshot of a serviced thing (appliance, licence …) and its coverage."""

    id: int
    plugin: str
    kind: str
    identifier: str
    coverage_start: dt.date | None = None
    coverage_end: dt.date | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketInfo:
    """A read-only snapshot of a ticket handed to per-ticket hooks."""

    id: int | None
    number: str
    plugin: str
    service: str
    status: str
    priority: str
    customer: CustomerInfo
    asset_id: int | None
    assignee_id: int | None
    reported_at: dt.datetime
    attributes: Mapping[str, Any] = field(default_factory=dict)
    # When the ticket entered its current status (naive UTC); None for a ticket not yet
    # saved. Lets a plugin compute follow-up dates ("parts due by …") from the history.
    status_since: dt.datetime | None = None
    # How many files are attached to the ticket (0 for a ticket not yet saved), e.g. to
    # warn that a proof of purchase was ticked but never uploaded.
    attachment_count: int = 0


@dataclass(frozen=True)
class DemoAsset:
    kind: str
    identifier: str
    coverage_start: dt.date | None = None
    coverage_end: dt.date | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    phone: str
    address: str
    region: str = ""
    kind: str = "person"
    tier: str = "normal"
    # Values of plugin customer fields (``customer_form_fields``), by field name.
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoTicket:
    """A realistic example request the ``demo`` command can create."""

    service: str
    title: str
    customer: DemoCustomer
    description: str = ""
    priority: str = "normal"
    channel: str = "phone"
    asset: DemoAsset | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


def label(zh: str, en: str) -> Label:
    """Shorthand for :class:`Label`."""
    return Label(zh, en)


# --- read-only helpers for plugin pages -----------------------------------------------
# Plugins never import the models; these answer what a plugin page needs to read, as
# frozen snapshots. They must be called inside a request or app context.


def customers_with_attribute(name: str, value: Any) -> list[CustomerInfo]:
    """Customers whose ``attributes[name]`` equals ``value`` (a plugin customer field), by name.

    :param name: the customer field's name.
    :param value: the stored value to match exactly (str, int or bool).
    :returns: frozen :class:`CustomerInfo` snapshots.
    """
    from server.plugin_reads import customers_with_attribute as read

    return read(name, value)


def latest_tickets(
    plugin: str, services: tuple[str, ...], customer_ids: list[int]
) -> dict[int, TicketInfo]:
    """Each customer's most recently reported ticket of these services (cancelled ones left out).

    :param plugin: the industry slug the tickets belong to.
    :param services: the service codes to look at.
    :param customer_ids: the customers asked about.
    :returns: customer id → frozen :class:`TicketInfo`; customers without one are absent.
    """
    from server.plugin_reads import latest_tickets as read

    return read(plugin, services, customer_ids)


def asset_info(asset_id: int | None) -> AssetInfo | None:
    """The asset a ticket concerns (``TicketInfo.asset_id``), e.g. to check its coverage.

    :param asset_id: the asset's id, or None.
    :returns: a frozen :class:`AssetInfo`, or None when there is none.
    """
    from server.plugin_reads import asset_info as read

    return read(asset_id)


def ticket_creator(ticket_id: int) -> UserInfo | None:
    """Who created the ticket (the actor of its "created" event): its first-contact owner.

    :param ticket_id: the ticket's id (``TicketInfo.id``).
    :returns: a frozen :class:`UserInfo`, or None (created by the system, or user deleted).
    """
    from server.plugin_reads import ticket_creator as read

    return read(ticket_id)


def linked_tickets(ticket_id: int) -> list[TicketInfo]:
    """The tickets linked under this one (e.g. the customers' reports of an outage).

    :param ticket_id: the parent ticket's id (``TicketInfo.id``).
    :returns: frozen :class:`TicketInfo` snapshots, oldest link first (empty: none).
    """
    from server.plugin_reads import linked_tickets as read

    return read(ticket_id)


def parent_ticket(ticket_id: int) -> TicketInfo | None:
    """The ticket this one is linked under (e.g. the outage incident of a report).

    :param ticket_id: the ticket's id (``TicketInfo.id``).
    :returns: a frozen :class:`TicketInfo`, or None when it is not linked.
    """
    from server.plugin_reads import parent_ticket as read

    return read(ticket_id)


def current_user() -> UserInfo | None:
    """The logged-in user of the current request, or None.

    :returns: a frozen :class:`UserInfo`.
    """
    from server.plugin_reads import current_user_info

    return current_user_info()


def current_user_can(permission: str) -> bool:
    """Whether the logged-in user's role has ``permission`` (one of the core's permissions).

    :param permission: e.g. ``"ticket.assign"``.
    :returns: True or False (False when nobody is logged in).
    """
    from server.plugin_reads import current_user_can as read

    return read(permission)


def user_exists(username: str) -> bool:
    """Whether an active user has this login name (e.g. to check a manager field).

    :param username: the login name.
    :returns: True or False.
    """
    from server.plugin_reads import user_exists as read

    return read(username)


def render_page(page: str, partial: str, /, **context: Any) -> Any:
    """Render a plugin page like the core's: ``partial`` for htmx requests, else ``page``.

    :param page: the full page's template (extending ``base.html``).
    :param partial: the fragment htmx swaps in.
    :param context: the templates' variables.
    :returns: a Flask response that varies on ``HX-Request``.
    """
    from server.htmx import render

    return render(page, partial, **context)


def saved_ticket(ticket_id: int | None) -> TicketInfo | None:
    """The ticket as last saved, e.g. for ``validate_ticket`` to see which fields an edit
    changes (the draft it receives already holds the new values).

    :param ticket_id: the ticket's id (``TicketInfo.id``; None for a ticket not yet saved).
    :returns: a frozen :class:`TicketInfo`, or None when there is none.
    """
    from server.plugin_reads import saved_ticket as read

    return read(ticket_id)


@dataclass(frozen=True)
class TicketSpan:
    """A ticket and when it was resolved (None while open), for period reports."""

    ticket: TicketInfo
    resolved_at: dt.datetime | None = None


def tickets_in_period(
    plugin: str, customer_id: int, start: dt.datetime, end: dt.datetime, services: tuple[str, ...]
) -> list[TicketSpan]:
    """A customer's tickets of these services open at some time in ``[start, end)``.

    Reported before ``end`` and not resolved by ``start`` (cancelled ones left out), oldest
    first; e.g. for downtime or availability reports.

    :param plugin: the tickets' plugin.
    :param customer_id: the customer's id.
    :param start: the period's start (naive UTC).
    :param end: the period's end (naive UTC), excluded.
    :param services: the service codes.
    :returns: frozen :class:`TicketSpan` snapshots.
    """
    from server.plugin_reads import tickets_in_period as read

    return read(plugin, customer_id, start, end, services)


def working_minutes(calendar: str, start: dt.datetime, end: dt.datetime) -> int:
    """Whole working minutes of a business calendar between two moments.

    :param calendar: a calendar's name (a plugin's ``CalendarSpec``, one from
        ``[sla.calendars]``, or ``24x7``), with its holidays and make-up working days.
    :param start: naive UTC.
    :param end: naive UTC; an end before ``start`` gives 0.
    :returns: the working minutes in ``[start, end)``.
    :raises ValueError: for an unknown calendar.
    """
    from server.plugin_reads import working_minutes as read

    return read(calendar, start, end)


def requested_format() -> str | None:
    """The export a list or report page was asked for: ``?format=csv`` or ``?format=xlsx``.

    :returns: "csv", "xlsx", or None for the page itself.
    :raises werkzeug.exceptions.BadRequest: for any other ``format`` value.
    """
    from server.tabular import requested_format as read

    return read()


def export_response(
    filename_stem: str, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], fmt: str
) -> Any:
    """A CSV (UTF-8 with BOM) or XLSX download of ``rows``, one column per :class:`Column`.

    Put ``{% from "_export.html" import export_links %}{{ export_links() }}`` on the page and
    return this when :func:`requested_format` is set, with the same rows (all pages).

    :param filename_stem: the download's name without extension, e.g. ``"availability"``.
    :param columns: the columns, in order; headers in the user's language.
    :param rows: mappings from column key to value (str, numbers, dates, Label, bool, None).
    :param fmt: "csv" or "xlsx".
    :returns: a Flask response (the CSV is streamed).
    """
    from server.tabular import export_response as export

    return export(filename_stem, columns, rows, fmt)
