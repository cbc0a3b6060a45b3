"""Deadlines per trading partner: the 856 within N hours of the ship date and before delivery, the
810 within N days of shipment, the 855 within N hours of the order (each per the partner's
`deadlines:` block), each open obligation near, missed or met at a given moment, with the
chargeback the partner's rule gives. Reads the ledger and QBO; no Dagster here."""

from __future__ import annotations

from .chargeback import estimate
from .obligation import DeadlineState, DocumentKind, Obligation
from .obligations import (
    LOOKBACK,
    acknowledgment_obligations,
    lookback_start,
    obligations,
    shipment_obligations,
    shipped_in_window,
)
from .orders import DELIVERY_QUALIFIERS, ReceivedOrder
from .report import deadlines_frame, deadlines_text
from .shipped import Shipped, partners_with_deadlines, shipment_partners, shipped_invoices

__all__ = [
    "DELIVERY_QUALIFIERS",
    "LOOKBACK",
    "DeadlineState",
    "DocumentKind",
    "Obligation",
    "ReceivedOrder",
    "Shipped",
    "acknowledgment_obligations",
    "deadlines_frame",
    "deadlines_text",
    "estimate",
    "lookback_start",
    "obligations",
    "partners_with_deadlines",
    "shipment_obligations",
    "shipment_partners",
    "shipped_in_window",
    "shipped_invoices",
]
