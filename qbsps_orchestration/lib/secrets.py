"""Encryption of secrets at rest (OAuth tokens, client secrets) with Fernet keys from the environment.

`QBSPS_SECRET_KEYS` holds comma-separated Fernet keys, newest first. New ciphertext always uses the
first key; every listed key can still decrypt, so a key is rotated by prepending a new one, running
`rotate()` over stored values, then dropping the old key. Plaintext never reaches an exception or repr.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

SECRET_KEYS_ENV = "QBSPS_SECRET_KEYS"


class SecretKeyError(ValueError):
    """The key configuration is missing or malformed (the message never contains a key)."""


class SecretDecryptError(ValueError):
    """A ciphertext could not be decrypted by any configured key."""


class SecretCipher:
    def __init__(self, keys: Sequence[str | bytes]) -> None:
        if not keys:
            raise SecretKeyError(
                f"{SECRET_KEYS_ENV} is empty: set it to one or more comma-separated Fernet keys "
                "(generate one with SecretCipher.generate_key())"
            )
        fernets: list[Fernet] = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                # `from None`: the original error could echo the key material.
                raise SecretKeyError(
                    f"{SECRET_KEYS_ENV} entry #{position} is not a valid Fernet key "
                    "(expected 32 url-safe base64-encoded bytes)"
                ) from None
        self._multi = MultiFernet(fernets)
        self._key_count = len(fernets)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SecretCipher:
        env = os.environ if environ is None else environ
        raw = env.get(SECRET_KEYS_ENV, "")
        keys = [part.strip() for part in raw.split(",") if part.strip()]
        if not keys:
            raise SecretKeyError(
                f"{SECRET_KEYS_ENV} is not set: qbsps needs it to encrypt stored credentials; set it to "
                "one or more comma-separated Fernet keys, newest first (generate one with "
                "`python -c 'from qbsps_orchestration.lib.secrets import SecretCipher; "
                "print(SecretCipher.generate_key())'`)"
            )
        return cls(keys)

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode("ascii")

    @property
    def key_count(self) -> int:
        return self._key_count

    def encrypt(self, plaintext: str) -> str:
        return self._multi.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._multi.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeEncodeError):
            raise SecretDecryptError(
                f"cannot decrypt a stored secret: none of the {self._key_count} key(s) in "
                f"{SECRET_KEYS_ENV} matches it (was its key removed before rotation?)"
            ) from None

    def rotate(self, token: str) -> str:
        """Re-encrypt `token` with the newest key (keeps its original timestamp)."""
        try:
            return self._multi.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError):
            raise SecretDecryptError(
                f"cannot rotate a stored secret: none of the {self._key_count} key(s) in "
                f"{SECRET_KEYS_ENV} matches it"
            ) from None

    def __repr__(self) -> str:
        return f"SecretCipher(keys={self._key_count})"


def create_key_file(path: Path) -> bool:
    """Write a new Fernet key to `path` with mode 0600, unless the file exists (a key in use must
    never be replaced: the secrets it encrypted would be lost; an existing one is tightened to 0600
    instead). True when a key was written."""
    from .secret_key_file import tighten_key_file

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        tighten_key_file(path)
        return False
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(SecretCipher.generate_key() + "\n")
    return True
