"""One pass over a batch of QBO invoices (partitions): each invoice on its own, so one bad
invoice never stops the others."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from .flow import InvoiceOutcome, OutboundContext, OutboundError, process_invoice, qbo_id_of

log = logging.getLogger(__name__)


def process_invoices(
    ctx: OutboundContext, keys: Iterable[str], *, invoices: bool, ship_notices: bool, resend: bool = False
) -> list[InvoiceOutcome]:
    outcomes = []
    for key in keys:
        try:
            outcome = process_invoice(ctx, key, invoices=invoices, ship_notices=ship_notices, resend=resend)
        except OutboundError as exc:
            outcome = InvoiceOutcome(key, qbo_id_of(key), errors=[str(exc)])
        except Exception as exc:  # an outage or a bug on one invoice must not stop the others
            log.exception("outbound %s failed", key)
            outcome = InvoiceOutcome(
                key, qbo_id_of(key), errors=[f"{key}: {type(exc).__name__}: {exc}"], retry=True
            )
        for result in (outcome.invoice, outcome.ship_notice):
            if result is not None and result.failed:
                outcome.errors += list(result.problems) or [f"{key}: {result.doc_type} {result.outcome}"]
        outcomes.append(outcome)
    return outcomes
