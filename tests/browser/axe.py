"""axe-core, the accessibility engine, run inside the page under test.

axe-core comes from the npm registry (pinned, integrity-checked, cached in
``tests/browser/vendor/``, never committed and never served by the app).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from server.assets import AXE, install_npm_file

VENDOR = Path(__file__).resolve().parent / "vendor"
# WCAG 2.1 A and AA rules, plus axe's best practices (landmarks, one h1, …)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")


@cache
def axe_source() -> str:
    return install_npm_file(AXE, VENDOR).read_text(encoding="utf-8")


def axe_violations(page: Any, impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """axe's violations of the page as it is now, of the given impacts.

    Injected with ``evaluate`` (DevTools protocol), so a Content-Security-Policy without
    inline scripts does not stop it.
    """
    # htmx dims a form while its request runs and fades it back: judge colours only once
    # no request is in flight and no transition is running
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
        " && document.getAnimations().length === 0"
    )
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and node, for an assertion message a person can act on."""
    lines = []
    for violation in violations:
        for node in violation["nodes"][:5]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"{violation['impact']} {violation['id']}: {target} — {violation['help']}")
    return "\n".join(lines)
