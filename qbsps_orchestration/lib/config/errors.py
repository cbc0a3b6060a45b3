"""Errors raised by the configuration layer. Messages name the file and the dotted key, never a secret."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class ConfigError(Exception):
    """The configuration file is missing, unreadable or invalid.

    `problems` holds ``(key, reason)`` pairs; `key` is dotted with list indexes, such as
    ``trading_partners[1].rsx_format`` (empty for problems with the file as a whole).
    """

    def __init__(self, path: Path | str | None, problems: Sequence[tuple[str, str]]) -> None:
        self.path = Path(path) if path is not None else None
        self.problems = list(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"config file {self.path}" if self.path is not None else "config"
        lines = [f"{key}: {reason}" if key else reason for key, reason in self.problems]
        if len(lines) == 1:
            return f"{where}: {lines[0]}"
        return f"{where}: {len(lines)} problems:\n" + "\n".join(f"  - {line}" for line in lines)


class CredentialError(Exception):
    """A credential source cannot produce its secret (names the source, never the value)."""


class UnknownTradingPartnerError(LookupError):
    """No trading partner with that TradingPartnerId is configured."""

    def __init__(self, trading_partner_id: str, known: Sequence[str]) -> None:
        self.trading_partner_id = trading_partner_id
        listed = ", ".join(known) or "none"
        super().__init__(f"unknown trading partner {trading_partner_id!r}; configured: {listed}")

    def __str__(self) -> str:  # LookupError would otherwise quote the message like a KeyError
        return str(self.args[0])
