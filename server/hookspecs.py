"""Every hook the core calls; each spec documents when it is called and what it returns.

Registration hooks are called once per plugin at start-up, with that plugin's own
``[plugin.<name>]`` table as ``settings``. Per-ticket hooks are called only on the
ticket's own industry plugin and on plugins that register no industry (cross-cutting
plugins), so no answer depends on the order plugins were registered in.

Not every extension point is a hook. A plugin changes the **mails sent to customers**
(``server.customer_mail``) by shipping templates: ``<slug>/mail/customer/<event>.txt`` in
its ``templates/`` folder (events: ``received``, ``appointment_set``,
``appointment_changed``, ``resolved``, ``survey``) is used instead of the core's
``mail/customer/<event>.txt`` for that plugin's tickets; it may ``{% extends %}`` the core
one and replace the ``message`` block (or the appointment mails' ``preparation`` block).
It is rendered in the customer's language (``language`` is ``"zh_CN"`` or ``"en"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pluggy

from server.plugin_api import (
    PROJECT_NAME,
    ArticleSpec,
    AssetKind,
    CalendarSpec,
    CustomerInfo,
    DemoTicket,
    Entitlement,
    FieldSpec,
    Industry,
    Label,
    Migration,
    NavLink,
    Panel,
    Part,
    PluginBlueprint,
    ReportInfo,
    ServiceType,
    SlaPolicy,
    SurveyQuestion,
    TicketInfo,
    UserInfo,
    Veto,
)

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


# --- registration -------------------------------------------------------------------


@hookspec(firstresult=True)
def register_industry(settings: Mapping[str, Any]) -> Industry | None:
    """Called once at start-up to learn which industry the plugin serves.

    :param settings: the plugin's own ``[plugin.<name>]`` config table.
    :returns: an :class:`Industry` (slug, labels, ticket prefix), or None for a
        cross-cutting plugin that adds behaviour without an industry of its own.
        Stops at the first non-None result.
    """


@hookspec
def register_service_catalog(settings: Mapping[str, Any]) -> list[ServiceType]:
    """Called once at start-up to collect the industry plugin's service catalog.

    :param settings: the plugin's own ``[plugin.<name>]`` config table.
    :returns: the :class:`ServiceType` entries the plugin offers; codes must be unique
        within the plugin.
    """


@hookspec
def register_asset_kinds(settings: Mapping[str, Any]) -> list[AssetKind]:
    """Called once at start-up to collect the kinds of serviced things the plugin knows.

    :param settings: the plugin's own ``[plugin.<name>]`` config table.
    :returns: :class:`AssetKind` entries (code, labels, identifier label and pattern).
    """


@hookspec
def register_calendars(settings: Mapping[str, Any]) -> list[CalendarSpec]:
    """Called once at start-up to collect the business calendars the plugin offers.

    A calendar of the same name in ``[sla.calendars]`` replaces the plugin's, so a firm
    can change working hours without touching code.

    :param settings: the plugin's own ``[plugin.<name>]`` config table.
    :returns: :class:`CalendarSpec` entries (name, time zone, windows, holiday source).
    """


@hookspec
def register_sla_policies(settings: Mapping[str, Any]) -> list[SlaPolicy]:
    """Called once at start-up to collect the SLA policies for the plugin's own tickets.

    Policies with ``when`` conditions are tried in the order given, then the first one
    without conditions (the plugin's default). ``[[sla.rules]]`` in the config are tried
    before any of them, and ``[sla.policies.<name>]`` replaces a policy of the same name.

    :param settings: the plugin's own ``[plugin.<name>]`` config table.
    :returns: :class:`SlaPolicy` entries (targets per metric and priority, calendars,
        pause statuses, escalation ladders).
    """


@hookspec
def register_parts(settings: Mapping[str, Any]) -> list[Part]:
    """Called once at start-up to collect the industry plugin's parts list.

    Technicians choose the parts they used from this list on the result report; the
    price (integer cents) is copied onto the report, so a later price change never
    alters a filed report. A part with ``services`` is offered for those services only.

    :param settings: the plugin's own ``[plugin.<name>]`` config table.
    :returns: :class:`Part` entries (code, labels, price in cents, unit); codes must be
        unique within the plugin.
    """


@hookspec
def register_migrations() -> list[Migration]:
    """Called by ``aftersales init-db`` to collect the plugin's own schema migrations.

    Tables a plugin creates are prefixed with its slug; migrations are numbered 1..n and
    recorded in the history table under the plugin's name, separately from the core's.

    :returns: the plugin's :class:`Migration` list, in order.
    """


@hookspec
def register_articles(settings: Mapping[str, Any]) -> list[ArticleSpec]:
    """Called by ``aftersales init-db`` and ``aftersales kb import-starters`` to collect
    the plugin's starter knowledge-base articles.

    Each is imported once under its slug, as a published article of the plugin; a later
    ``version`` replaces the stored text only while nobody has edited it, and an article
    of the same slug written by staff is never touched. Keep the texts in files
    (``articles/*.md`` with a front matter) and return ``articles_from_folder(...)``.

    :param settings: the plugin's own ``[plugin.<name>]`` config table.
    :returns: :class:`ArticleSpec` entries (slug, language, title, Markdown body,
        category, service, visibility, version).
    """


@hookspec
def register_translations() -> str | None:
    """Called once at start-up for the folder of the plugin's gettext catalogs.

    The folder holds ``<locale>/LC_MESSAGES/messages.po`` for ``zh_CN`` (and ``en`` if
    the plugin's source strings are not English). The strings the plugin's templates mark
    with ``{{ _("…") }}`` are looked up there after the core's catalog, so the plugin's
    translation wins for a message both translate. Services, fields and other data keep
    their :class:`Label` pairs; the catalog is for the words of the plugin's own pages.

    :returns: the folder's path (``str(Path(__file__).parent / "translations")``), or
        ``None`` when the plugin has no pages of its own.
    """


@hookspec
def customer_form_fields(settings: Mapping[str, Any]) -> list[FieldSpec]:
    """Called once at start-up to collect extra customer fields the plugin needs.

    Values are stored in ``Customer.attributes`` under the field's name.

    :param settings: the plugin's own ``[plugin.<name>]`` config table.
    :returns: :class:`FieldSpec` entries added to the customer form.
    """


@hookspec
def validate_customer(customer: CustomerInfo) -> dict[str, list[str | Label]] | None:
    """Called on every plugin before a customer is created or edited, after the fields' checks.

    Lets a plugin check its customer fields against each other or against stored data
    (e.g. a licence number used by another customer).

    :param customer: the customer as it would be saved (``id`` is None when new),
        ``attributes`` holding every plugin field's value.
    :returns: errors by field name (a core field such as ``name`` or ``tier``, or a plugin
        field's name; ``""`` for the whole form), or None when all is well.
        Each message is a ``str`` or a :class:`Label` (``Label(zh, en)``): pages show a
        Label in the page's language, the JSON API its English text.
    """


@hookspec
def demo_tickets(settings: Mapping[str, Any]) -> list[DemoTicket]:
    """Called by ``aftersales demo`` to collect realistic example requests.

    :param settings: the plugin's own ``[plugin.<name>]`` config table.
    :returns: :class:`DemoTicket` templates; the command creates customers, assets and
        tickets from them and spreads them over the recent past.
    """


@hookspec
def register_blueprints(settings: Mapping[str, Any]) -> list[PluginBlueprint]:
    """Called once at start-up to collect the plugin's own pages.

    The core mounts each blueprint under ``/p/<plugin name>/`` and guards every view in it
    with a login and the blueprint's permission; anything else is the plugin's view code,
    which reads through ``server.plugin_api``'s read-only helpers, never the models.

    :param settings: the plugin's own ``[plugin.<name>]`` config table.
    :returns: :class:`PluginBlueprint` entries (a Flask blueprint and the core permission
        needed to use it); blueprint names must be unique across plugins.
    """


# --- tickets ------------------------------------------------------------------------


@hookspec
def ticket_form_fields(service: ServiceType, settings: Mapping[str, Any]) -> list[FieldSpec]:
    """Called when the ticket form for ``service`` is built, to add fields to it.

    The service's own ``fields`` are always included; this hook lets a plugin add fields
    computed at run time or a cross-cutting plugin add fields to every service. The core
    builds one WTForms subclass per service from the result and caches it.

    :param service: the :class:`ServiceType` whose form is being built.
    :param settings: the plugin's own ``[plugin.<name>]`` config table (as the
        registration hooks receive it).
    :returns: extra :class:`FieldSpec` entries.
    """


@hookspec
def validate_ticket(
    service: ServiceType, ticket: TicketInfo, settings: Mapping[str, Any]
) -> dict[str, list[str | Label]] | None:
    """Called before a ticket is created or edited, after the fields' own checks passed.

    :param service: the ticket's service.
    :param ticket: the ticket as it would be saved (``id`` is None when new).
    :param settings: the plugin's own ``[plugin.<name>]`` config table (as the
        registration hooks receive it).
    :returns: errors by field name (``""`` for the whole form), or None when all is well.
        Each message is a ``str`` or a :class:`Label` (``Label(zh, en)``): pages show a
        Label in the page's language, the JSON API its English text.
    """


@hookspec
def validate_report(
    service: ServiceType, ticket: TicketInfo, report: ReportInfo, settings: Mapping[str, Any]
) -> dict[str, list[str | Label]] | None:
    """Called before a result report is filed, after the core's own checks passed.

    Lets a plugin require fields for its services (e.g. a diagnosis for repairs).

    :param service: the ticket's service.
    :param ticket: the ticket the report is for.
    :param report: the report as it would be filed.
    :param settings: the plugin's own ``[plugin.<name>]`` config table (as the
        registration hooks receive it).
    :returns: errors by report field name (``diagnosis``, ``work_done``,
        ``labour_hours``, ``parts``, ``customer_name``, ``unfinished_reason``, ``next_start``
        …; ``""`` for the whole form), or None when all is well.
        Each message is a ``str`` or a :class:`Label` (``Label(zh, en)``): pages show a
        Label in the page's language, the JSON API its English text.
    """


@hookspec(firstresult=True)
def entitlement(ticket: TicketInfo, settings: Mapping[str, Any]) -> Entitlement | None:
    """Called when a ticket's SLA policy is chosen, to say what the customer is entitled to.

    The status (e.g. ``in_warranty``, ``out_of_warranty``, ``under_contract``,
    ``policy_active``) is matched against policies' ``entitlements`` conditions; the
    reason is shown on the ticket and on the quote and report forms; it is a ``str`` or a
    :class:`Label` (shown in the page's language, English in the JSON API; where it is
    stored with the ticket's SLA it is written in the language of whoever caused the
    refresh).

    :param ticket: the ticket as it stands (its asset id and attributes included).
    :param settings: the plugin's own ``[plugin.<name>]`` config table (as the
        registration hooks receive it).
    :returns: an :class:`Entitlement` (``covered=True`` when the work is free for the
        customer under it), or None when the plugin has no opinion.
        Stops at the first non-None result.
    """


@hookspec(firstresult=True)
def before_transition(
    ticket: TicketInfo,
    old_status: str,
    new_status: str,
    actor: UserInfo,
    settings: Mapping[str, Any],
) -> Veto | None:
    """Called before a ticket changes status, to let its plugin refuse the move.

    :param ticket: the ticket before the move.
    :param old_status: its current status.
    :param new_status: the status asked for (already allowed by the core's table).
    :param actor: who asked.
    :param settings: the plugin's own ``[plugin.<name>]`` config table (as the
        registration hooks receive it).
    :returns: a :class:`Veto` with the reason shown to the user (a ``str`` or a
        :class:`Label`, shown in the page's language; English in the JSON API), or None
        to allow.
        Stops at the first non-None result.
    """


@hookspec
def after_transition(
    ticket: TicketInfo,
    old_status: str,
    new_status: str,
    actor: UserInfo,
    settings: Mapping[str, Any],
) -> None:
    """Called after a status change has been committed, for side effects.

    :param ticket: the ticket after the move.
    :param old_status: the status it left.
    :param new_status: the status it is in now.
    :param actor: who moved it.
    :param settings: the plugin's own ``[plugin.<name>]`` config table (as the
        registration hooks receive it).
    :returns: nothing.
    """


@hookspec
def ticket_created(ticket: TicketInfo, actor: UserInfo, settings: Mapping[str, Any]) -> None:
    """Called after a new ticket has been committed, for side effects.

    :param ticket: the new ticket, with its number.
    :param actor: who created it.
    :param settings: the plugin's own ``[plugin.<name>]`` config table (as the
        registration hooks receive it).
    :returns: nothing.
    """


# --- callbacks ----------------------------------------------------------------------


@hookspec
def survey_questions(service: ServiceType, settings: Mapping[str, Any]) -> list[SurveyQuestion]:
    """Called when a callback (回访) form is shown or recorded, for the service's survey.

    The agent asks these questions when the customer was reached; the answers' weighted
    mean (0–100) is stored as the callback's score.

    :param service: the ticket's service.
    :param settings: the plugin's own ``[plugin.<name>]`` config table (as the
        registration hooks receive it).
    :returns: :class:`SurveyQuestion` entries (code, label, weight, kind ``"scale"`` 1–5
        or ``"yes_no"``), in the order they are asked; codes unique per service.
    """


# --- pages --------------------------------------------------------------------------


@hookspec
def menu_links(user: UserInfo) -> list[NavLink]:
    """Called on every full page render to add links to the main menu for ``user``.

    :param user: the logged-in user (check ``role`` to hide links they may not use).
    :returns: :class:`NavLink` entries, shown after the core's own.
    """


@hookspec
def ticket_detail_panels(ticket: TicketInfo, settings: Mapping[str, Any]) -> list[Panel]:
    """Called when the ticket page is shown, to add panels of facts beside the timeline.

    :param ticket: the ticket being shown.
    :param settings: the plugin's own ``[plugin.<name>]`` config table (as the
        registration hooks receive it).
    :returns: :class:`Panel` entries (title and label/value rows; never HTML). A row's
        label and value may be ``str`` or :class:`Label` (shown in the page's language).
    """


# --- priority -----------------------------------------------------------------------


@hookspec(firstresult=True)
def derive_priority(
    service: ServiceType, attributes: Mapping[str, Any], settings: Mapping[str, Any]
) -> str | None:
    """Called when a ticket is created or edited, to set its priority from its fields.

    Lets a plugin compute the priority (e.g. from impact × urgency) instead of taking the
    one chosen on the form; the derived priority replaces the chosen one.

    :param service: the ticket's service.
    :param attributes: the ticket's plugin fields as they would be saved.
    :param settings: the plugin's own ``[plugin.<name>]`` config table (as the
        registration hooks receive it).
    :returns: one of the core's priorities (``low``, ``normal``, ``high``, ``urgent``), or
        None to keep the chosen one. Stops at the first non-None result.
    """
