"""QBO OAuth 2.0 tokens: refresh ahead of the 1-hour expiry, never lose a rotated refresh token.

Intuit may return a new refresh-token value on any refresh, and the superseded one then answers
``invalid_grant``. So the refresh runs under an exclusive lock of the vault (one refresher across
processes), and the new pair is durably saved before the access token is handed out.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import httpx

from ..http import RetryPolicy


class QboOAuthError(Exception):
    """The token endpoint refused; the message never contains a token."""


@dataclass(frozen=True)
class QboTokens:
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime | None = None

    def to_json(self) -> str:
        data = asdict(self)
        for key in ("access_expires_at", "refresh_expires_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> QboTokens:
        data = json.loads(text)
        for key in ("access_expires_at", "refresh_expires_at"):
            data[key] = datetime.fromisoformat(data[key]) if data.get(key) else None
        return cls(**data)

    def __repr__(self) -> str:  # tokens are secrets
        return f"QboTokens(access_expires_at={self.access_expires_at.isoformat()})"


class TokenSlot(Protocol):
    tokens: QboTokens | None

    def save(self, tokens: QboTokens) -> None:
        """Persist durably (committed) before returning."""


class TokenVault(Protocol):
    def locked(self) -> AbstractContextManager[TokenSlot]:
        """Exclusive across threads and processes for the duration of the ``with`` block."""


class QboTokenSource:
    def __init__(
        self,
        http: httpx.Client,
        token_url: str,
        client_id: str,
        client_secret: str,
        vault: TokenVault,
        *,
        initial_refresh_token: str | None = None,
        refresh_margin: timedelta = timedelta(minutes=5),
        retry: RetryPolicy | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._http, self._url = http, token_url
        self._auth = (client_id, client_secret)
        self._vault, self._initial = vault, initial_refresh_token
        self._margin, self._now = refresh_margin, now
        self._retry = retry or RetryPolicy(max_attempts=3)
        self._cached: QboTokens | None = None
        self._lock = threading.Lock()
        self.refresh_count = 0

    def access_token(self) -> str:
        with self._lock:
            if self._fresh(self._cached):
                return self._cached.access_token  # type: ignore[union-attr]
            self._cached = self._refresh_under_lock(stale=None)
            return self._cached.access_token

    def refresh_after_401(self, stale_access_token: str) -> str:
        """The API refused this token (revoked or expired early): get another one, once."""
        with self._lock:
            self._cached = self._refresh_under_lock(stale=stale_access_token)
            return self._cached.access_token

    def refresh_now(self) -> QboTokens:
        """Refresh even though the access token may still be fresh (`qbsps doctor`: a dead refresh
        token is found now, not by the next sync); returns the new tokens, already stored."""
        with self._lock:
            self._cached = self._refresh_under_lock(stale=None, force=True)
            return self._cached

    def _fresh(self, tokens: QboTokens | None) -> bool:
        return tokens is not None and tokens.access_expires_at - self._margin > self._now()

    def _refresh_under_lock(self, stale: str | None, *, force: bool = False) -> QboTokens:
        with self._vault.locked() as slot:
            current = slot.tokens
            # Another process may have refreshed while we waited for the lock.
            if not force and self._fresh(current) and current.access_token != stale:  # type: ignore[union-attr]
                return current  # type: ignore[return-value]
            refresh_token = current.refresh_token if current else self._initial
            if not refresh_token:
                raise QboOAuthError("no QBO refresh token stored or configured: connect the company first")
            tokens = self._request(refresh_token)
            slot.save(tokens)  # durable before first use: a rotated value must never be lost
            self.refresh_count += 1
            return tokens

    def _request(self, refresh_token: str) -> QboTokens:
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        headers = {"Accept": "application/json"}
        asked_at = self._now()
        response = self._retry.send(
            lambda: self._http.post(self._url, data=data, auth=self._auth, headers=headers)
        )
        if response.status_code != 200:
            raise QboOAuthError(_describe_refusal(response))
        return issued_tokens(response.json(), asked_at)


def issued_tokens(body: dict, asked_at: datetime) -> QboTokens:
    """The tokens of a successful token-endpoint answer (code exchange or refresh); lifetimes
    count from when the request was sent."""
    refresh_expires = body.get("x_refresh_token_expires_in")
    return QboTokens(
        access_token=body["access_token"],
        access_expires_at=asked_at + timedelta(seconds=int(body["expires_in"])),
        refresh_token=body["refresh_token"],
        refresh_expires_at=asked_at + timedelta(seconds=int(refresh_expires)) if refresh_expires else None,
    )


def _describe_refusal(response: httpx.Response) -> str:
    try:
        error = response.json().get("error", "")
    except (json.JSONDecodeError, AttributeError):
        error = ""
    tid = response.headers.get("intuit_tid")
    hint = (
        " — the refresh token was revoked, expired or superseded: reconnect the QuickBooks company"
        if error == "invalid_grant"
        else ""
    )
    return (
        f"QBO token refresh refused: HTTP {response.status_code} {error or response.reason_phrase}{hint}"
        + (f" (intuit_tid {tid})" if tid else "")
    )
