"""QuickBooks Online: a forced token refresh, the CompanyInfo read, the refresh token's days left."""

from __future__ import annotations

import math
from datetime import datetime
from urllib.parse import urlsplit

from ..config import CredentialError
from ..http import TRANSPORT_ERRORS
from ..ledger import SecretLockTimeoutError
from ..qbo import QboClient, QboError, QboOAuthError, QboTokens
from ..secrets import SecretDecryptError
from .results import CheckResult, failed, passed, problem_text, warned

TOKEN_REFRESH = "QBO token refresh"
COMPANY = "QBO company"
REFRESH_TOKEN_DAYS = "QBO refresh token"
QBO_CHECKS = (TOKEN_REFRESH, COMPANY, REFRESH_TOKEN_DAYS)

RECONNECT = "qbsps connect quickbooks"
WARN_DAYS = 30


def check_token_refresh(qbo: QboClient) -> tuple[CheckResult, QboTokens | None]:
    """Refresh now through the real token source (rotated values are stored as in any sync)."""
    try:
        tokens = qbo.tokens.refresh_now()
    except Exception as exc:  # every way of failing is a FAIL line, never a traceback
        return qbo_failure(TOKEN_REFRESH, exc), None
    return passed(TOKEN_REFRESH, f"a new access token for realm {qbo.realm_id}"), tokens


def check_company(qbo: QboClient) -> CheckResult:
    try:
        info = qbo.company_info()
    except Exception as exc:
        return qbo_failure(COMPANY, exc)
    address = info.get("CompanyAddr") or {}
    place = ", ".join(str(address[k]) for k in ("City", "CountrySubDivisionCode") if address.get(k))
    name = info.get("CompanyName") or "(no CompanyName)"
    return passed(COMPANY, f"{name}{f' ({place})' if place else ''}, realm {qbo.realm_id}")


def check_refresh_token_days(tokens: QboTokens, now: datetime) -> CheckResult:
    expires = tokens.refresh_expires_at
    if expires is None:
        return warned(
            REFRESH_TOKEN_DAYS,
            "QBO did not say when the refresh token expires",
            f"if syncs start failing with invalid_grant, reconnect: {RECONNECT}",
        )
    days = days_left(expires, now)
    detail = f"{days} days left (expires {expires.date().isoformat()})"
    if days < WARN_DAYS:
        return warned(REFRESH_TOKEN_DAYS, detail, f"reconnect the company before then: {RECONNECT}")
    return passed(REFRESH_TOKEN_DAYS, detail)


def days_left(expires: datetime, now: datetime) -> int:
    """Whole days until `expires` (negative once past): what doctor and the alerts report."""
    return math.floor((expires - now).total_seconds() / 86_400)


def qbo_failure(name: str, exc: Exception) -> CheckResult:
    """A FAIL line with the error's own message and what to do about that kind of error."""
    return failed(name, _describe(exc), _fix(exc))


def _describe(exc: Exception) -> str:
    if isinstance(exc, TRANSPORT_ERRORS):
        return f"cannot reach QuickBooks{_url_of(exc)}: {problem_text(exc)}"
    return problem_text(exc)


def _fix(exc: Exception) -> str:
    if isinstance(exc, QboOAuthError):
        if "invalid_grant" in str(exc):
            return f"the QuickBooks connection is gone: reconnect with {RECONNECT}"
        return (
            f"the Intuit app's keys were refused: run {RECONNECT} with the client id and secret from "
            "the developer portal's Keys & credentials (or correct qbo.client_id / qbo.client_secret, "
            "when the config gives them)"
        )
    if isinstance(exc, QboError):
        if exc.status in (401, 403):
            return f"the app has no access to this company: reconnect with {RECONNECT}"
        return "see the QBO error above (its intuit_tid identifies the call for Intuit support)"
    if isinstance(exc, TRANSPORT_ERRORS):
        return "check qbo.api_base_url and qbo.token_url, and that this machine can reach them"
    if isinstance(exc, CredentialError):
        return "provide the credential it names ({env: NAME}, {file: PATH} or {value: ...})"
    if isinstance(exc, SecretDecryptError):
        return "ledger.secret_keys must include the key the stored QBO tokens were encrypted with"
    if isinstance(exc, SecretLockTimeoutError):
        return "another qbsps process is refreshing the token right now; run qbsps doctor again"
    return f"connect the QuickBooks company: {RECONNECT}"


def _url_of(exc: Exception) -> str:
    url = getattr(getattr(exc, "request", None), "url", None)  # None: raised before a request existed
    if not url:
        return ""
    parts = urlsplit(str(url))
    return f" at {parts.scheme}://{parts.netloc}"
