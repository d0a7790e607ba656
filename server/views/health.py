"""The unauthenticated health check for load balancers and monitoring."""

from __future__ import annotations

from typing import Any

import peewee
from flask import Blueprint, jsonify

from server.db import database

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> Any:
    """200 when the database answers, 503 otherwise; never reveals more than that."""
    try:
        database.execute_sql("SELECT 1")
    except peewee.PeeweeException:
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")
