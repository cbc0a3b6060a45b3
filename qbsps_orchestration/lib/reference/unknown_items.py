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

from .. import gs1
from ..config import AmbiguousItemError, ItemCrossReference, QboRef, QbspsConfig
from ..ledger import Direction, Ledger
from ..rsx import Order, OrderLine, RsxError, read_rsx

GS1_ELEMENTS = ("ConsumerPackageCode", "EAN", "GTIN", "UPCCaseCode")


@dataclass(frozen=True)
class LineCode:
    element: str  # the RSX element: ConsumerPackageCode, EAN, GTIN or UPCCaseCode
    value: str
    valid: bool
    problem: str | None = None  # why not valid: wrong check digit, or not a GS1 code at all


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
                    buyer_part_number=_clean(line.BuyerPartNumber),
                    vendor_part_number=_clean(line.VendorPartNumber),
                    codes=line_codes(line),
                    reason=reason,
                )
            )
    return found


def line_codes(line: OrderLine) -> tuple[LineCode, ...]:
    codes = []
    for element in GS1_ELEMENTS:
        value = _clean(getattr(line, element))
        if value is None:
            continue
        try:
            gs1.verify(value)
            codes.append(LineCode(element, value, True))
        except ValueError as exc:
            codes.append(LineCode(element, value, False, str(exc)))
    return tuple(codes)


def _unresolved(
    trading_partner_id: str, line: OrderLine, crossref: ItemCrossReference, known: _ItemIndex | None
) -> str | None:
    """Why the line has no QBO Item, or None when it has one."""
    try:
        match = crossref.resolve(
            trading_partner_id,
            upc=line.ConsumerPackageCode,
            gtin=line.GTIN or line.EAN,
            buyer_part_number=line.BuyerPartNumber,
            vendor_part_number=line.VendorPartNumber,
        )
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


def _clean(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def unknown_items_on_open_orders(ledger: Ledger, config: QbspsConfig) -> list[UnknownItem]:
    """Lines of inbound orders still waiting (failed or quarantined) whose item maps to no active QBO
    Item, judged against the ledger's Item snapshot. Unreadable orders are left to their own report."""
    orders = []
    for doc in ledger.failed_documents(Direction.INBOUND):
        if doc.doc_type != "Order" or doc.current_version_id is None:
            continue
        payload = ledger.version(doc.current_version_id).payload
        try:
            orders += [
                d.order for d in read_rsx(payload, source=doc.business_key, doc_type="Order") if d.order
            ]
        except RsxError:
            continue
    return unknown_order_items(
        orders, config.item_crossref, qbo_items=ledger.reference.rows("Item", config.qbo.realm_id)
    )


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
