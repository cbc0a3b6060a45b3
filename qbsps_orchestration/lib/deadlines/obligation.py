"""One document a partner is owed by a deadline, and where it stands at a given moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum


class DocumentKind(StrEnum):
    SHIP_NOTICE = "856"
    INVOICE = "810"
    ACKNOWLEDGMENT = "855"

    @property
    def label(self) -> str:
        return {"856": "ship notice (856)", "810": "invoice (810)", "855": "order acknowledgment (855)"}[
            self.value
        ]


class DeadlineState(StrEnum):
    OPEN = "open"  # not sent, due later than the warning window
    NEAR = "near"  # not sent, due within the partner's near_hours
    MISSED = "missed"  # not sent, past due
    MET = "met"  # sent (on time or not: a late one was alerted as missed while it was owed)


@dataclass(frozen=True)
class Obligation:
    trading_partner_id: str
    partner_name: str
    kind: DocumentKind
    po_number: str
    reference: str  # what it is about: the QBO invoice number, or the PO number for an 855
    due: datetime  # timezone-aware
    why: str  # how the due time was reached ("24 hours after ship date 2026-11-26")
    sent: bool
    near_window: timedelta
    chargeback: Decimal | None = None  # the estimate where the partner's rule gives one
    chargeback_rule: str | None = None  # the rule in words (when no number could be put on it)

    def state(self, now: datetime) -> DeadlineState:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if self.sent:
            return DeadlineState.MET
        if now >= self.due:
            return DeadlineState.MISSED
        if now >= self.due - self.near_window:
            return DeadlineState.NEAR
        return DeadlineState.OPEN

    @property
    def key(self) -> str:
        """Stable across ticks: one alert per obligation and state."""
        return f"{self.trading_partner_id}:{self.kind.value}:{self.po_number}:{self.reference}"
