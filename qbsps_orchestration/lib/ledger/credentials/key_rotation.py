"""Which stored secrets a key list can read: the check before a key is added or dropped.

Re-encryption itself is `Ledger.rotate_secrets` (credentials.rotate_all); this answers the two
questions around it without changing anything: can the current keys read every stored secret (else
rotating would fail halfway through someone's lost key), and does any secret still need an older key
(a process still on the old key list may have stored one after the rotation)?
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from ...secrets import SecretCipher, SecretDecryptError
from ..storage.models import Credential
from ..storage.store import Store


def unreadable_secrets(ledger_url: str, keys: Sequence[str]) -> list[str]:
    """Names of the stored secrets none of `keys` decrypts (empty: the keys read them all)."""
    cipher = SecretCipher(keys)
    store = Store(ledger_url)
    try:
        with store.read() as session:
            rows = session.execute(select(Credential.name, Credential.ciphertext).order_by(Credential.name))
            unreadable: list[str] = []
            for name, ciphertext in rows:
                try:
                    cipher.decrypt(ciphertext)
                except SecretDecryptError:
                    unreadable.append(name)
            return unreadable
    finally:
        store.dispose()


def stored_secret_count(ledger_url: str) -> int:
    store = Store(ledger_url)
    try:
        with store.read() as session:
            return len(session.scalars(select(Credential.name)).all())
    finally:
        store.dispose()
