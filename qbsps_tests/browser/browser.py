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
    result = subprocess.run(["bash", str(INSTALLER)], capture_output=True, text=True, timeout=900)
    if found := find_chromium():
        return found
    why = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["no output"]
    unavailable(f"no Chromium on this machine and {INSTALLER.name} could not install one: {why[0]}")


@contextmanager
def chromium_page(executable: str) -> Iterator[object]:
    """A headless page on the machine's Chromium, wide enough for Dagster's asset graph."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(60_000)
            # Dagster's "Join the community" dialog, shown once per fresh instance, covers the page.
            page.add_locator_handler(
                page.get_by_text("Join the Dagster community"),
                lambda: page.get_by_role("button", name="Skip").click(),
            )
            yield page
        finally:
            browser.close()
