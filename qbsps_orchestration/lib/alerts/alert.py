"""What an alert is: its kind, a subject and a plain-text body an operator acts on, and the dedup
key that makes it one alert per cause (sent once until the cause clears)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AlertKind(StrEnum):
    """Run failures are events (one alert per run); the others are conditions that a periodic
    evaluation sees or not, and clear when it no longer does. A deadline kind (a ship notice or
    invoice due soon or missed) is one more condition with its own check."""

    RUN_FAILURE = "run_failure"
    STUCK_DOCUMENT = "stuck_document"
    RECONNECT_NEEDED = "reconnect_needed"
    CREDENTIAL_EXPIRING = "credential_expiring"


CONDITIONS = (AlertKind.STUCK_DOCUMENT, AlertKind.RECONNECT_NEEDED, AlertKind.CREDENTIAL_EXPIRING)


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    key: str  # what it is about within its kind: a run id, a document id, a credential name
    subject: str
    body: str  # names the document or connection, the field, and what to do

    @property
    def dedup_key(self) -> str:
        return f"{self.kind.value}:{self.key}"

    @property
    def text(self) -> str:
        """Subject and body together, for channels with one text field (Slack, Teams)."""
        return f"{self.subject}\n\n{self.body}"
