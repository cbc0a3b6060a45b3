"""Transient or permanent? A failure that outlived the client's retries (lib/http.py) is still
transient when the other side could take the same call later: a 429, a 5xx, a timeout or a
connection that broke, or QBO's 5010 (someone saved the same record in between, again after the
client's one re-read). Those are driven on by the next sync or tick; anything else is a refusal
(bad data, a business rule) that waits for a person."""

from __future__ import annotations

from .http import RETRY_STATUSES, TRANSPORT_ERRORS
from .qbo.errors import STALE_OBJECT


def is_transient(exc: BaseException) -> bool:
    """``exc``: a QboError or SpsError (``status``; 0 when no answer came) or a connection error."""
    if isinstance(exc, TRANSPORT_ERRORS):
        return True
    if getattr(exc, "code", None) == STALE_OBJECT:
        return True
    status = getattr(exc, "status", None)
    return isinstance(status, int) and (status == 0 or status in RETRY_STATUSES or status >= 500)
