"""Keep secrets out of alert text: what Dagster reports as a run's failure reason is an exception's
message, and an exception can quote a URL with a password in it or a token."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from ..config import CredentialError, QbspsConfig

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 4  # shorter values would blank ordinary words
_PATTERNS = (  # (what stays, the secret after it)
    re.compile(r"(://)[^/\s:@]+:[^/\s@]+(?=@)"),  # user:password@ in a URL
    re.compile(r"(?i)(bearer )[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)(hooks\.slack\.com/)\S+"),  # an incoming-webhook path is its secret
    re.compile(r"(?i)(webhook\.office\.com/)\S+"),
    re.compile(r"(?i)(logic\.azure\.com)\S+"),
    re.compile(r"(?i)([?&](?:sig|code|token|key|secret|password)=)[^&\s]+"),
)


class Redactor:
    """Replaces each known secret value and anything shaped like a credential with [redacted]."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        found = set()
        for secret in secrets:
            found.add(secret)
            path = urlsplit(secret).path if "://" in secret else ""
            if len(path) > 1:  # a webhook URL: its path alone is as secret
                found.add(path)
        found = {s for s in found if s and len(s) >= MIN_SECRET_LENGTH}
        self._secrets = sorted(found, key=len, reverse=True)  # longest first: no partial leftovers

    @classmethod
    def for_config(cls, config: QbspsConfig) -> Redactor:
        """Every credential the config names that resolves here (an unset one cannot leak)."""
        values = []
        for _, source in config.credential_sources():
            try:
                value = source.resolve()
            except CredentialError:
                continue
            values += [value, *value.split(",")]  # ledger.secret_keys: several keys in one
        return cls(value.strip() for value in values)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        return text

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"
