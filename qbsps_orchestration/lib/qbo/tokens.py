"""QBO OAuth 2.0 tokens: refresh ahead of the 1-hour expiry, never lose a rotated refresh token.

Intuit may return a new refresh-token value on any refresh, and the superseded one then answers
``invalid_grant``. So one process at a time refreshes (it holds the vault's lease, a ledger row,
not a database lock: the HTTP call runs outside any transaction and never blocks other ledger
writers), and the new pair is durably saved before the access token is handed out. The others wait
for the lease, bounded, and then use what it stored.

A refresh whose answer was lost (timeout, dropped connection, 5xx) may still have rotated the
token at Intuit: the value we hold is then dead, and the retry answers ``invalid_grant``. Only the
user can mend that (new consent), so the vault records "reconnect needed" and every later call
fails at once with that message, without asking the token endpoint again.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import requests

from ..http import RetryPolicy

RECONNECT_COMMAND = "qbsps connect quickbooks"


class QboOAuthError(Exception):
    """The token endpoint refused; the message never contains a token."""


class QboReconnectNeededError(QboOAuthError):
    """The stored refresh token is dead; only `qbsps connect quickbooks` restores the connection."""


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


@dataclass(frozen=True)
class TokenSnapshot:
    """The stored tokens as read, the version they were stored at, and why they are dead, if so."""

    tokens: QboTokens
    version: int
    reconnect_reason: str | None = None


class TokenLease(Protocol):
    refresh_token: str


class TokenVault(Protocol):
    def snapshot(self) -> TokenSnapshot: ...

    def claim(self, snapshot: TokenSnapshot, holder: str, duration: timedelta) -> TokenLease | None:
        """The refresh lease, or None while another holder has it or the tokens moved on."""

    def save(self, lease: TokenLease, tokens: QboTokens) -> bool:
        """Persist durably (committed) and end the lease; False if a newer family was stored."""

    def mark_reconnect_needed(self, lease: TokenLease, reason: str) -> bool:
        """Record that the leased refresh token is dead; False if a newer family was stored."""

    def release(self, lease: TokenLease) -> None: ...


class QboTokenSource:
    def __init__(
        self,
        http: requests.Session,
        token_url: str,
        client_id: str,
        client_secret: str,
        vault: TokenVault,
        *,
        refresh_margin: timedelta = timedelta(minutes=5),
        retry: RetryPolicy | None = None,
        request_timeout_seconds: float = 30.0,
        lease_wait: timedelta | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._http, self._url = http, token_url
        self._auth = (client_id, client_secret)
        self._vault = vault
        self._margin, self._now = refresh_margin, now
        self._retry = retry or RetryPolicy(max_attempts=3)
        self._timeout = request_timeout_seconds
        # The lease outlives the slowest refresh we would still wait for (every attempt timing out
        # after its longest backoff); it only matters when its holder dies mid-refresh.
        worst = self._retry.max_attempts * (request_timeout_seconds + self._retry.max_wait_seconds)
        self._lease = timedelta(seconds=worst + 30)
        self._lease_wait = lease_wait or self._lease + timedelta(seconds=5)
        self._holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._cached: QboTokens | None = None
        self._lock = threading.Lock()
        self.refresh_count = 0

    def access_token(self) -> str:
        with self._lock:
            if self._fresh(self._cached):
                return self._cached.access_token  # type: ignore[union-attr]
            self._cached = self._refresh(stale=None)
            return self._cached.access_token

    def refresh_after_401(self, stale_access_token: str) -> str:
        """The API refused this token (revoked or expired early): get another one, once."""
        with self._lock:
            if self._cached is not None and self._cached.access_token == stale_access_token:
                self._cached = None  # known refused: never offered again, even if the refresh fails
            self._cached = self._refresh(stale=stale_access_token)
            return self._cached.access_token

    def refresh_now(self) -> QboTokens:
        """Refresh even though the access token may still be fresh (`qbsps doctor`: a dead refresh
        token is found now, not by the next sync); returns the new tokens, already stored."""
        with self._lock:
            self._cached = self._refresh(stale=None, force=True)
            return self._cached

    def _fresh(self, tokens: QboTokens | None) -> bool:
        return tokens is not None and tokens.access_expires_at - self._margin > self._now()

    def _refresh(self, stale: str | None, *, force: bool = False) -> QboTokens:
        deadline = time.monotonic() + self._lease_wait.total_seconds()
        first = self._vault.snapshot()
        snapshot, pause = first, 0.05
        while True:
            if snapshot.reconnect_reason:
                raise QboReconnectNeededError(snapshot.reconnect_reason)
            current = snapshot.tokens
            # Another process may have refreshed while we waited (for `force`: since we started).
            moved_on = not force or snapshot.version != first.version
            if moved_on and self._fresh(current) and current.access_token != stale:
                return current
            lease = self._vault.claim(snapshot, self._holder, self._lease)
            if lease is not None:
                tokens = self._refresh_leased(lease)
                if tokens is not None:
                    return tokens
            elif time.monotonic() > deadline:
                raise QboOAuthError(
                    f"gave up after {self._lease_wait.total_seconds():g}s waiting for another process's"
                    " QBO token refresh; the next call tries again"
                )
            else:
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
            snapshot = self._vault.snapshot()

    def _refresh_leased(self, lease: TokenLease) -> QboTokens | None:
        """One refresh under the lease; None when a newer family was stored meanwhile (re-read)."""
        try:
            tokens = self._request(lease.refresh_token)
        except _DeadRefreshToken as dead:
            if self._vault.mark_reconnect_needed(lease, dead.reason):
                raise QboReconnectNeededError(dead.reason) from None
            return None
        except BaseException:
            self._vault.release(lease)  # nothing learned: the next caller may try the same token
            raise
        if not self._vault.save(lease, tokens):  # durable before first use: never lose a rotation
            return None
        self.refresh_count += 1
        return tokens

    def _request(self, refresh_token: str) -> QboTokens:
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        headers = {"Accept": "application/json"}
        asked_at = self._now()
        attempts: list[str] = []  # what each earlier attempt ended with, to tell a lost answer

        def post() -> requests.Response:
            attempts.append("lost")  # until it answers: a timeout or a dropped connection
            response = self._http.post(
                self._url, data=data, auth=self._auth, headers=headers, timeout=self._timeout
            )
            attempts[-1] = "lost" if response.status_code >= 500 else str(response.status_code)
            return response

        response = self._retry.send(post)
        if response.status_code != 200:
            if _oauth_error(response) == "invalid_grant":
                raise _DeadRefreshToken(
                    reconnect_reason(lost_answer="lost" in attempts[:-1], response=response)
                )
            raise QboOAuthError(_describe_refusal(response))
        return issued_tokens(response.json(), asked_at)


class _DeadRefreshToken(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def reconnect_reason(*, lost_answer: bool, response: requests.Response) -> str:
    """What `qbsps status` and every later QBO call say: what happened and the command that mends it."""
    why = (
        "the answer to a token refresh was lost after Intuit had rotated the refresh token"
        if lost_answer
        else "the refresh token was revoked, expired or superseded"
    )
    tid = response.headers.get("intuit_tid")
    return (
        f"QBO token refresh refused: HTTP {response.status_code} invalid_grant: {why}."
        f" QuickBooks must be reconnected: run `{RECONNECT_COMMAND}`; until then qbsps makes no"
        " QuickBooks calls" + (f" (intuit_tid {tid})" if tid else "")
    )


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


def _oauth_error(response: requests.Response) -> str:
    try:
        return str(response.json().get("error", ""))
    except (json.JSONDecodeError, AttributeError):
        return ""


def _describe_refusal(response: requests.Response) -> str:
    error = _oauth_error(response)
    tid = response.headers.get("intuit_tid")
    return f"QBO token refresh refused: HTTP {response.status_code} {error or response.reason}" + (
        f" (intuit_tid {tid})" if tid else ""
    )
