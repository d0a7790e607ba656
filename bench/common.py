"""What the benchmarks share: logging a test client in, and p50/p95 of a run."""

from __future__ import annotations

import statistics
from typing import Any


def logged_in_client(app: Any, username: str, password: str) -> Any:
    """A Flask test client of ``app`` with ``username`` logged in through /login."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, f"bench login as {username} failed"
    return client


def p50_p95(timings: list[float]) -> tuple[float, float]:
    """The median and the 95th percentile (nearest rank) of ``timings``."""
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]
