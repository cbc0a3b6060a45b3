"""item_cross_reference: QBO Items joined with every partner code configured for them and seen on
SPS orders, and the codes that map to no item; its check fails, listing the lines, when an open
inbound order has an item no QBO Item maps to."""

import json

import dagster as dg

from ...dagster_support.document_metadata import table_metadata
from ...dagster_support.lineage import rows_version
from ...dagster_support.names import asset_key
from ...lib.items import describe_unknown
from ...lib.reference.crossref import cross_reference_table, unknown_items_on_open_orders
from ...lib.reference.tables import cross_reference_frame
from ...resources import LedgerResource, QbspsConfigResource
from .assets import GROUP_REFERENCE, REFERENCE_ASSETS

ITEM_CROSS_REFERENCE = asset_key("item_cross_reference")


@dg.asset(
    key=ITEM_CROSS_REFERENCE,
    deps=[REFERENCE_ASSETS["Item"]],
    group_name=GROUP_REFERENCE,
    kinds={"quickbooks", "sps"},
    description="QBO Items with every part number and UPC/GTIN configured for them and seen on SPS orders.",
)
def item_cross_reference(qbsps_config: QbspsConfigResource, ledger: LedgerResource) -> dg.MaterializeResult:
    with ledger.open(actor="item_cross_reference") as book:
        rows = cross_reference_table(qbsps_config.load(), book)
    unmapped = next((r for r in rows if r.qbo_item == "-"), None)
    frame = cross_reference_frame(rows)
    lines = (json.dumps(record, sort_keys=True, default=str) for record in frame.to_dict("records"))
    return dg.MaterializeResult(
        data_version=dg.DataVersion(rows_version(lines)),  # the same table, the same version
        metadata={
            "items": dg.MetadataValue.int(sum(1 for r in rows if r.qbo_item != "-")),
            "unmapped_codes": dg.MetadataValue.int(len(unmapped.seen) if unmapped else 0),
            "bad_check_digits": dg.MetadataValue.int(sum(len(r.bad_check_digits) for r in rows)),
            "table": table_metadata(frame),
        },
    )


@dg.asset_check(asset=ITEM_CROSS_REFERENCE, description="Open inbound orders have no unmapped items.")
def open_orders_map_to_qbo_items(
    qbsps_config: QbspsConfigResource, ledger: LedgerResource
) -> dg.AssetCheckResult:
    with ledger.open(actor="open_orders_map_to_qbo_items") as book:
        unknown = unknown_items_on_open_orders(book, qbsps_config.load())
    lines = [f"- {describe_unknown(item)}" for item in unknown]
    return dg.AssetCheckResult(
        passed=not unknown,
        metadata={"unmapped_lines": len(unknown), "lines": dg.MetadataValue.md("\n".join(lines) or "none")},
    )
