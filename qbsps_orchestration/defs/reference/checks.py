"""The item cross-reference check: every line of an open inbound order must map to an active QBO
Item. Fails listing the lines that don't (with their codes' check-digit validity)."""

import dagster as dg

from ...lib.ledger import Direction
from ...lib.reference.unknown_items import UnknownItem, unknown_order_items
from ...lib.rsx import RsxError, read_rsx
from ...resources import LedgerResource, QbspsConfigResource
from .assets import REFERENCE_ASSETS


@dg.asset_check(asset=REFERENCE_ASSETS["Item"], description="Open inbound orders have no unmapped items.")
def open_orders_map_to_qbo_items(
    qbsps_config: QbspsConfigResource, ledger: LedgerResource
) -> dg.AssetCheckResult:
    config = qbsps_config.load()
    with ledger.open(actor="open_orders_map_to_qbo_items") as book:
        orders = []
        for doc in book.failed_documents(Direction.INBOUND):  # unmapped lines leave orders quarantined
            if doc.doc_type != "Order" or doc.current_version_id is None:
                continue
            try:
                orders += [
                    d.order
                    for d in read_rsx(
                        book.version(doc.current_version_id).payload,
                        source=doc.business_key,
                        doc_type="Order",
                    )
                    if d.order
                ]
            except RsxError:
                continue  # unreadable: reported by its own partition, not an item problem
        unknown = unknown_order_items(
            orders, config.item_crossref, qbo_items=book.reference_rows("Item", config.qbo.realm_id)
        )
    lines = [f"- {item.where}: {item.reason} ({_identifiers(item)})" for item in unknown]
    return dg.AssetCheckResult(
        passed=not unknown,
        metadata={"unmapped_lines": len(unknown), "lines": dg.MetadataValue.md("\n".join(lines) or "none")},
    )


def _identifiers(item: UnknownItem) -> str:
    parts = [
        f"buyer part {item.buyer_part_number}" if item.buyer_part_number else "",
        f"vendor part {item.vendor_part_number}" if item.vendor_part_number else "",
    ]
    parts += [
        f"{code.element} {code.value}" + ("" if code.valid else f" ({code.problem})") for code in item.codes
    ]
    return ", ".join(p for p in parts if p) or "no identifiers"
