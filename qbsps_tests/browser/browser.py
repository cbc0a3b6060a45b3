"""The machine's Chromium for the browser test, driven by Playwright.

Playwright's own browser download comes from its CDN; this uses the distribution's Chromium
instead (`install_browser.sh` installs it with apt-get when it is missing and that is possible).
Without one the test skips with the reason, or fails under CI (qbsps_tests/support.unavailable).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qbsps_tests.support import REPO, unavailable

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright
except ImportError:  # the test skips (fails under CI) and says so
    sync_playwright, PlaywrightTimeout = None, TimeoutError

INSTALLER = Path(__file__).with_name("install_browser.sh")
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Kept after the run (git-ignored under .qbsps/): one PNG per step of the test.
ARTIFACTS = REPO / ".qbsps" / "test-artifacts" / "browser"


def find_chromium() -> str | None:
    if explicit := os.environ.get("QBSPS_CHROMIUM"):
        return explicit if Path(explicit).is_file() else None
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def chromium_or_skip() -> str:
    """The browser's path, installed first when that is possible; else skip (fail under CI)."""
    if found := find_chromium():
        return found
    if explicit := os.environ.get("QBSPS_CHROMIUM"):
        unavailable(f"QBSPS_CHROMIUM={explicit} is not a file")
    result = subprocess.run(["bash", str(INSTALLER)], capture_output=True, text=True, timeout=900)
    if found := find_chromium():
        return found
    why = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["no output"]
    unavailable(f"no Chromium on this machine and {INSTALLER.name} could not install one: {why[0]}")


def COMMUNITY_DIALOG(page):  # noqa: ANN001, ANN201, N802 - a locator, as Playwright names them
    return page.get_by_text("Join the Dagster community")


def _skip(page) -> None:  # noqa: ANN001
    page.get_by_role("button", name="Skip").click()


def _skip_whenever_shown(page) -> None:  # noqa: ANN001
    """Should Dagster's "Join the community" dialog come back over a page, it goes before a click."""
    page.add_locator_handler(COMMUNITY_DIALOG(page), lambda: _skip(page))


def dismiss_community_dialog(page, wait: float) -> None:  # noqa: ANN001
    """Dagster's "Join the community" dialog, shown shortly after a fresh instance's first page
    loads, covers the page (a screenshot too): skipped once it shows, waiting up to ``wait`` s.

    The page's own handler (chromium_page) stands aside meanwhile: it runs inside any wait or
    click, so it would skip the dialog first and leave this wait or click waiting for what is gone."""
    dialog = COMMUNITY_DIALOG(page)
    page.remove_locator_handler(dialog)
    try:
        try:
            dialog.wait_for(state="visible", timeout=wait * 1000 or 1)
        except PlaywrightTimeout:
            return
        _skip(page)
        dialog.wait_for(state="hidden")
    finally:
        _skip_whenever_shown(page)


@contextmanager
def chromium_page(executable: str) -> Iterator[object]:
    """A headless page on the machine's Chromium, wide enough for Dagster's asset graph."""
    if sync_playwright is None:
        unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(60_000)
            _skip_whenever_shown(page)
            yield page
        finally:
            browser.close()
