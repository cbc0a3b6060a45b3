"""`Ledger.credentials`: encrypted secrets, the refresh lease, "reconnect needed"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from ...secrets import SecretCipher
from ..audit import AuditContext
from ..storage.store import Store
from . import encrypted as credentials


class CredentialLedger:
    """Secrets encrypted with the ledger's cipher; QBO's token refresh coordinated by a lease row.
    `cipher` defaults to one built from $QBSPS_SECRET_KEYS the first time a secret is touched."""

    def __init__(self, store: Store, context: AuditContext, cipher: SecretCipher | None = None) -> None:
        self._store = store
        self._cipher = cipher
        self.context = context

    @property
    def cipher(self) -> SecretCipher:
        if self._cipher is None:
            self._cipher = SecretCipher.from_env()
        return self._cipher

    @property
    def loaded_cipher(self) -> SecretCipher | None:
        """The cipher if one was built already (handed on by `Ledger.as_actor`, never built for it)."""
        return self._cipher

    def store(self, name: str, value: str) -> int:
        cipher = self.cipher
        return self._store.write_retrying(
            lambda s: credentials.store_secret(s, self.context, cipher, name, value)
        )

    def store_if_absent(self, name: str, value: str) -> bool:
        """First write wins: two processes seeding at once never overwrite each other's value."""
        cipher = self.cipher
        return self._store.write_retrying(
            lambda s: credentials.create_secret(s, self.context, cipher, name, value)
        )

    def load(self, name: str) -> str:
        with self._store.read() as session:
            return credentials.load_secret(session, self.cipher, name)

    def rotate(self) -> int:
        with self._store.write() as session:
            return credentials.rotate_all(session, self.context, self.cipher)

    def state(self, name: str) -> credentials.SecretState:
        with self._store.read() as session:
            return credentials.read_state(session, self.cipher, name)

    def claim_lease(
        self, name: str, holder: str, version: int, now: datetime, duration: timedelta
    ) -> credentials.SecretLease | None:
        cipher = self.cipher
        with self._store.write() as session:
            return credentials.claim_lease(session, cipher, name, holder, version, now, duration)

    def store_leased(self, lease: credentials.SecretLease, value: str) -> bool:
        cipher = self.cipher
        with self._store.write() as session:
            return credentials.store_leased(session, self.context, cipher, lease, value)

    def mark_needs_reconnect(
        self, lease: credentials.SecretLease, reason: str, now: datetime, value: str | None = None
    ) -> bool:
        cipher = self.cipher
        with self._store.write() as session:
            return credentials.mark_reconnect_needed(session, self.context, cipher, lease, reason, now, value)

    def release_lease(self, lease: credentials.SecretLease) -> None:
        with self._store.write() as session:
            credentials.release_lease(session, lease)

    def reconnects_needed(self) -> list[credentials.NeedsReconnect]:
        """Stored credentials that are dead until an operator reconnects (for `qbsps status`)."""
        with self._store.read() as session:
            return credentials.reconnects_needed(session)

    @contextmanager
    def locked(self, name: str, wait_seconds: float = 30.0) -> Iterator[credentials.LockedSecret]:
        with credentials.locked_secret(self._store, self.context, self.cipher, name, wait_seconds) as held:
            yield held
