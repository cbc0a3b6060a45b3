"""The item cross-reference against what the ledger holds: a table an operator can read (every QBO
Item with the partner codes configured for it and those seen on SPS orders, every code seen that
maps to no item, and whether each UPC/GTIN/EAN carries a correct check digit), and the lines of
open inbound orders whose item maps to no active QBO Item. The matching itself is `lib.items`'."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..config import QbspsConfig
from ..items import (
    AmbiguousItemError,
    UnknownItem,
    line_codes,
    resolve_order_line,
    unknown_order_items,
)
from ..ledger import Direction, DocumentRecord, Ledger
from ..rsx import Order, RsxError, read_rsx

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
    for order in _orders(ledger, ledger.recent_documents(Direction.INBOUND, "Order", RECENT_ORDERS)):
        tp = order.header.TradingPartnerId
        for line_item in order.LineItem:
            line = line_item.OrderLine
            try:
                match = resolve_order_line(crossref, tp, line)
            except AmbiguousItemError:
                match = None
            row = row_for(match.qbo_item.id, match.qbo_item.name) if match else row_for(None, None)
            row.seen |= _codes(
                tp, line.BuyerPartNumber, line.VendorPartNumber, line.ConsumerPackageCode, line.GTIN
            )
            row.bad_check_digits |= {
                f"{tp} {code.element} {code.value}" for code in line_codes(line) if not code.valid
            }
    return sorted(rows.values(), key=lambda r: (r.qbo_item == "-", r.qbo_item))


def unknown_items_on_open_orders(ledger: Ledger, config: QbspsConfig) -> list[UnknownItem]:
    """Lines of inbound orders still waiting (failed or quarantined) whose item maps to no active QBO
    Item, judged against the ledger's Item snapshot. Unreadable orders are left to their own report."""
    waiting = [doc for doc in ledger.failed_documents(Direction.INBOUND) if doc.doc_type == "Order"]
    return unknown_order_items(
        _orders(ledger, waiting),
        config.item_crossref,
        qbo_items=ledger.reference.rows("Item", config.qbo.realm_id),
    )


def _orders(ledger: Ledger, documents: Iterable[DocumentRecord]) -> list[Order]:
    """The orders in the current version of each inbound document; unreadable ones are skipped."""
    orders: list[Order] = []
    for doc in documents:
        if doc.current_version_id is None or doc.business_key.startswith("unreadable:"):
            continue
        payload = ledger.version(doc.current_version_id).payload
        try:
            orders += [
                d.order for d in read_rsx(payload, source=doc.business_key, doc_type="Order") if d.order
            ]
        except RsxError:
            continue
    return orders


def _codes(tp: str, buyer: str | None, vendor: str | None, upc: str | None, gtin: str | None) -> set[str]:
    named = (("buyer", buyer), ("vendor", vendor), ("UPC", upc), ("GTIN", gtin))
    return {f"{tp} {kind} {value}" for kind, value in named if value}
