"""The item cross-reference check: every line of an open inbound order must map to an active QBO
Item. Fails listing the lines that don't (with their codes' check-digit validity)."""

import dagster as dg

from ...lib.reference.unknown_items import describe_unknown, unknown_items_on_open_orders
from ...resources import LedgerResource, QbspsConfigResource
from .assets import REFERENCE_ASSETS


@dg.asset_check(asset=REFERENCE_ASSETS["Item"], description="Open inbound orders have no unmapped items.")
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
