"""Recompute an order's total from its lines and compare it with Summary.TotalAmount.

Buyers' stated totals are not always right (several SPS samples disagree with their own lines),
so the books use computed numbers and a human gets a warning naming the document when the two
differ. Pure Decimal arithmetic; nothing is rounded until the comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .order import Order
from .segments import ChargeAllowance

ZERO = Decimal("0")
CENT = Decimal("0.01")
_HUNDRED = Decimal("100")
# Price bases that mean "per OrderQtyUOM" whatever the unit; others must match the unit.
_PER_UNIT_BASES = frozenset({"PE", "UM"})
_BASIS_UNIT = {"CA": "CA", "PD": "DZ"}


@dataclass(frozen=True)
class AdjustmentSum:
    allowances: Decimal = ZERO  # A: subtracted
    charges: Decimal = ZERO  # C: added

    @property
    def net(self) -> Decimal:
        return self.charges - self.allowances


@dataclass(frozen=True)
class OrderTotals:
    document: str  # how warnings name the order, e.g. "PO PO584615-1 (partner SPSALLTESTID)"
    merchandise_total: Decimal  # sum of OrderQty x PurchasePrice
    line_adjustments: AdjustmentSum
    header_adjustments: AdjustmentSum
    computed_total: Decimal
    stated_total: Decimal | None  # Summary.TotalAmount as sent
    notes: tuple[str, ...] = field(default=())  # assumptions made while computing
    tolerance: Decimal = Decimal("0.005")  # half a cent: stated totals are rounded to cents

    @property
    def discrepancy(self) -> Decimal | None:
        """stated - computed, or None when they agree or nothing was stated."""
        if self.stated_total is None:
            return None
        difference = self.stated_total - self.computed_total
        return None if abs(difference) < self.tolerance else difference

    @property
    def matches(self) -> bool:
        return self.discrepancy is None

    @property
    def warning(self) -> str | None:
        """A sentence for a human when the stated total is not what the lines add up to."""
        difference = self.discrepancy
        if difference is None or self.stated_total is None:
            return None
        computed = self.computed_total.quantize(CENT, rounding=ROUND_HALF_UP)
        parts = [f"merchandise {self.merchandise_total}"]
        for label, adjustments in (("line", self.line_adjustments), ("header", self.header_adjustments)):
            if adjustments.allowances:
                parts.append(f"- {label} allowances {adjustments.allowances}")
            if adjustments.charges:
                parts.append(f"+ {label} charges {adjustments.charges}")
        return (
            f"{self.document}: Summary.TotalAmount {self.stated_total} differs from the computed total "
            f"{computed} ({' '.join(parts)}) by {difference:+}"
        )


def order_totals(order: Order, *, document: str | None = None) -> OrderTotals:
    """Totals of `order`; `document` overrides how the warning names it (e.g. the file name)."""
    header = order.Header.OrderHeader
    name = document or f"PO {header.PurchaseOrderNumber} (partner {header.TradingPartnerId})"
    notes: list[str] = []
    merchandise = ZERO
    line_allowances = line_charges = ZERO
    for index, item in enumerate(order.LineItem):
        line = item.OrderLine
        where = f"LineItem[{index}]"
        if line.OrderQty is None or line.PurchasePrice is None:
            missing = "OrderQty" if line.OrderQty is None else "PurchasePrice"
            notes.append(f"{where} has no {missing}; counted as 0")
            extended = ZERO
        else:
            extended = line.OrderQty * line.PurchasePrice
            basis = line.PurchasePriceBasis
            if basis and basis not in _PER_UNIT_BASES and _BASIS_UNIT.get(basis) != line.OrderQtyUOM:
                notes.append(f"{where}: price basis {basis} with unit {line.OrderQtyUOM} taken as per unit")
        if line.ExtendedItemTotal is not None and line.ExtendedItemTotal != extended:
            notes.append(f"{where}: ExtendedItemTotal {line.ExtendedItemTotal} is not qty x price {extended}")
        merchandise += extended
        sums = _adjustments(item.ChargesAllowances, basis=extended, where=where, notes=notes)
        line_allowances += sums.allowances
        line_charges += sums.charges
    line_sum = AdjustmentSum(line_allowances, line_charges)
    header_sum = _adjustments(
        order.Header.ChargesAllowances, basis=merchandise + line_sum.net, where="Header", notes=notes
    )
    summary = order.Summary
    return OrderTotals(
        document=name,
        merchandise_total=merchandise,
        line_adjustments=line_sum,
        header_adjustments=header_sum,
        computed_total=merchandise + line_sum.net + header_sum.net,
        stated_total=summary.TotalAmount if summary else None,
        notes=tuple(notes),
    )


def _adjustments(
    entries: Sequence[ChargeAllowance], *, basis: Decimal, where: str, notes: list[str]
) -> AdjustmentSum:
    allowances = charges = ZERO
    for index, entry in enumerate(entries):
        path = f"{where}.ChargesAllowances[{index}]"
        amount = _amount(entry, basis=basis, path=path, notes=notes)
        if entry.AllowChrgIndicator == "A":
            allowances += amount
        elif entry.AllowChrgIndicator == "C":
            charges += amount
        elif amount:
            notes.append(
                f"{path}: indicator {entry.AllowChrgIndicator!r} neither adds nor subtracts {amount}"
            )
    return AdjustmentSum(allowances, charges)


def _amount(entry: ChargeAllowance, *, basis: Decimal, path: str, notes: list[str]) -> Decimal:
    """AllowChrgAmt if given; else AllowChrgPercent of PercentDollarBasis (or of the line or
    merchandise total); else AllowChrgRate x AllowChrgQty."""
    by_percent = None
    if entry.AllowChrgPercent is not None:
        dollar_basis = entry.PercentDollarBasis if entry.PercentDollarBasis is not None else basis
        by_percent = dollar_basis * entry.AllowChrgPercent / _HUNDRED
    if entry.AllowChrgAmt is not None:
        if by_percent is not None and abs(by_percent - entry.AllowChrgAmt) >= Decimal("0.005"):
            percent = entry.AllowChrgPercent
            notes.append(f"{path}: AllowChrgAmt {entry.AllowChrgAmt} used; {percent}% would be {by_percent}")
        return entry.AllowChrgAmt
    if by_percent is not None:
        return by_percent
    if entry.AllowChrgRate is not None and entry.AllowChrgQty is not None:
        return entry.AllowChrgRate * entry.AllowChrgQty
    if entry.AllowChrgIndicator in ("A", "C"):
        notes.append(f"{path}: no amount, percent or rate given; counted as 0")
    return ZERO
