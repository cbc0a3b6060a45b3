"""The item cross-reference as a table an operator can read: every QBO Item with the partner codes
configured for it and those seen on SPS orders, every code seen that maps to no item, and whether
each UPC/GTIN/EAN carries a correct check digit."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import AmbiguousItemError, QbspsConfig
from ..documents.order_lines import GS1_LINE_CODES, valid_gs1
from ..ledger import Direction, Ledger
from ..mapping.items import resolve_order_line
from ..rsx import RsxError, read_rsx

RECENT_ORDERS = 1000


@dataclass
class CrossReferenceRow:
    qbo_item: str  # "Name (Id)", or "-" for codes that map to no item
    configured: set[str] = field(default_factory=set)  # "SPSALLTESTID buyer SPSBuyerItem1", …
    seen: set[str] = field(default_factory=set)  # the same, from orders received
    bad_check_digits: set[str] = field(default_factory=set)


def cross_reference_table(config: QbspsConfig, ledger: Ledger) -> list[CrossReferenceRow]:
    items = {str(row["Id"]): row for row in ledger.reference.rows("Item", config.qbo.realm_id)}
    rows: dict[str, CrossReferenceRow] = {}

    def row_for(item_id: str | None, item_name: str | None) -> CrossReferenceRow:
        item = items.get(item_id or "") or next(
            (r for r in items.values() if r.get("Name") == item_name), None
        )
        label = (
            f"{item['Name']} ({item['Id']})"
            if item
            else (f"{item_name or item_id} (not in QBO)" if (item_id or item_name) else "-")
        )
        return rows.setdefault(label, CrossReferenceRow(label))

    crossref = config.item_crossref
    for partner in config.trading_partners:
        tp = partner.trading_partner_id
        for ref in dict.fromkeys(ref for _, ref in crossref.items_for_partner(tp)):
            row = row_for(ref.id, ref.name)
            for configured in crossref.rows_for_item(tp, item_id=ref.id, item_name=ref.name):
                row.configured |= _codes(
                    tp,
                    configured.buyer_part_number,
                    configured.vendor_part_number,
                    configured.upc,
                    configured.gtin,
                )
    for doc in ledger.recent_documents(Direction.INBOUND, "Order", RECENT_ORDERS):
        if doc.current_version_id is None or doc.business_key.startswith("unreadable:"):
            continue
        try:
            orders = [
                d.order
                for d in read_rsx(
                    ledger.version(doc.current_version_id).payload, source=doc.business_key, doc_type="Order"
                )
                if d.order
            ]
        except RsxError:
            continue
        for order in orders:
            tp = order.header.TradingPartnerId
            for line_item in order.LineItem:
                line = line_item.OrderLine
                try:
                    match = resolve_order_line(config.item_crossref, tp, line)
                except AmbiguousItemError:
                    match = None
                row = row_for(match.qbo_item.id, match.qbo_item.name) if match else row_for(None, None)
                row.seen |= _codes(
                    tp, line.BuyerPartNumber, line.VendorPartNumber, line.ConsumerPackageCode, line.GTIN
                )
                row.bad_check_digits |= {
                    f"{tp} {name} {code}"
                    for name in GS1_LINE_CODES
                    if (code := getattr(line, name)) and not valid_gs1(code)
                }
    return sorted(rows.values(), key=lambda r: (r.qbo_item == "-", r.qbo_item))


def _codes(tp: str, buyer: str | None, vendor: str | None, upc: str | None, gtin: str | None) -> set[str]:
    named = (("buyer", buyer), ("vendor", vendor), ("UPC", upc), ("GTIN", gtin))
    return {f"{tp} {kind} {value}" for kind, value in named if value}
