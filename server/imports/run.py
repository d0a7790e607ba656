"""The dry run (every row checked, every problem listed) and the all-or-nothing import.

Both need an app and request context (the forms and the user's language), which the
pages have and the CLI makes with ``app.test_request_context()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from server import audit
from server.catalog import Registry
from server.db import write_transaction
from server.i18n import gettext
from server.imports.assets import check_asset, write_assets
from server.imports.customers import check_customer, write_customers
from server.imports.reader import Table
from server.imports.rows import HeaderRefused, RowError, column_keys, row_values
from server.list_exports import asset_columns, customer_columns

KINDS = ("customers", "assets")
# Export-only columns an import reads past (the new records get their own).
_IGNORED = {"id", "created_at", "customer_name"}


@dataclass
class ImportPlan:
    """A checked file: its rows ready to write, or the errors that stop it."""

    kind: str
    rows: int = 0
    ready: list[Any] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    imported: int = 0

    @property
    def clean(self) -> bool:
        """True when every row passed (and there is at least one)."""
        return not self.errors and bool(self.ready)


def _nothing(_step: int) -> None:
    return None


def check_import(
    kind: str,
    table: Table,
    registry: Registry,
    locale: str = "en",
    progress: Callable[[int], Any] = _nothing,
) -> ImportPlan:
    """Check every row of ``table`` as ``kind`` ("customers" or "assets"); write nothing.

    :param progress: called with 1 after each row (e.g. a progress bar's ``update``).
    :returns: the plan, with every bad row's errors (row number, column, reason).
    :raises ValueError: for an unknown kind.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    plan = ImportPlan(kind, rows=len(table.rows))
    try:
        if kind == "customers":
            columns = customer_columns(registry)
            keys = column_keys(table.header, columns, ("name",))
        else:
            columns = asset_columns(registry)
            keys = column_keys(table.header, columns, ("plugin", "kind", "identifier"), True)
    except HeaderRefused as refused:
        plan.errors = refused.errors
        return plan
    if kind == "assets" and "customer_id" not in keys and "customer_phone" not in keys:
        plan.errors = [
            RowError(1, "customer_id", gettext("Give a customer ID or customer phone column."))
        ]
        return plan
    keys = [None if key in _IGNORED else key for key in keys]
    pm = current_app.extensions["aftersales"].pm
    seen: dict[Any, int] = {}
    for number, cells in table.rows:
        values = row_values(keys, cells)
        if kind == "customers":
            row, errors = check_customer(number, values, registry, pm, locale, seen)
        else:
            row, errors = check_asset(number, values, registry, locale, seen)
        if row is not None:
            plan.ready.append(row)
        plan.errors.extend(errors)
        progress(1)
    if not table.rows:
        plan.errors.append(RowError(2, "", gettext("The file has no rows under its header.")))
    return plan


def run_import(
    kind: str,
    table: Table,
    registry: Registry,
    locale: str = "en",
    progress: Callable[[int], Any] = _nothing,
    source: str = "",
) -> ImportPlan:
    """Check ``table`` again and, if every row passes, write them all in one transaction.

    The check runs inside the write transaction, so a duplicate saved by someone else
    since the dry run is caught, not doubled. Nothing is written when any row is bad.

    :param progress: called with 1 after each row checked and after each row written
        (``2 × rows`` in all for a clean file).
    :param source: the file's name, for the audit log.
    :returns: the plan; ``plan.imported`` is how many records were created (0 on errors).
    """
    with write_transaction():
        plan = check_import(kind, table, registry, locale, progress)
        if not plan.clean:
            return plan
        if kind == "customers":
            plan.imported = write_customers(plan.ready, progress)
        else:
            plan.imported = write_assets(plan.ready, progress)
        audit.record("import.run", kind, "", {"file": source[-200:], "imported": plan.imported})
    return plan
