"""What a QBO Invoice ships, per line of the ORIGINAL order.

A ship notice reports against the retailer's purchase order: its line numbers, part numbers and
ordered quantities. Each order line is resolved to a QBO Item through the item cross-reference,
exactly as the inbound flow booked it; an invoice line ships against the order lines that resolve
to its ItemRef. When several order lines carry the same item, the invoice quantity fills them in
order-line order up to each ordered quantity; any excess stays on the last of them, so the
over-shipment is visible (and blocked by the shipment rules) instead of silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ...config import QboRef
from ...items import AmbiguousItemError, ItemCrossReference, resolve_order_line
from ...rsx import Order, OrderLine

# QBO's built-in shipping-charge line (Invoice shipping enabled): money, not goods.
SHIPPING_ITEM_ID = "SHIPPING_ITEM_ID"


@dataclass
class ShippedLine:
    key: str  # the order's LineSequenceNumber, or the line's 1-based position when it has none
    order_line: OrderLine
    quantity: Decimal = Decimal(0)
    descriptions: list[str] = field(default_factory=list)  # from the invoice lines shipped on it


@dataclass
class LineMatch:
    lines: list[ShippedLine]  # every order line, shipped quantity 0 when nothing ships on it
    problems: list[tuple[str, str]]  # (path, reason)
    warnings: list[tuple[str, str]]

    @property
    def shipped(self) -> list[ShippedLine]:
        return [line for line in self.lines if line.quantity > 0]


def match_lines(invoice: dict[str, Any], order: Order, crossref: ItemCrossReference) -> LineMatch:
    """Allocate the invoice's item quantities to the order's lines."""
    trading_partner_id = order.header.TradingPartnerId
    problems: list[tuple[str, str]] = []
    warnings: list[tuple[str, str]] = []
    lines: list[ShippedLine] = []
    items: list[QboRef | None] = []
    for position, line_item in enumerate(order.LineItem, start=1):
        line = line_item.OrderLine
        key = (line.LineSequenceNumber or "").strip() or str(position)
        lines.append(ShippedLine(key=key, order_line=line))
        try:
            match = resolve_order_line(crossref, trading_partner_id, line)
        except AmbiguousItemError as exc:
            warnings.append((f"order LineItem[{position - 1}]", str(exc)))
            match = None
        items.append(match.qbo_item if match else None)

    unresolved = [line.key for line, item in zip(lines, items, strict=True) if item is None]
    for path, item_ref, quantity, description in _invoice_item_lines(invoice, problems):
        targets = [line for line, item in zip(lines, items, strict=True) if item and _same(item, item_ref)]
        if not targets:
            listed = ", ".join(unresolved)
            hint = f"; order lines that resolve to no single QBO item: {listed}" if unresolved else ""
            warnings.append(
                (
                    path,
                    f"item {_describe(item_ref)} is on no line of order {order.header.PurchaseOrderNumber}; "
                    f"left off the ship notice{hint}",
                )
            )
            continue
        for target in _allocate(targets, quantity):
            if description and description not in target.descriptions:
                target.descriptions.append(description)
    return LineMatch(lines, problems, warnings)


def _allocate(targets: list[ShippedLine], quantity: Decimal) -> list[ShippedLine]:
    """Fill `targets` in order up to their ordered quantities; returns the lines that got some."""
    remaining, touched = quantity, []
    for target in targets:
        ordered = target.order_line.OrderQty
        room = max(Decimal(0), (ordered if ordered is not None else remaining) - target.quantity)
        take = remaining if remaining <= room else room  # the invoice's own figure when it fits
        if take > 0:
            target.quantity += take
            remaining -= take
            touched.append(target)
        if remaining <= 0:
            return touched
    targets[-1].quantity += remaining  # over-shipped: kept visible for the shipment rules
    if targets[-1] not in touched:
        touched.append(targets[-1])
    return touched


def _invoice_item_lines(
    invoice: dict[str, Any], problems: list[tuple[str, str]]
) -> Iterator[tuple[str, dict[str, Any], Decimal, str | None]]:
    """(path, ItemRef, Qty, Description) of every goods line, bundles (GroupLineDetail) opened."""

    def walk(lines: Any, prefix: str) -> Iterator[tuple[str, dict[str, Any], Decimal, str | None]]:
        for index, line in enumerate(lines if isinstance(lines, list) else []):
            path = f"{prefix}[{index}]"
            if not isinstance(line, dict):
                continue
            if line.get("DetailType") == "GroupLineDetail":
                yield from walk(
                    (line.get("GroupLineDetail") or {}).get("Line"), f"{path}.GroupLineDetail.Line"
                )
                continue
            if line.get("DetailType") != "SalesItemLineDetail":
                continue  # subtotals, discounts, descriptions: no goods
            detail = line.get("SalesItemLineDetail") or {}
            item_ref = detail.get("ItemRef")
            if not isinstance(item_ref, dict) or not item_ref.get("value"):
                problems.append((f"{path}.SalesItemLineDetail.ItemRef", "missing; cannot tell what shipped"))
                continue
            if str(item_ref["value"]) == SHIPPING_ITEM_ID:
                continue
            quantity = _quantity(detail.get("Qty"))
            if quantity is None:
                problems.append(
                    (
                        f"{path}.SalesItemLineDetail.Qty",
                        "missing" if detail.get("Qty") is None else f"not a quantity: {detail['Qty']!r}",
                    )
                )
                continue
            if quantity < 0:
                problems.append((f"{path}.SalesItemLineDetail.Qty", f"negative quantity {quantity}"))
                continue
            if quantity > 0:
                description = line.get("Description")
                yield path, item_ref, quantity, description if isinstance(description, str) else None

    return walk(invoice.get("Line"), "Invoice.Line")


def _quantity(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        # str() first: a JSON float 2.1 must become Decimal("2.1"), not its binary expansion.
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return quantity if quantity.is_finite() else None


def _same(item: QboRef, item_ref: dict[str, Any]) -> bool:
    if item.id is not None:
        return item.id == str(item_ref.get("value"))
    return item.name is not None and item.name == item_ref.get("name")


def _describe(item_ref: dict[str, Any]) -> str:
    name = item_ref.get("name")
    return f"{name!r} (id {item_ref.get('value')})" if name else f"id {item_ref.get('value')}"
