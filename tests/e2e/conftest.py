"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live server.

Every test under tests/e2e is marked `e2e`. They are skipped, with the reason, only when
Chromium (/usr/bin/chromium) or axe-core (node_modules/axe-core, `npm install`) is missing;
CI installs both.
"""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from .axe import AXE_JS, assert_accessible

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# ORM calls from it (SynchronousOnlyOperation).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
E2E_DIR = Path(__file__).resolve().parent


def _missing_tools():
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    if not AXE_JS.is_file():
        missing.append(f"axe-core not found at {AXE_JS} (npm install)")
    return missing


def pytest_collection_modifyitems(config, items):
    missing = _missing_tools()
    skip = pytest.mark.skip(reason="browser tests need " + "; ".join(missing)) if missing else None
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            if skip:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium (Playwright's own browsers are not downloaded here)."""
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": browser_type_launch_args.get("headless", True),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # bypass_csp: the portal's CSP (no inline or foreign script) would block axe-core's injection.
    return {**browser_context_args, "bypass_csp": True, "locale": "fr-FR"}


@pytest.fixture
def site(transactional_db, live_server, demo):
    """The live server with the demo people of FEATURES.md (`seed_demo`).

    `site.url(path)` builds an absolute URL, `site.users` holds the demo users.
    """
    return SimpleNamespace(
        base=live_server.url,
        url=lambda path="/": live_server.url + path,
        users=demo,
    )


@pytest.fixture
def axe():
    """`axe(page, "label")` fails the test on any WCAG 2.1 A/AA or best-practice violation."""
    return assert_accessible
