import dagster as dg

from ...dagster_support.names import company_tags
from ..executor import one_step_batch_executor
from .assets import QBO_PURCHASE_ORDERS, SPS_ORDER_ACKS, SPS_PURCHASE_ORDERS

inbound_purchase_orders_job = dg.define_asset_job(
    "inbound_purchase_orders_job",
    tags=company_tags(),
    # Without the asset checks: they run in waiting_documents_job (a check step here would be one more
    # process per run, and skipped whenever the batch fails).
    selection=dg.AssetSelection.assets(
        SPS_PURCHASE_ORDERS, QBO_PURCHASE_ORDERS, SPS_ORDER_ACKS
    ).without_checks(),
    description="Fetch purchase order files from SPS, write them to QuickBooks, acknowledge them; "
    "one partition per file.",
    executor_def=one_step_batch_executor(),
)

order_acks_job = dg.define_asset_job(
    "order_acks_job",
    tags=company_tags(),
    selection=dg.AssetSelection.assets(SPS_ORDER_ACKS).without_checks(),
    description="Acknowledge orders again as QuickBooks has them now (a bookkeeper changed them); "
    "one partition per file, nothing fetched or written to QuickBooks.",
    executor_def=one_step_batch_executor(),
)
