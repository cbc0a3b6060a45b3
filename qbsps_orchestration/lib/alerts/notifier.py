"""The notifier protocol: one channel an alert goes out on. Errors say what failed in words safe
to log and store (never a password, a token or a webhook URL)."""

from __future__ import annotations

from typing import Protocol

from .alert import Alert


class NotifyError(Exception):
    """A channel did not take the alert; its message holds no secret."""


class Notifier(Protocol):
    @property
    def name(self) -> str:
        """The channel's name (recorded per alert, so a retry skips channels that have it)."""

    def send(self, alert: Alert) -> None:
        """Deliver now or raise NotifyError."""
