"""QBO tokens kept encrypted in the ledger, refreshed by one process at a time (row lock).

The configured refresh token only seeds the vault: after the first refresh the ledger holds the
newest (rotated) value. When the configured value changes, the user reconnected the company and
the new value replaces the stored family. `qbsps connect quickbooks` replaces the family too
(`replace`), and marks a configured value as already seen so it does not undo the new connection.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from ..ledger import Ledger, LockedSecret, SecretNotFoundError
from .tokens import QboTokens

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _fingerprint(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()[:16]


class _Slot:
    def __init__(self, held: LockedSecret, configured: str | None) -> None:
        self._held = held
        data = json.loads(held.value)
        self.seeded_from: str = data.pop("seeded_from", "")
        self.tokens: QboTokens | None = QboTokens.from_json(json.dumps(data))
        if configured and _fingerprint(configured) != self.seeded_from:
            # The configured value changed: the user reconnected the company. Start from it; it is
            # stored together with the first tokens it yields.
            self.tokens = _initial(configured)
            self.seeded_from = _fingerprint(configured)

    def save(self, tokens: QboTokens) -> None:
        self._held.store(_stored(tokens, self.seeded_from))  # commits: durable before the token is used
        self.tokens = tokens


def _initial(refresh_token: str) -> QboTokens:
    # Expired access token on purpose: the first use refreshes with this refresh token.
    return QboTokens(access_token="", access_expires_at=_EPOCH, refresh_token=refresh_token)


def _stored(tokens: QboTokens, seeded_from: str) -> str:
    return json.dumps(json.loads(tokens.to_json()) | {"seeded_from": seeded_from})


class LedgerTokenVault:
    def __init__(self, ledger: Ledger, realm_id: str, configured_refresh_token: str | None) -> None:
        self._ledger = ledger
        self.name = f"qbo.tokens.{realm_id}"
        self._configured = configured_refresh_token

    @contextmanager
    def locked(self) -> Iterator[_Slot]:
        if self._configured:  # first connection: seed once, never over a stored (rotated) value
            initial = _stored(_initial(self._configured), _fingerprint(self._configured))
            self._ledger.store_secret_if_absent(self.name, initial)
        with self._ledger.locked_secret(self.name) as held:
            yield _Slot(held, self._configured)

    def replace(self, tokens: QboTokens) -> None:
        """A new connection (user consent): its tokens replace whatever family was stored."""
        seen = _fingerprint(self._configured) if self._configured else ""
        self._ledger.store_secret(self.name, _stored(tokens, seen))

    def has_tokens(self) -> bool:
        """Whether this company has a stored token family (connected, or seeded from the config)."""
        try:
            self._ledger.load_secret(self.name)
        except SecretNotFoundError:
            return False
        return True

    def current(self) -> QboTokens:
        """The stored tokens without locking (for status displays; never for refreshing)."""
        data = json.loads(self._ledger.load_secret(self.name))
        data.pop("seeded_from", None)
        return QboTokens.from_json(json.dumps(data))
