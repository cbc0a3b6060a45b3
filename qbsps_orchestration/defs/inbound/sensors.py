"""sps_purchase_order_sensor: list the SPS orders folder, add a partition per new file, and ask for
one run over the new ones (single-run backfill policy). Files whose orders the ledger still owes to
QBO (stored, then the run died or QBO failed transiently) are requested again once their next try
is due, although they left the mailbox; the sensor only reads, the runs do the work."""

import os
import time
from datetime import UTC, datetime

import dagster as dg

from ...dagster_support.retry_requests import retry_run_requests
from ...dagster_support.run_requests import partition_run_requests
from ...lib.config import ConfigError, load_config
from ...lib.inbound.completion import unfinished_order_files
from ...lib.inbound.mailbox_watch import plan_poll
from ...resources import LedgerResource, QbspsConfigResource, SpsResource
from .assets import SPS_PURCHASE_ORDERS
from .jobs import inbound_purchase_orders_job
from .partitions import purchase_order_files

DEFAULT_INTERVAL_MINUTES = 5


def polling_interval_seconds() -> int:
    """From the config when it can be read at load time; Dagster fixes the interval per definition."""
    try:
        return load_config(os.environ.get("QBSPS_CONFIG") or None).polling.seconds
    except (ConfigError, OSError):
        return DEFAULT_INTERVAL_MINUTES * 60


def last_fetched(instance: dg.DagsterInstance, names: list[str]) -> dict[str, float]:
    """When each file was last fetched: its latest sps_purchase_orders materialization."""
    if not names:
        return {}
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=SPS_PURCHASE_ORDERS, asset_partitions=names), limit=len(names) * 4
    ).records
    fetched: dict[str, float] = {}
    for record in records:
        partition = record.partition_key
        if partition is not None:
            fetched[partition] = max(fetched.get(partition, 0.0), record.timestamp)
    return fetched


@dg.sensor(
    job=inbound_purchase_orders_job,
    minimum_interval_seconds=polling_interval_seconds(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Polls the SPS orders folder (cursor-paged listing) for new purchase order files.",
)
def sps_purchase_order_sensor(
    context: dg.SensorEvaluationContext,
    qbsps_config: QbspsConfigResource,
    sps: SpsResource,
    ledger: LedgerResource,
) -> dg.SensorResult:
    config = qbsps_config.load()
    folder = config.sps.folders.orders
    with sps.client() as client:
        present = [entry.name for entry in client.iter_files(folder)]
    ordered = context.instance.get_dynamic_partitions(purchase_order_files.name)
    known = set(ordered)
    plan = plan_poll(
        context.cursor,
        present,
        known,
        last_fetched(context.instance, [n for n in present if n in known]),
        now=time.time(),
    )
    if plan.deferred:
        context.log.info(f"{plan.deferred} more new files wait for the next poll")
    with ledger.open(actor="sps_purchase_order_sensor") as book:
        owed = unfinished_order_files(book, config, due_by=datetime.now(UTC))
    requested = {*plan.new_keys, *plan.redelivered}
    retry = [name for name in owed if name in known and name not in requested]
    if retry:
        context.log.info(f"{len(retry)} files with unfinished orders are due for another try")
    return dg.SensorResult(
        run_requests=[
            *partition_run_requests(
                "orders", plan.new_keys, plan.redelivered, plan.sequence, "sps_purchase_order_sensor"
            ),
            *retry_run_requests("orders", ordered, retry, "sps_purchase_order_sensor", time.time()),
        ],
        dynamic_partitions_requests=[purchase_order_files.build_add_request(plan.new_keys)]
        if plan.new_keys
        else [],
        cursor=plan.cursor,
    )
