"""axe-core accessibility checks for the browser tests (WCAG 2.1 A/AA + best practices).

axe-core comes from the npm registry (`npm install`, see package.json) and is injected into the
page under test with `page.add_script_tag(path=...)`. The portal's CSP forbids injected scripts,
so the browser context is created with `bypass_csp=True` (tests/e2e/conftest.py).
"""

from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

_RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {
        runOnly: { type: "tag", values: tags },
        resultTypes: ["violations"],
    });
    return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
            target: n.target.join(" "),
            html: n.html,
            summary: n.failureSummary,
        })),
    }));
}"""


def axe_violations(page):
    """Run axe-core on the current page; returns a list of violations (empty when clean)."""
    # A click that navigates returns before the new document has loaded: never audit a page
    # half-way through its navigation.
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(_RUN_AXE, AXE_TAGS)


def format_violations(violations):
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    · {node['target']}: {node['html'][:160]}")
            if node["summary"]:
                lines.extend(f"        {line}" for line in node["summary"].splitlines())
    return "\n".join(lines)


def assert_accessible(page, label=""):
    """Fail the test with a readable list of every axe-core violation on the current page."""
    violations = axe_violations(page)
    if violations:
        where = f"{label} ({page.url})" if label else page.url
        pytest.fail(
            f"axe-core: {len(violations)} accessibility rule(s) violated on {where}:\n"
            + format_violations(violations),
            pytrace=False,
        )
