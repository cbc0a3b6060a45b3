"""Alerts for the people who run qbsps: run failures, stuck documents, a connection to reconnect,
credentials about to expire, a trading partner's deadline near or missed. Each is sent once per
cause (the ledger remembers it) through the configured notifiers: email over SMTP and/or a Slack
or Teams incoming webhook. No Dagster here."""

from __future__ import annotations

from ..config.alerts import AlertSettings
from .alert import CONDITIONS, DEADLINES, Alert, AlertKind
from .deadlines import deadline_alerts, watch_deadlines
from .delivery import Delivery, deliver_unsent, evaluate
from .notifier import Notifier, NotifyError
from .redact import Redactor
from .smtp import SmtpNotifier
from .watch import Watch, alert_run_failure, run_failure_alert, watch
from .webhook import WebhookNotifier


def notifiers_from(settings: AlertSettings | None) -> list[Notifier]:
    """The channels the `alerts:` section configures (none when it is absent)."""
    if settings is None:
        return []
    found: list[Notifier] = []
    if settings.smtp is not None:
        found.append(SmtpNotifier(settings.smtp))
    if settings.webhook is not None:
        found.append(WebhookNotifier(settings.webhook))
    return found


__all__ = [
    "CONDITIONS",
    "DEADLINES",
    "Alert",
    "AlertKind",
    "Delivery",
    "Notifier",
    "NotifyError",
    "Redactor",
    "SmtpNotifier",
    "Watch",
    "WebhookNotifier",
    "alert_run_failure",
    "deadline_alerts",
    "deliver_unsent",
    "evaluate",
    "notifiers_from",
    "run_failure_alert",
    "watch",
    "watch_deadlines",
]
