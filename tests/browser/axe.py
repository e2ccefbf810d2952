"""axe-core, the accessibility checker, run inside a playwright page.

The checker is the npm package `axe-core` (pinned in package.json; `make test` installs it with `npm ci` in
scripts/lint_js.sh). Where node/npm are not installed the check skips, saying so; where they are but the package
is missing, it fails and says how to install it, so a run without the check is never taken for a pass.
"""

import shutil
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# The impacts that fail a page; "minor" and "moderate" findings are listed by axe but do not fail the test.
BLOCKING_IMPACTS = ("serious", "critical")


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_available() -> None:
    """Skip (no node/npm) or fail (package not installed) unless axe-core can run."""
    if AXE_JS.is_file():
        return
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("axe-core not checked: node/npm are not installed (apt-get install nodejs npm)")
    pytest.fail(f"{AXE_JS} is missing: run `npm ci` (make test does it, in scripts/lint_js.sh)")


def axe_violations(page, *, include: str | None = None) -> list[dict]:
    """Run axe on the page (or on the elements matching `include`) and return its violations."""
    axe_available()
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    return page.evaluate(
        """async (include) => {
            const context = include ? { include: [include] } : document;
            const result = await window.axe.run(context, { resultTypes: ["violations"] });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
            }));
        }""",
        include,
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:10]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def assert_no_serious_violations(page, *, include: str | None = None, where: str = "") -> None:
    """Fail listing every violation of impact "serious" or "critical" axe finds on the page as it is now."""
    serious = [v for v in axe_violations(page, include=include) if v["impact"] in BLOCKING_IMPACTS]
    assert serious == [], f"axe-core found serious accessibility problems {where or page.url}:\n" + format_violations(
        serious
    )
