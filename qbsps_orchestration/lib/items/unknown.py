"""Order lines whose item is not known in QBO: what the item cross-reference check lists. Pure; no I/O.

A line is unknown when its identifiers match no cross-reference row, match rows of several items
(ambiguous), or match a row whose QBO Item is not among the company's active Items (when the
snapshot of Items is given). Each GS1 code on the line (UPC, EAN, GTIN, case UPC) is reported with
its check-digit validity: a wrong check digit usually means a typo on the retailer's side, which
no cross-reference row should paper over silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..rsx import Order, OrderLine
from ..values import QboRef
from .crossref import AmbiguousItemError, ItemCrossReference
from .lines import LineCode, clean, line_codes, resolve_order_line


@dataclass(frozen=True)
class UnknownItem:
    trading_partner_id: str
    purchase_order_number: str
    line_index: int  # position in the order's LineItem list, from 0
    line_sequence_number: str | None
    buyer_part_number: str | None
    vendor_part_number: str | None
    codes: tuple[LineCode, ...]
    reason: str

    @property
    def invalid_codes(self) -> tuple[LineCode, ...]:
        return tuple(code for code in self.codes if not code.valid)

    @property
    def where(self) -> str:
        line = self.line_sequence_number or str(self.line_index + 1)
        return f"{self.trading_partner_id} PO {self.purchase_order_number} line {line}"


def unknown_order_items(
    orders: Iterable[Order],
    crossref: ItemCrossReference,
    *,
    qbo_items: Iterable[Mapping[str, Any]] | None = None,
) -> list[UnknownItem]:
    """Every line of `orders` that resolves to no QBO Item, in order and line order.

    `qbo_items`: the company's active Items (e.g. ``ledger.reference.rows("Item", realm)``); when
    given, a cross-reference row naming an Item that is not among them counts as unknown too."""
    known = _ItemIndex(qbo_items) if qbo_items is not None else None
    found: list[UnknownItem] = []
    for order in orders:
        header = order.header
        for index, line_item in enumerate(order.LineItem):
            line = line_item.OrderLine
            reason = _unresolved(header.TradingPartnerId, line, crossref, known)
            if reason is None:
                continue
            found.append(
                UnknownItem(
                    trading_partner_id=header.TradingPartnerId,
                    purchase_order_number=header.PurchaseOrderNumber,
                    line_index=index,
                    line_sequence_number=line.LineSequenceNumber,
                    buyer_part_number=clean(line.BuyerPartNumber),
                    vendor_part_number=clean(line.VendorPartNumber),
                    codes=line_codes(line),
                    reason=reason,
                )
            )
    return found


def _unresolved(
    trading_partner_id: str, line: OrderLine, crossref: ItemCrossReference, known: _ItemIndex | None
) -> str | None:
    """Why the line has no QBO Item, or None when it has one."""
    try:
        match = resolve_order_line(crossref, trading_partner_id, line)
    except AmbiguousItemError as exc:
        return str(exc)
    if match is None:
        return "no item cross-reference row matches the line's identifiers"
    if known is not None and not known.has(match.qbo_item):
        return (
            f"the cross-reference ({match.source}, by {match.matched_on}) names QBO Item "
            f"{match.qbo_item}, which is not an active Item in QBO"
        )
    return None


class _ItemIndex:
    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self._ids: set[str] = set()
        self._names: set[str] = set()
        for row in rows:
            self._ids.add(str(row.get("Id")))
            for field in ("Name", "FullyQualifiedName"):
                if isinstance(row.get(field), str):
                    self._names.add(row[field].casefold())  # QBO item names are unique ignoring case

    def has(self, ref: QboRef) -> bool:
        if ref.id is not None:
            return ref.id in self._ids
        return ref.name is not None and ref.name.casefold() in self._names


def describe_unknown(item: UnknownItem) -> str:
    """One line for an operator: where, why, and every identifier the retailer sent."""
    parts = [
        f"buyer part {item.buyer_part_number}" if item.buyer_part_number else "",
        f"vendor part {item.vendor_part_number}" if item.vendor_part_number else "",
    ]
    parts += [
        f"{code.element} {code.value}" + ("" if code.valid else f" ({code.problem})") for code in item.codes
    ]
    return f"{item.where}: {item.reason} ({', '.join(p for p in parts if p) or 'no identifiers'})"
