"""The user-consent step of the sandbox's Intuit authorization endpoint.

``GET /connect/oauth2`` with a valid request shows a small page asking the user to connect the
sandbox company to the app, with Connect and Cancel buttons; the form posts to ``CONSENT_PATH``.
The request's parameters are kept server-side under a random, single-use id (so the form cannot
be edited into a different request), and expire on the sandbox clock like Intuit's sign-in page.
"""

from __future__ import annotations

import html
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from starlette.responses import HTMLResponse

from ...clock import SandboxClock

CONSENT_PATH = "/connect/oauth2/consent"
CONSENT_LIFETIME_SECONDS = 600  # how long the page may stay open before Connect is refused
COMPANY_SCOPES = frozenset({"com.intuit.quickbooks.accounting", "com.intuit.quickbooks.payment"})


@dataclass(frozen=True)
class ConsentRequest:
    """A validated authorization request, waiting for the user's decision."""

    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str

    @property
    def wants_company(self) -> bool:
        # Intuit sends realmId back only for the accounting and payments scopes.
        return bool(COMPANY_SCOPES.intersection(self.scopes))


@dataclass
class _Pending:
    request: ConsentRequest
    expires_at: datetime


class PendingConsents:
    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def open(self, request: ConsentRequest) -> str:
        consent_id = secrets.token_urlsafe(24)
        now = self._clock.now()
        with self._lock:
            for stale in [k for k, p in self._pending.items() if now >= p.expires_at]:
                del self._pending[stale]
            self._pending[consent_id] = _Pending(request, now + timedelta(seconds=CONSENT_LIFETIME_SECONDS))
        return consent_id

    def take(self, consent_id: str) -> ConsentRequest | None:
        """The request behind `consent_id`, once; None when unknown, already decided or expired."""
        with self._lock:
            pending = self._pending.pop(consent_id, None)
        if pending is None or self._clock.now() >= pending.expires_at:
            return None
        return pending.request

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)


def consent_page(request: ConsentRequest, consent_id: str, realm_id: str) -> HTMLResponse:
    e = html.escape
    where = urlsplit(request.redirect_uri)
    company = f"the sandbox company <b>{e(realm_id)}</b>" if request.wants_company else "your account"
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Connect to QuickBooks (sandbox)</title></head>
<body>
<h1>Connect your QuickBooks company</h1>
<p>The app <code>{e(request.client_id)}</code> asks to access {company}.</p>
<p>Permissions: {e(", ".join(request.scopes))}</p>
<p>After you decide you will be sent back to <code>{e(where.scheme)}://{e(where.netloc)}</code>.</p>
<form method="post" action="{CONSENT_PATH}">
<input type="hidden" name="consent" value="{e(consent_id)}">
<button type="submit" name="decision" value="connect">Connect</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form>
<p><small>qbsps sandbox: a local stand-in for Intuit's consent page.</small></p>
</body></html>
"""
    # The page must not be framed or cached: it carries a live consent id.
    headers = {"Cache-Control": "no-store", "X-Frame-Options": "DENY"}
    return HTMLResponse(body, headers=headers)


def consent_error_page(reason: str, status_code: int = 400) -> HTMLResponse:
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>QuickBooks sandbox</title></head>'
        f"<body><h1>Cannot connect</h1><p>{html.escape(reason)}</p></body></html>\n"
    )
    return HTMLResponse(body, status_code=status_code, headers={"Cache-Control": "no-store"})
