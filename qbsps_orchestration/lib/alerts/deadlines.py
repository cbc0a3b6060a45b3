"""Deadline alerts: one when a partner's 856, 810 or 855 is due within its near_hours and not sent,
one when it is past due, each naming the partner, the PO, the deadline and the estimated
chargeback. Each is sent once: a near alert clears when the deadline passes (the missed one
follows) or the document goes out; a missed one clears when it finally goes out."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from ..config import QbspsConfig
from ..deadlines import (
    DeadlineState,
    DocumentKind,
    Obligation,
    Shipped,
    acknowledgment_obligations,
    shipment_obligations,
)
from ..ledger import Ledger
from .alert import DEADLINES, Alert, AlertKind
from .delivery import evaluate
from .notifier import Notifier
from .redact import Redactor
from .watch import Watch

log = logging.getLogger(__name__)
MAX_PER_STATE = 20  # more than this near (or missed) at once: one "and N more" alert, not a flood
_KIND = {DeadlineState.NEAR: AlertKind.DEADLINE_NEAR, DeadlineState.MISSED: AlertKind.DEADLINE_MISSED}
_TODO = {
    DocumentKind.SHIP_NOTICE: (
        "the 856 is built from the QBO invoice once it has a ShipDate and a carrier (ShipMethodRef) "
        "or TrackingNum; complete the invoice, and qbsps sends it at the next outbound sync. If it "
        "was built but not sent, `qbsps status` shows why and how to re-run it."
    ),
    DocumentKind.INVOICE: (
        "qbsps sends the 810 when the QBO invoice is created or changed; if it was not sent, "
        "`qbsps status` shows why and how to re-run it."
    ),
    DocumentKind.ACKNOWLEDGMENT: (
        "the 855 goes out once the order is written to QuickBooks; if the order or its 855 waits "
        "for a person, `qbsps status` shows why and how to re-run it."
    ),
}


def deadline_alerts(found: Sequence[Obligation], now: datetime) -> list[Alert]:
    """The near and missed obligations as alerts, soonest due first, at most MAX_PER_STATE each."""
    alerts: list[Alert] = []
    for state, kind in _KIND.items():
        due = sorted((o for o in found if o.state(now) is state), key=lambda o: (o.due, o.key))
        alerts += [_alert(o, state, now) for o in due[:MAX_PER_STATE]]
        if len(due) > MAX_PER_STATE:
            rest = len(due) - MAX_PER_STATE
            alerts.append(
                Alert(
                    kind,
                    "more",
                    f"{rest} more partner deadlines {state.value}",
                    f"Besides the {MAX_PER_STATE} alerted one by one, {rest} more documents owed to "
                    f"trading partners are {state.value}.\n\nWhat to do: `qbsps status` lists the "
                    "documents waiting for a person; the outbound sync sends the rest.",
                )
            )
    return alerts


def _alert(obligation: Obligation, state: DeadlineState, now: datetime) -> Alert:
    o = obligation
    partner = f"{o.partner_name} ({o.trading_partner_id})"
    document = f"{o.kind.label} for PO {o.po_number}"
    if o.reference != o.po_number:
        document += f" (QBO invoice {o.reference})"
    due = f"{o.due:%Y-%m-%d %H:%M %Z}"
    if state is DeadlineState.MISSED:
        subject = f"Missed: {document} to {o.partner_name}, due {due}"
        status = f"was due {due} ({o.why}), {_span(now - o.due)} ago, and is not sent."
    else:
        subject = f"Due in {_span(o.due - now)}: {document} to {o.partner_name}"
        status = f"is due {due} ({o.why}), in {_span(o.due - now)}, and is not sent yet."
    if o.chargeback is not None:
        money = f"Estimated chargeback if late: {o.chargeback} ({o.chargeback_rule})."
    elif o.chargeback_rule is not None:
        money = f"Chargeback rule: {o.chargeback_rule} (no estimate: the amount is not known)."
    else:
        money = "No chargeback rule is configured for this document."
    body = "\n".join(
        [
            f"Trading partner: {partner}",
            f"Document: {document}",
            f"The {o.kind.label} {status}",
            money,
            "",
            f"What to do: {_TODO[o.kind]}",
        ]
    )
    return Alert(_KIND[state], o.key, subject, body)


def watch_deadlines(
    ledger: Ledger,
    config: QbspsConfig,
    notifiers: Sequence[Notifier],
    now: datetime,
    shipped: Callable[[], list[Shipped]],
) -> Watch:
    """One evaluation: the obligations now (`shipped` reads QBO's shipped invoices), alerts opened,
    cleared and sent. When QBO cannot be read, the 855s (the ledger's) are still checked and the
    856/810 alerts are kept as they were; when the ledger cannot, nothing is cleared."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    redact = Redactor.for_config(config)
    problems: list[str] = []
    try:
        found = acknowledgment_obligations(config, ledger, now)
    except Exception as exc:  # the ledger unreadable: report it, clear nothing
        problems.append(f"deadline check failed: {type(exc).__name__}: {redact(str(exc))}")
        log.warning(problems[-1])
        return Watch(evaluate(ledger, notifiers, [], now, kinds=(), redact=redact), (), tuple(problems))
    try:
        found += shipment_obligations(config, ledger, shipped(), now)
    except Exception as exc:  # e.g. QBO unreachable: its documents' alerts stay as they were
        problems.append(f"deadline check failed: {type(exc).__name__}: {redact(str(exc))}")
        log.warning(problems[-1])
    current = deadline_alerts(found, now)
    if problems:
        current += _open_shipment_alerts(ledger)
    delivery = evaluate(ledger, notifiers, current, now, kinds=DEADLINES, redact=redact)
    return Watch(delivery, () if problems else DEADLINES, tuple(problems))


def _open_shipment_alerts(ledger: Ledger) -> list[Alert]:
    """The 856/810 alerts not cleared: passed on as current, so a failed QBO read clears none."""
    kinds = {kind.value for kind in DEADLINES}
    kept = []
    for stored in ledger.alerts.stored():
        key = stored.dedup_key.partition(":")[2]
        if stored.kind in kinds and (
            key == "more" or key.split(":")[1:2] != [DocumentKind.ACKNOWLEDGMENT.value]
        ):
            kept.append(Alert(AlertKind(stored.kind), key, stored.subject, stored.body))
    return kept


def _span(span: timedelta) -> str:
    minutes = max(int(span.total_seconds() // 60), 0)
    if minutes < 120:
        return f"{minutes} minutes"
    if minutes < 48 * 60:
        return f"{minutes // 60} hours"
    return f"{minutes // 1440} days"
