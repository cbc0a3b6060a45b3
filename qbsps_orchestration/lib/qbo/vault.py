"""QBO tokens kept encrypted in the ledger, refreshed by one process at a time (a lease row).

The configured refresh token only seeds the vault: after the first refresh the ledger holds the
newest (rotated) value. When the configured value changes, the user reconnected the company and
the new value replaces the stored family (and clears a "reconnect needed" mark). `qbsps connect
quickbooks` replaces the family too (`replace`), and marks a configured value as already seen so
it does not undo the new connection.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..ledger import Ledger, SecretLease, SecretNotFoundError, SecretState
from .tokens import QboOAuthError, QboTokens, TokenSnapshot

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NOT_CONNECTED = (
    "no QBO refresh token stored or configured: connect the company first (qbsps connect quickbooks)"
)


def _fingerprint(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class _Decoded:
    tokens: QboTokens
    seeded_from: str
    reseeded: bool  # the configured value changed: a new family, whatever was stored


@dataclass(frozen=True)
class LedgerTokenLease:
    """The lease on the stored family, and the refresh token to spend under it."""

    lease: SecretLease
    refresh_token: str
    seeded_from: str
    reseeded: bool

    def __repr__(self) -> str:  # the refresh token is a secret
        return f"LedgerTokenLease(version={self.lease.version})"


class LedgerTokenVault:
    def __init__(self, ledger: Ledger, realm_id: str, configured_refresh_token: str | None) -> None:
        self._ledger = ledger
        self.name = f"qbo.tokens.{realm_id}"
        self._configured = configured_refresh_token

    def snapshot(self) -> TokenSnapshot:
        """The stored tokens as of now (no lock), seeding the configured value on first use."""
        state = self._state()
        decoded = self._decode(state.value)
        # A changed configured value is a reconnection: the mark on the old family does not apply.
        reason = None if decoded.reseeded else state.reconnect_reason
        return TokenSnapshot(decoded.tokens, state.version, reason)

    def claim(self, snapshot: TokenSnapshot, holder: str, duration: timedelta) -> LedgerTokenLease | None:
        """The refresh lease if nobody else holds it and nothing was stored since `snapshot`."""
        lease = self._ledger.credentials.claim_lease(
            self.name, holder, snapshot.version, datetime.now(UTC), duration
        )
        if lease is None:
            return None
        decoded = self._decode(lease.value)
        return LedgerTokenLease(lease, decoded.tokens.refresh_token, decoded.seeded_from, decoded.reseeded)

    def save(self, held: LedgerTokenLease, tokens: QboTokens) -> bool:
        """Commit the refreshed pair (durable before use); False if a newer family was stored meanwhile."""
        return self._ledger.credentials.store_leased(held.lease, _stored(tokens, held.seeded_from))

    def mark_reconnect_needed(self, held: LedgerTokenLease, reason: str) -> bool:
        """Record that the leased refresh token is dead; False if a newer one was stored meanwhile."""
        # A dead newly configured value is stored as seen, so it is not tried again on every call.
        seen = _stored(_initial(held.refresh_token), held.seeded_from) if held.reseeded else None
        return self._ledger.credentials.mark_needs_reconnect(held.lease, reason, datetime.now(UTC), seen)

    def release(self, held: LedgerTokenLease) -> None:
        self._ledger.credentials.release_lease(held.lease)

    def replace(self, tokens: QboTokens) -> None:
        """A new connection (user consent): its tokens replace whatever family was stored."""
        seen = _fingerprint(self._configured) if self._configured else ""
        self._ledger.credentials.store(self.name, _stored(tokens, seen))

    def has_tokens(self) -> bool:
        """Whether this company has a stored token family (connected, or seeded from the config)."""
        try:
            self._ledger.credentials.load(self.name)
        except SecretNotFoundError:
            return False
        return True

    def current(self) -> QboTokens:
        """The stored tokens without locking (for status displays; never for refreshing)."""
        data = json.loads(self._ledger.credentials.load(self.name))
        data.pop("seeded_from", None)
        return QboTokens.from_json(json.dumps(data))

    def _state(self) -> SecretState:
        try:
            return self._ledger.credentials.state(self.name)
        except SecretNotFoundError:
            if not self._configured:
                raise QboOAuthError(NOT_CONNECTED) from None
        # First connection: seed once, never over a stored (rotated) value; first writer wins.
        initial = _stored(_initial(self._configured), _fingerprint(self._configured))
        self._ledger.credentials.store_if_absent(self.name, initial)
        return self._ledger.credentials.state(self.name)

    def _decode(self, value: str) -> _Decoded:
        data = json.loads(value)
        seeded_from: str = data.pop("seeded_from", "")
        configured = self._configured
        if configured and _fingerprint(configured) != seeded_from:
            # The configured value changed: the user reconnected the company. Start from it; it is
            # stored together with the first tokens it yields.
            return _Decoded(_initial(configured), _fingerprint(configured), reseeded=True)
        return _Decoded(QboTokens.from_json(json.dumps(data)), seeded_from, reseeded=False)


def _initial(refresh_token: str) -> QboTokens:
    # Expired access token on purpose: the first use refreshes with this refresh token.
    return QboTokens(access_token="", access_expires_at=_EPOCH, refresh_token=refresh_token)


def _stored(tokens: QboTokens, seeded_from: str) -> str:
    return json.dumps(json.loads(tokens.to_json()) | {"seeded_from": seeded_from})
