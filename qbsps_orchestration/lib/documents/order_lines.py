"""Which line of the retailer's order a QBO line item answers, and what to call the item.

Retailers match an 810/856 line to their PO line by LineSequenceNumber and by their own part
numbers, so the order line's identifiers win; the item cross-reference fills the gaps (and is all
there is when the order is unknown).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..gs1 import is_valid_gtin, pad_gtin14
from ..items import (
    GS1_LINE_CODES,
    AmbiguousItemError,
    ItemCrossReference,
    ItemIdentifiers,
    resolve_order_line,
)
from ..rsx import Order, OrderLine

# Identifier elements copied from the order line, in RSX order. UPCCaseCode is left out: it names
# the case, not the unit invoiced, and SPS's own samples carry case codes with bad check digits.
IDENTIFIER_ELEMENTS = ("BuyerPartNumber", "VendorPartNumber", "ConsumerPackageCode", "EAN", "GTIN")


def bad_gs1_codes(line: OrderLine | None) -> list[tuple[str, str]]:
    """``(element, code)`` the order sent with a wrong check digit. Retailers do send such codes
    (SPS's own sample orders have some). An outbound document never repeats an invalid GS1 key: it
    is left off (with a warning) and the line is known by its part numbers and remaining codes."""
    if line is None:
        return []
    return [
        (name, code) for name in GS1_LINE_CODES if (code := getattr(line, name)) and not is_valid_gtin(code)
    ]


@dataclass(frozen=True)
class ResolvedOrderLine:
    index: int  # position in order.LineItem
    line: OrderLine
    item_id: str | None
    item_name: str | None


def resolve_order_lines(
    order: Order, trading_partner_id: str, crossref: ItemCrossReference
) -> list[ResolvedOrderLine]:
    """Every order line with the QBO Item it maps to (None when unknown or ambiguous)."""
    resolved = []
    for index, line_item in enumerate(order.LineItem):
        line = line_item.OrderLine
        try:
            match = resolve_order_line(crossref, trading_partner_id, line)
        except AmbiguousItemError:
            match = None
        ref = match.qbo_item if match else None
        resolved.append(ResolvedOrderLine(index, line, ref.id if ref else None, ref.name if ref else None))
    return resolved


def take_order_line(
    candidates: list[ResolvedOrderLine], used: set[int], *, item_id: str | None, item_name: str | None
) -> ResolvedOrderLine | None:
    """The first order line of this QBO item not yet taken (marked taken now); when all are taken,
    the first of them again: QBO invoices may split one ordered line over several lines."""
    same = [
        c
        for c in candidates
        if (item_id is not None and c.item_id == item_id)
        or (item_name is not None and c.item_name == item_name)
    ]
    for candidate in same:
        if candidate.index not in used:
            used.add(candidate.index)
            return candidate
    return same[0] if same else None


def line_identifiers(order_line: OrderLine | None, known: ItemIdentifiers) -> dict[str, str]:
    """The identifier elements for an outbound line: the order's, completed from the cross-reference."""
    found: dict[str, str] = {}
    if order_line is not None:
        for name in IDENTIFIER_ELEMENTS:
            value = getattr(order_line, name)
            if value and value.strip() and (name not in GS1_LINE_CODES or is_valid_gtin(value.strip())):
                found[name] = value.strip()
    fallback = {
        "BuyerPartNumber": known.buyer_part_number,
        "VendorPartNumber": known.vendor_part_number,
        "ConsumerPackageCode": known.upc if known.upc and len(known.upc) == 12 else None,
        "GTIN": pad_gtin14(code) if (code := known.gtin or known.upc) else None,
    }
    for name, value in fallback.items():
        # A cross-reference row may accept a retailer's code with a wrong check digit
        # (verify_check_digit: false) to match orders; an outbound document never repeats it.
        if value and name not in found and (name not in GS1_LINE_CODES or is_valid_gtin(value)):
            found[name] = value
    return {name: found[name] for name in IDENTIFIER_ELEMENTS if name in found}
