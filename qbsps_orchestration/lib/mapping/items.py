"""Which QBO Item an RSX order line is: one rule for inbound mapping and outbound documents."""

from __future__ import annotations

from ..config import ItemCrossReference, ItemMatch
from ..rsx import OrderLine


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
