"""Dagster's "Join the Dagster community" dialog is skipped whichever of the two skips it first:
the explicit one at the first page, or the page's own handler that runs before an action (both
click the same button; the one that loses must not wait for a button that is gone)."""

from __future__ import annotations

import time

from qbsps_tests.browser.browser import (
    COMMUNITY_DIALOG,
    chromium_or_skip,
    chromium_page,
    dismiss_community_dialog,
)

# The dialog appears a moment after the page, as Dagster's does; Skip removes it.
PAGE = """<html><body><button id="other">Other</button><script>
setTimeout(() => {
  const d = document.createElement("div");
  d.innerHTML = '<p>Join the Dagster community</p><button onclick="this.parentNode.remove()">Skip</button>';
  document.body.appendChild(d);
}, 300);
</script></body></html>"""


def test_the_dialog_is_skipped_once_and_the_skip_never_waits_for_a_gone_button() -> None:
    with chromium_page(chromium_or_skip()) as page:
        page.set_content(PAGE)
        started = time.monotonic()
        dismiss_community_dialog(page, wait=10)
        assert COMMUNITY_DIALOG(page).count() == 0
        assert time.monotonic() - started < 9  # not the 10 s a click on a vanished button waits
        page.get_by_role("button", name="Other").click()  # the page is usable
