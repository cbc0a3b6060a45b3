"""Invoice (810) arithmetic, in Decimal, to the cent.

TotalSalesAmount is the sum of the lines' ExtendedItemTotal; TotalAmount = TotalSalesAmount −
header allowances + header charges + header taxes (the arithmetic of SPS's own samples). The
builder fills the Summary with these, and the rules recompute them from what the document says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class InvoiceTotals:
    sales: Decimal  # Σ ExtendedItemTotal
    allowances: Decimal  # Σ header ChargesAllowances with indicator A
    charges: Decimal  # Σ header ChargesAllowances with indicator C
    taxes: Decimal  # Σ header Taxes
    line_count: int

    @property
    def total(self) -> Decimal:
        return cents(self.sales - self.allowances + self.charges + self.taxes)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)  # as QuickBooks rounds amounts


def as_decimal(value: Any) -> Decimal | None:
    """A number from an RSX tree (Decimal or int), or None when absent or not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None


def shown(value: Decimal) -> str:
    """A quantity or price as people write it in a message: 5.0 → 5, 19.990 → 19.99."""
    return format(value.normalize(), "f")


def extended_total(qty: Decimal, price: Decimal) -> Decimal:
    return cents(qty * price)


def invoice_totals(data: dict[str, Any]) -> InvoiceTotals:
    header = data.get("Header") if isinstance(data.get("Header"), dict) else {}
    lines = data.get("LineItem") if isinstance(data.get("LineItem"), list) else []
    sales = sum(
        (as_decimal(_invoice_line(line).get("ExtendedItemTotal")) or ZERO for line in lines),
        ZERO,
    )
    allowances, charges = ZERO, ZERO
    for entry in _entries(header.get("ChargesAllowances")):
        amount = as_decimal(entry.get("AllowChrgAmt")) or ZERO
        if entry.get("AllowChrgIndicator") == "A":
            allowances += amount
        elif entry.get("AllowChrgIndicator") == "C":
            charges += amount
    taxes = sum((as_decimal(e.get("TaxAmount")) or ZERO for e in _entries(header.get("Taxes"))), ZERO)
    return InvoiceTotals(cents(sales), cents(allowances), cents(charges), cents(taxes), len(lines))


def summary(totals: InvoiceTotals, *, terms_discount: Decimal) -> dict[str, Any]:
    """The Summary group; zero allowances/charges/taxes are left out rather than written as 0."""
    out: dict[str, Any] = {"TotalAmount": totals.total, "TotalSalesAmount": totals.sales}
    if totals.allowances:
        out["TotalAllowancesAmount"] = totals.allowances
    if totals.charges:
        out["TotalChargesAmount"] = totals.charges
    if totals.charges or totals.taxes:
        out["TotalTaxesAndCharges"] = cents(totals.charges + totals.taxes)
    if terms_discount:
        out["TotalTermsDiscountAmount"] = terms_discount
    out["TotalLineItemNumber"] = totals.line_count
    out["InvoiceAmtDueByTermsDate"] = cents(totals.total - terms_discount)
    return out


def _invoice_line(line: Any) -> dict[str, Any]:
    if isinstance(line, dict) and isinstance(line.get("InvoiceLine"), dict):
        return line["InvoiceLine"]
    return {}


def _entries(value: Any) -> Iterable[dict[str, Any]]:
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []
