"""What an alert is: its kind, a subject and a plain-text body an operator acts on, and the dedup
key that makes it one alert per cause (sent once until the cause clears)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AlertKind(StrEnum):
    """Run failures are events (one alert per run); the others are conditions that a periodic
    evaluation sees or not, and clear when it no longer does. The deadline kinds (a ship notice,
    invoice or acknowledgment due soon, or missed) are conditions with their own check and sensor."""

    RUN_FAILURE = "run_failure"
    STUCK_DOCUMENT = "stuck_document"
    RECONNECT_NEEDED = "reconnect_needed"
    CREDENTIAL_EXPIRING = "credential_expiring"
    DEADLINE_NEAR = "deadline_near"  # a partner's 856/810/855 due within its near_hours, not sent
    DEADLINE_MISSED = "deadline_missed"  # ... past due, not sent (a chargeback may follow)


CONDITIONS = (AlertKind.STUCK_DOCUMENT, AlertKind.RECONNECT_NEEDED, AlertKind.CREDENTIAL_EXPIRING)
DEADLINES = (AlertKind.DEADLINE_NEAR, AlertKind.DEADLINE_MISSED)


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
