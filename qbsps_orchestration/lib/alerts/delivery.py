"""Send alerts once per cause: the ledger remembers each dedup key; an alert is sent to every
channel, and one a channel did not take stays unsent and is tried again at the next evaluation."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..config import CredentialError
from ..config.companies import current_company
from ..ledger import Ledger
from .alert import Alert, AlertKind
from .notifier import Notifier, NotifyError

log = logging.getLogger(__name__)


@dataclass
class Delivery:
    """What one evaluation did: alerts sent (dedup keys), and the ones not sent with why."""

    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    cleared: int = 0


def evaluate(
    ledger: Ledger,
    notifiers: Sequence[Notifier],
    current: Iterable[Alert],
    now: datetime,
    *,
    kinds: Collection[AlertKind] = (),
    redact: Callable[[str], str] = lambda text: text,
) -> Delivery:
    """Record `current` alerts (each opened once), clear those of `kinds` no longer current, then
    send everything still unsent, earlier failures included."""
    # An integrator's one inbox gets the alerts of every company it serves: each names its company.
    company = current_company()
    named = f"{company}: " if company else ""
    alerts = [replace(a, subject=named + redact(a.subject), body=redact(a.body)) for a in current]
    ledger.alerts.raise_alerts(alerts, now)
    cleared = ledger.alerts.clear_absent([k.value for k in kinds], {a.dedup_key for a in alerts}, now)
    delivery = deliver_unsent(ledger, notifiers, now)
    delivery.cleared = cleared
    return delivery


def deliver_unsent(ledger: Ledger, notifiers: Sequence[Notifier], now: datetime) -> Delivery:
    delivery = Delivery()
    if not notifiers:  # nowhere to send: everything stays unsent
        return delivery
    for stored in ledger.alerts.claim_unsent(now):
        alert = Alert(AlertKind(stored.kind), stored.dedup_key.partition(":")[2], stored.subject, stored.body)
        delivered, errors = set(stored.delivered_to), []
        for notifier in notifiers:
            if notifier.name in delivered:
                continue
            try:
                notifier.send(alert)
            except (NotifyError, CredentialError) as exc:  # their messages hold no secret
                errors.append(f"{notifier.name}: {exc}")
            except Exception as exc:  # an unexpected one's text could quote anything: its type only
                errors.append(f"{notifier.name}: {type(exc).__name__}")
            else:
                delivered.add(notifier.name)
        complete = {n.name for n in notifiers} <= delivered
        error = "; ".join(errors) or None
        ledger.alerts.record_delivery(stored.dedup_key, delivered, error, complete, now)
        if complete:
            delivery.sent.append(stored.dedup_key)
        else:
            log.warning("alert %s not sent yet: %s", stored.dedup_key, error)
            delivery.failed.append((stored.dedup_key, error or "not sent"))
    return delivery
