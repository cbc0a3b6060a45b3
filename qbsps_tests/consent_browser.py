"""A scripted browser for Intuit's consent flow against the sandbox: it opens the authorize URL,
reads the consent page's form, presses Connect or Cancel, and follows the redirect back to the app.

Used in-process by tests, and as the `BROWSER` command of a `qbsps connect quickbooks` subprocess
(`python consent_browser.py URL`, options from the environment; see `main`). Only the standard
library and httpx, so it runs from any interpreter that has httpx.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx


@dataclass
class ConsentForm:
    action: str
    fields: dict[str, str]
    buttons: dict[str, str]  # button value -> its name


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.form: ConsentForm | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form = ConsentForm(a.get("action", ""), {}, {})
        elif self.form is not None and tag == "input" and a.get("type") == "hidden":
            self.form.fields[a["name"]] = a.get("value", "")
        elif self.form is not None and tag == "button":
            self.form.buttons[a.get("value", "")] = a.get("name", "")


def consent_form(page: str) -> ConsentForm:
    reader = _FormReader()
    reader.feed(page)
    if reader.form is None:
        raise AssertionError("the consent page has no form")
    return reader.form


def with_state(location: str, state: str) -> str:
    parts = urlsplit(location)
    query = dict(parse_qsl(parts.query))
    query["state"] = state
    return urlunsplit(parts._replace(query=urlencode(query)))


def decide(authorize_url: str, decision: str = "connect", *, http: httpx.Client | None = None) -> str:
    """Open the consent page, press the button, return where Intuit redirects the browser."""
    own = http is None
    http = http or httpx.Client(timeout=10, trust_env=False)
    try:
        page = http.get(authorize_url)
        if page.status_code == 302:  # the sandbox runs with auto-consent
            return page.headers["location"]
        assert page.status_code == 200, page.text
        form = consent_form(page.text)
        answer = http.post(
            urljoin(authorize_url, form.action), data={**form.fields, form.buttons[decision]: decision}
        )
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]
    finally:
        if own:
            http.close()


def play(
    authorize_url: str,
    decision: str = "connect",
    *,
    forged_state: str | None = None,
    expire_code_after: float | None = None,
) -> httpx.Response:
    """Decide on the consent page, then follow the redirect to the app's callback (its answer)."""
    with httpx.Client(timeout=90, trust_env=False) as http:
        location = decide(authorize_url, decision, http=http)
        if forged_state is not None:
            location = with_state(location, forged_state)
        if expire_code_after is not None:  # the user dawdles: move the sandbox clock on
            base = "{0.scheme}://{0.netloc}".format(urlsplit(authorize_url))
            http.post(
                f"{base}/_sandbox/clock", json={"advance_seconds": expire_code_after}
            ).raise_for_status()
        return http.get(location)


def main() -> None:
    """As a BROWSER command: QBSPS_TEST_BROWSER_DECISION (connect|cancel), optional
    QBSPS_TEST_BROWSER_FORGE_STATE and QBSPS_TEST_BROWSER_EXPIRE_AFTER; the callback's page is
    written to QBSPS_TEST_BROWSER_PAGE."""
    env = os.environ
    expire = env.get("QBSPS_TEST_BROWSER_EXPIRE_AFTER")
    answer = play(
        sys.argv[1],
        env.get("QBSPS_TEST_BROWSER_DECISION", "connect"),
        forged_state=env.get("QBSPS_TEST_BROWSER_FORGE_STATE"),
        expire_code_after=float(expire) if expire else None,
    )
    if env.get("QBSPS_TEST_BROWSER_PAGE"):
        Path(env["QBSPS_TEST_BROWSER_PAGE"]).write_text(f"{answer.status_code}\n{answer.text}")


if __name__ == "__main__":
    main()
