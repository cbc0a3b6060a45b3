"""One periodic evaluation (every condition checked, alerts opened, cleared and sent) and the
alert for a failed run; what the Dagster sensors call."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..config import QbspsConfig
from ..ledger import Ledger
from .alert import Alert, AlertKind
from .conditions import credential_alerts, reconnect_alerts, stuck_document_alerts
from .delivery import Delivery, evaluate
from .notifier import Notifier
from .redact import Redactor

log = logging.getLogger(__name__)
MAX_REASON_CHARS = 2000  # a stack of step errors can be long; the run's page has all of it
PARTITION_TAG = "dagster/partition"
KEEP_SENT = timedelta(days=30)  # sent run-failure and cleared alerts are kept this long, then dropped


@dataclass(frozen=True)
class Watch:
    delivery: Delivery
    checked: tuple[AlertKind, ...]
    problems: tuple[str, ...]  # checks that could not run (their alerts are kept, not cleared)


def watch(ledger: Ledger, config: QbspsConfig, notifiers: Sequence[Notifier], now: datetime) -> Watch:
    """Check every condition; a check that fails is reported and its kind left as it was."""
    settings = config.alerts
    if settings is None:
        raise ValueError("alerts are not configured (no alerts: section)")
    redact = Redactor.for_config(config)
    checks: Mapping[AlertKind, Callable[[], list[Alert]]] = {
        AlertKind.STUCK_DOCUMENT: lambda: stuck_document_alerts(
            ledger, now, timedelta(minutes=settings.stuck_after_minutes)
        ),
        AlertKind.RECONNECT_NEEDED: lambda: reconnect_alerts(ledger),
        AlertKind.CREDENTIAL_EXPIRING: lambda: credential_alerts(
            ledger, config.qbo.realm_id, now, settings.token_warning_days
        ),
    }
    current: list[Alert] = []
    checked, problems = [], []
    for kind, check in checks.items():
        try:
            current += check()
        except Exception as exc:  # the other checks still run; this kind's alerts stay open
            problems.append(f"{kind.value} check failed: {type(exc).__name__}: {redact(str(exc))}")
            continue
        checked.append(kind)
    for problem in problems:
        log.warning(problem)
    delivery = evaluate(ledger, notifiers, current, now, kinds=checked, redact=redact)
    ledger.alerts.forget([AlertKind.RUN_FAILURE.value], now - KEEP_SENT)
    return Watch(delivery, tuple(checked), tuple(problems))


def run_failure_alert(job_name: str, run_id: str, reason: str, tags: Mapping[str, str]) -> Alert:
    if len(reason) > MAX_REASON_CHARS:
        reason = reason[:MAX_REASON_CHARS] + " [...]"
    partition = tags.get(PARTITION_TAG)
    lines = [
        f"Dagster run {run_id} of {job_name} failed" + (f" (partition {partition})." if partition else "."),
        "",
        f"Reason: {reason.strip() or 'none given'}",
        "",
        "What to do: open the run in the Dagster UI (Runs, then this run id) for its log; "
        "documents it could not move are listed with their reasons by `qbsps status`. Fix the "
        "cause, then re-execute the run (or the failed partition) from the UI, or "
        '`qbsps replay DOCUMENT --reason "..."`.',
    ]
    subject = f"{job_name} failed" + (f" ({partition})" if partition else "")
    return Alert(AlertKind.RUN_FAILURE, run_id, subject, "\n".join(lines))


def alert_run_failure(
    ledger: Ledger, config: QbspsConfig, notifiers: Sequence[Notifier], alert: Alert, now: datetime
) -> Delivery:
    """Record the run's alert (once, however often it is reported) and send what is unsent."""
    # Recorded before any send: a failed send stays in the ledger for the next evaluation.
    return evaluate(ledger, notifiers, [alert], now, redact=Redactor.for_config(config))
