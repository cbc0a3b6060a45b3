"""An RSX order line against the cross-reference: which QBO Item it is, one rule for inbound mapping,
outbound documents and the reference checks; and the GS1 codes it carries, each with its check."""

from __future__ import annotations

from dataclasses import dataclass

from .. import gs1
from ..rsx import OrderLine
from .crossref import ItemCrossReference, ItemMatch

# The order line's product codes that are GS1 keys with a check digit (RSX element names).
GS1_LINE_CODES = ("ConsumerPackageCode", "EAN", "GTIN", "UPCCaseCode")


def resolve_order_line(
    crossref: ItemCrossReference, trading_partner_id: str, line: OrderLine
) -> ItemMatch | None:
    """The cross-reference match for a line by its UPC, GTIN (or EAN), buyer and vendor part numbers.
    Raises AmbiguousItemError when the identifiers point at more than one item."""
    return crossref.resolve(
        trading_partner_id,
        upc=line.ConsumerPackageCode,
        gtin=line.GTIN or line.EAN,
        buyer_part_number=line.BuyerPartNumber,
        vendor_part_number=line.VendorPartNumber,
    )


@dataclass(frozen=True)
class LineCode:
    element: str  # the RSX element: ConsumerPackageCode, EAN, GTIN or UPCCaseCode
    value: str
    valid: bool
    problem: str | None = None  # why not valid: wrong check digit, or not a GS1 code at all


def line_codes(line: OrderLine) -> tuple[LineCode, ...]:
    """Each GS1 code on the line with its validity as a GTIN (length, check digit; a wrong check
    digit is usually the retailer's typo, which no cross-reference row should paper over silently).
    `valid` is `gs1.is_valid_gtin`, the rule outbound documents use to leave a code off."""
    codes = []
    for element in GS1_LINE_CODES:
        value = clean(getattr(line, element))
        if value is None:
            continue
        try:
            gs1.normalize_gtin14(value)
            codes.append(LineCode(element, value, True))
        except ValueError as exc:
            codes.append(LineCode(element, value, False, str(exc)))
    return tuple(codes)


def clean(value: str | None) -> str | None:
    """A line's identifier stripped, or None when blank."""
    return value.strip() if value and value.strip() else None
