"""RSX `PaymentTerms` from a QBO invoice's SalesTermRef name and DueDate.

QBO's standard terms are named like "Net 30", "Due on receipt" or "2% 10, Net 30"; the name is all
an Invoice carries (the Term entity is a separate read), so the common shapes are parsed and
anything else is sent as a description with the due date QBO computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..totals import cents

_DISCOUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*(\d+)\s*,?\s*(?:net\s*(\d+))?\s*$", re.IGNORECASE)
_NET = re.compile(r"^\s*net\s*(\d+)\s*(?:days?)?\s*$", re.IGNORECASE)
_ON_RECEIPT = re.compile(r"^\s*due\s+(?:on|upon)\s+receipt\s*$", re.IGNORECASE)

BASIC = "01"  # TermsType: basic
BASIC_DISCOUNT = "08"  # TermsType: basic discount offered
INVOICE_DATE = "3"  # TermsBasisDateCode: the terms run from the invoice date


@dataclass(frozen=True)
class Terms:
    data: dict[str, Any]
    discount_percent: Decimal | None  # for the amount due by the discount date


def payment_terms(name: str | None, *, invoice_date: str | None, due_date: str | None) -> Terms | None:
    """The PaymentTerms entry, or None when QBO gives neither a term nor a due date."""
    if not name and not due_date:
        return None
    data: dict[str, Any] = {"TermsType": BASIC, "TermsBasisDateCode": INVOICE_DATE}
    percent: Decimal | None = None
    net_days: int | None = None
    if name and (found := _DISCOUNT.match(name)):
        percent, discount_days = Decimal(found.group(1)), int(found.group(2))
        net_days = int(found.group(3)) if found.group(3) else None
        data["TermsType"] = BASIC_DISCOUNT
        data["TermsDiscountPercentage"] = percent
        data["TermsDiscountDueDays"] = discount_days
        if invoice_date:
            discount_date = date.fromisoformat(invoice_date) + timedelta(days=discount_days)
            data["TermsDiscountDate"] = discount_date.isoformat()
    elif name and (found := _NET.match(name)):
        net_days = int(found.group(1))
    elif name and _ON_RECEIPT.match(name):
        net_days = 0
    if due_date:
        data["TermsNetDueDate"] = due_date
        if invoice_date:
            net_days = (date.fromisoformat(due_date) - date.fromisoformat(invoice_date)).days
    if net_days is not None and net_days >= 0:
        data["TermsNetDueDays"] = net_days
    if name:
        data["TermsDescription"] = name
    return Terms(data, percent)


def discount_amount(terms: Terms | None, total: Decimal) -> Decimal:
    if terms is None or terms.discount_percent is None:
        return Decimal("0.00")
    return cents(total * terms.discount_percent / 100)
