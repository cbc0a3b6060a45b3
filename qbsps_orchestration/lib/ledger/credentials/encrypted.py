"""Encrypted credentials, and the lease that lets one process at a time refresh a token.

QBO refresh tokens rotate and the superseded value stops working, so only one process may refresh,
and the new value must be committed before anything it returned is used. A database lock held
across the HTTP call would do that, but on SQLite it blocks every other ledger writer for as long as
the token endpoint takes (and on PostgreSQL it pins a connection). So a refresh is a lease instead:
`claim_lease` (one short transaction) marks the row as ours until an expiry, the HTTP call runs
outside any transaction, and `store_leased` / `mark_reconnect_needed` (a second short transaction)
write the outcome only if nobody stored a newer value meanwhile (the row's version is unchanged).
`LockedSecret` (a lock for the whole ``with`` block) remains for short critical sections only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ...secrets import SecretCipher
from ..audit import AuditContext, record_event
from ..errors import InvalidTransitionError, SecretLockTimeoutError, SecretNotFoundError
from ..storage.models import Credential
from ..storage.store import Store


def _write(
    session: Session,
    context: AuditContext,
    cipher: SecretCipher,
    name: str,
    value: str,
    row: Credential | None,
) -> int:
    if row is None:
        row = Credential(name=name, ciphertext=cipher.encrypt(value), version=1)
        session.add(row)
    else:
        row.ciphertext = cipher.encrypt(value)
        row.version += 1
        # A new value (a reconnection, a rotated token) is no longer the dead one.
        row.reconnect_reason = row.reconnect_since = None
    session.flush()
    # The audit trail records that the secret changed, never what it is.
    record_event(session, context, "credential_stored", after={"name": name, "version": row.version})
    return row.version


def store_secret(session: Session, context: AuditContext, cipher: SecretCipher, name: str, value: str) -> int:
    row = session.get(Credential, name, with_for_update=True)
    return _write(session, context, cipher, name, value, row)


def create_secret(
    session: Session, context: AuditContext, cipher: SecretCipher, name: str, value: str
) -> bool:
    """Store `value` only if no secret of that name exists; never overwrites (a rotated token)."""
    if session.get(Credential, name) is not None:
        return False
    _write(session, context, cipher, name, value, None)
    return True


def load_secret(session: Session, cipher: SecretCipher, name: str) -> str:
    row = session.get(Credential, name)
    if row is None:
        raise SecretNotFoundError(f"no stored secret named {name!r}")
    return cipher.decrypt(row.ciphertext)


def rotate_all(session: Session, context: AuditContext, cipher: SecretCipher) -> int:
    """Re-encrypt every stored secret with the newest key; afterwards older keys can be retired."""
    rows = session.scalars(select(Credential).with_for_update()).all()
    for row in rows:
        row.ciphertext = cipher.rotate(row.ciphertext)
    session.flush()
    record_event(session, context, "credentials_rotated", after={"count": len(rows)})
    return len(rows)


class LockedSecret:
    """A secret held under lock. Read `value`; `store()` the rotated value exactly once."""

    def __init__(
        self, session: Session, context: AuditContext, cipher: SecretCipher, row: Credential
    ) -> None:
        self._session, self._context, self._cipher, self._row = session, context, cipher, row
        self.name = row.name
        self.version = row.version
        self.value = cipher.decrypt(row.ciphertext)
        self.stored = False

    def store(self, new_value: str) -> int:
        if self.stored:
            raise InvalidTransitionError(f"secret {self.name!r} was already stored under this lock")
        self.version = _write(self._session, self._context, self._cipher, self.name, new_value, self._row)
        self._session.commit()  # durable before use; also releases the lock
        self.value, self.stored = new_value, True
        return self.version

    def __repr__(self) -> str:
        return f"LockedSecret(name={self.name!r}, version={self.version}, stored={self.stored})"


@contextmanager
def locked_secret(
    store: Store, context: AuditContext, cipher: SecretCipher, name: str, wait_seconds: float
) -> Iterator[LockedSecret]:
    """Hold `name` exclusively: PostgreSQL `SELECT … FOR UPDATE`; SQLite a `BEGIN IMMEDIATE` write
    transaction (which, SQLite being SQLite, also queues the ledger's other writers meanwhile)."""
    session = store.write_session(wait_seconds)
    try:
        try:
            session.begin()
            if store.dialect == "postgresql":
                session.execute(text(f"SET LOCAL lock_timeout = {int(wait_seconds * 1000)}"))
            row = session.scalars(
                select(Credential).where(Credential.name == name).with_for_update()
            ).one_or_none()
        except OperationalError as error:
            raise SecretLockTimeoutError(
                f"gave up waiting {wait_seconds:g}s for the lock on secret {name!r}: another process holds it"
            ) from error
        if row is None:
            raise SecretNotFoundError(f"no stored secret named {name!r} (store it once before refreshing it)")
        yield LockedSecret(session, context, cipher, row)
    finally:
        if session.in_transaction():
            session.rollback()
        session.close()


@dataclass(frozen=True)
class SecretState:
    """A stored secret as read (no lock): its value, version, and why it needs a reconnect, if so."""

    name: str
    value: str
    version: int
    reconnect_reason: str | None
    reconnect_since: datetime | None
    leased_until: datetime | None

    def __repr__(self) -> str:
        dead = self.reconnect_reason is not None
        return f"SecretState(name={self.name!r}, version={self.version}, reconnect_needed={dead})"


@dataclass(frozen=True)
class SecretLease:
    """The right to refresh `name` from `value` (its stored `version`) until `expires_at`."""

    name: str
    holder: str
    version: int
    value: str
    expires_at: datetime

    def __repr__(self) -> str:
        return f"SecretLease(name={self.name!r}, holder={self.holder!r}, version={self.version})"


@dataclass(frozen=True)
class NeedsReconnect:
    """A stored secret marked dead: the reason an operator reads, and since when."""

    name: str
    reason: str
    since: datetime


def read_state(session: Session, cipher: SecretCipher, name: str) -> SecretState:
    row = session.get(Credential, name)
    if row is None:
        raise SecretNotFoundError(f"no stored secret named {name!r}")
    return SecretState(
        name,
        cipher.decrypt(row.ciphertext),
        row.version,
        row.reconnect_reason,
        row.reconnect_since,
        row.lease_expires_at,
    )


def claim_lease(
    session: Session,
    cipher: SecretCipher,
    name: str,
    holder: str,
    version: int,
    now: datetime,
    duration: timedelta,
) -> SecretLease | None:
    """Take the refresh lease if the row is still at `version` and no live lease of another holder
    exists; None otherwise (the caller waits, then re-reads)."""
    row = session.get(Credential, name, with_for_update=True)
    if row is None:
        raise SecretNotFoundError(f"no stored secret named {name!r} (store it once before refreshing it)")
    if row.version != version:
        return None
    held_by_other = row.lease_holder not in (None, holder)
    if held_by_other and row.lease_expires_at is not None and row.lease_expires_at > now:
        return None
    row.lease_holder, row.lease_expires_at = holder, now + duration
    return SecretLease(name, holder, version, cipher.decrypt(row.ciphertext), now + duration)


def store_leased(
    session: Session, context: AuditContext, cipher: SecretCipher, lease: SecretLease, value: str
) -> bool:
    """Store the refreshed value and end the lease; False (nothing stored) when the row moved past
    the leased version, i.e. someone else stored a newer value (a reconnection) meanwhile.

    The version, not the holder, decides: if our lease expired and another process took it, the
    value we hold is still the newest Intuit issued unless that process stored one, and dropping it
    would lose a rotated refresh token."""
    row = session.get(Credential, lease.name, with_for_update=True)
    if row is None or row.version != lease.version:
        _end_lease(row, lease)
        return False
    _write(session, context, cipher, lease.name, value, row)
    _end_lease(row, lease)
    return True


def mark_reconnect_needed(
    session: Session,
    context: AuditContext,
    cipher: SecretCipher,
    lease: SecretLease,
    reason: str,
    now: datetime,
    value: str | None = None,
) -> bool:
    """Mark the leased value dead (storing `value` first when the dead one was never stored, e.g. a
    newly configured token); False when a newer value was stored meanwhile (then it is not dead)."""
    row = session.get(Credential, lease.name, with_for_update=True)
    if row is None or row.version != lease.version:
        _end_lease(row, lease)
        return False
    if value is not None:
        _write(session, context, cipher, lease.name, value, row)
    row.reconnect_reason, row.reconnect_since = reason, now
    _end_lease(row, lease)
    session.flush()
    record_event(
        session, context, "credential_needs_reconnect", after={"name": lease.name, "version": row.version}
    )
    return True


def release_lease(session: Session, lease: SecretLease) -> None:
    _end_lease(session.get(Credential, lease.name, with_for_update=True), lease)


def reconnects_needed(session: Session) -> list[NeedsReconnect]:
    rows = session.scalars(
        select(Credential).where(Credential.reconnect_reason.is_not(None)).order_by(Credential.name)
    ).all()
    return [NeedsReconnect(r.name, r.reconnect_reason or "", r.reconnect_since or r.updated_at) for r in rows]


def _end_lease(row: Credential | None, lease: SecretLease) -> None:
    if row is not None and row.lease_holder == lease.holder:
        row.lease_holder = row.lease_expires_at = None
