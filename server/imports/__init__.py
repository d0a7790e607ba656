"""Customer and asset imports from CSV or XLSX: check every row, then write all or nothing.

- :mod:`server.imports.reader` — the file → header and text rows (type, size, encoding).
- :mod:`server.imports.rows` — the shared pieces: row errors, header → column key, cells.
- :mod:`server.imports.customers`, :mod:`server.imports.assets` — each kind's checks (the
  same forms and plugin hooks as the pages) and its writer.
- :mod:`server.imports.run` — :func:`check_import` (the dry run) and :func:`run_import`.

The columns are the exports' (:mod:`server.list_exports`), so an export imports back.
"""

from server.imports.reader import FileRefused, Table, read_table
from server.imports.rows import RowError
from server.imports.run import KINDS, ImportPlan, check_import, run_import

__all__ = [
    "KINDS",
    "FileRefused",
    "ImportPlan",
    "RowError",
    "Table",
    "check_import",
    "read_table",
    "run_import",
]
