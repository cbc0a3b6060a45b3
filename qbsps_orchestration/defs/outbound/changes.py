"""qbo_invoice_changes: the hourly sweep of QBO invoices (and of the purchase orders and estimates
SPS orders became) by MetaData.LastUpdatedTime.

A missed window is backfilled like any Dagster backfill (select the hours, materialize); what it
finds goes to the same inbox as webhooks and CDC, which dedups it.
"""

import dagster as dg

from ...dagster_support.names import QBO_API, asset_key, company_tags, pool_for
from ...lib.change_polls import sweep_changes
from ...resources import LedgerResource, QboResource, QbspsConfigResource
from .partitions import change_hours

QBO_INVOICE_CHANGES = asset_key("qbo_invoice_changes")


@dg.asset(
    key=QBO_INVOICE_CHANGES,
    partitions_def=change_hours,
    group_name="qbo_changes",
    kinds={"quickbooks"},
    pool=pool_for(QBO_API),
    description="QBO invoices and orders changed in each hour (LastUpdatedTime), recorded in the ledger "
    "inbox.",
)
def qbo_invoice_changes(
    context: dg.AssetExecutionContext,
    qbsps_config: QbspsConfigResource,
    ledger: LedgerResource,
    qbo: QboResource,
) -> dg.MaterializeResult:
    window = context.partition_time_window
    realm = qbsps_config.load().qbo.realm_id
    with (
        ledger.open(actor="qbo_invoice_changes", run_id=context.run.run_id) as book,
        qbo.client(book) as client,
    ):
        sweep = sweep_changes(book, client, realm, window.start, window.end)
    return dg.MaterializeResult(
        metadata={
            "window": f"{window.start.isoformat()} – {window.end.isoformat()}",
            "changes": len(sweep.events),
            "new_changes": sweep.new,
        }
    )


qbo_invoice_changes_job = dg.define_asset_job(
    "qbo_invoice_changes_job", selection=[qbo_invoice_changes], tags=company_tags()
)
qbo_invoice_changes_schedule = dg.build_schedule_from_partitioned_job(
    qbo_invoice_changes_job,
    name="qbo_invoice_changes_schedule",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
