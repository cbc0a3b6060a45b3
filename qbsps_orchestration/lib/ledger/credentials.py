"""Encrypted credentials, and the row lock that lets one process at a time refresh a token.

QBO refresh tokens rotate and the superseded value stops working, so a refresher must hold the lock
from reading the old value until the new one is committed: `LockedSecret.store()` commits (and so
releases the lock) before the caller uses anything the refresh returned.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ..secrets import SecretCipher
from .audit import AuditContext, record_event
from .errors import InvalidTransitionError, SecretLockTimeoutError, SecretNotFoundError
from .models import Credential
from .store import Store


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
