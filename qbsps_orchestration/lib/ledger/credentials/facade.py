"""The credential methods of `Ledger`: encrypted secrets, the refresh lease, "reconnect needed"
(kept here so ledger.py stays one screenful per topic)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from ...secrets import SecretCipher
from ..audit import AuditContext
from ..storage.store import Store
from . import encrypted as credentials


class CredentialLedger:
    """Secrets encrypted with the ledger's cipher; QBO's token refresh coordinated by a lease row."""

    _store: Store
    _cipher: SecretCipher | None
    context: AuditContext

    @property
    def cipher(self) -> SecretCipher:
        if self._cipher is None:
            self._cipher = SecretCipher.from_env()
        return self._cipher

    def store_secret(self, name: str, value: str) -> int:
        cipher = self.cipher
        return self._store.write_retrying(
            lambda s: credentials.store_secret(s, self.context, cipher, name, value)
        )

    def store_secret_if_absent(self, name: str, value: str) -> bool:
        """First write wins: two processes seeding at once never overwrite each other's value."""
        cipher = self.cipher
        return self._store.write_retrying(
            lambda s: credentials.create_secret(s, self.context, cipher, name, value)
        )

    def load_secret(self, name: str) -> str:
        with self._store.read() as session:
            return credentials.load_secret(session, self.cipher, name)

    def rotate_secrets(self) -> int:
        with self._store.write() as session:
            return credentials.rotate_all(session, self.context, self.cipher)

    def secret_state(self, name: str) -> credentials.SecretState:
        with self._store.read() as session:
            return credentials.read_state(session, self.cipher, name)

    def claim_secret_lease(
        self, name: str, holder: str, version: int, now: datetime, duration: timedelta
    ) -> credentials.SecretLease | None:
        cipher = self.cipher
        with self._store.write() as session:
            return credentials.claim_lease(session, cipher, name, holder, version, now, duration)

    def store_leased_secret(self, lease: credentials.SecretLease, value: str) -> bool:
        cipher = self.cipher
        with self._store.write() as session:
            return credentials.store_leased(session, self.context, cipher, lease, value)

    def mark_secret_needs_reconnect(
        self, lease: credentials.SecretLease, reason: str, now: datetime, value: str | None = None
    ) -> bool:
        cipher = self.cipher
        with self._store.write() as session:
            return credentials.mark_reconnect_needed(session, self.context, cipher, lease, reason, now, value)

    def release_secret_lease(self, lease: credentials.SecretLease) -> None:
        with self._store.write() as session:
            credentials.release_lease(session, lease)

    def reconnects_needed(self) -> list[credentials.NeedsReconnect]:
        """Stored credentials that are dead until an operator reconnects (for `qbsps status`)."""
        with self._store.read() as session:
            return credentials.reconnects_needed(session)

    @contextmanager
    def locked_secret(self, name: str, wait_seconds: float = 30.0) -> Iterator[credentials.LockedSecret]:
        with credentials.locked_secret(self._store, self.context, self.cipher, name, wait_seconds) as held:
            yield held
