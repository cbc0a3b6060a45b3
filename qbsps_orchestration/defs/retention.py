"""partition_retention_sensor: forget finished document partitions after `retention.partition_days`.

It reads (the partition lists, the runs in flight, the ledger) and requests the deletions; which
partitions go is lib/retention.py's decision. Never one a queued or running run is on.
"""

from datetime import UTC, datetime

import dagster as dg

from ..dagster_support.change_requests import IN_FLIGHT
from ..dagster_support.names import RANGE_END, RANGE_START
from ..lib.retention import prunable_partitions
from ..resources import LedgerResource, QbspsConfigResource
from .inbound.partitions import purchase_order_files
from .outbound.partitions import qbo_invoices

RETENTION_INTERVAL_SECONDS = 3600
PARTITION_TAG = "dagster/partition"


def busy_partitions(instance: dg.DagsterInstance, *orders: list[str]) -> set[str]:
    """Keys a queued or running run is on: its own partition, or every key of its range in the
    partition list (``orders``: each dynamic partition list, in order) that holds both ends."""
    busy: set[str] = set()
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=list(IN_FLIGHT))):
        tags = run.tags
        if PARTITION_TAG in tags:
            busy.add(tags[PARTITION_TAG])
        start, end = tags.get(RANGE_START), tags.get(RANGE_END)
        for ordered in orders:
            if start in ordered and end in ordered:
                busy.update(ordered[ordered.index(start) : ordered.index(end) + 1])
    return busy


@dg.sensor(
    minimum_interval_seconds=RETENTION_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Removes finished file and invoice partitions older than retention.partition_days "
    "from Dagster's lists (the ledger keeps every document and its audit trail).",
)
def partition_retention_sensor(
    context: dg.SensorEvaluationContext, qbsps_config: QbspsConfigResource, ledger: LedgerResource
) -> dg.SensorResult | dg.SkipReason:
    config = qbsps_config.load()
    files = context.instance.get_dynamic_partitions(purchase_order_files.name)
    invoices = context.instance.get_dynamic_partitions(qbo_invoices.name)
    busy = busy_partitions(context.instance, files, invoices)
    with ledger.open(actor="partition_retention_sensor") as book:
        prunable = prunable_partitions(
            book, config, order_files=files, invoice_keys=invoices, busy=busy, now=datetime.now(UTC)
        )
    if not prunable:
        return dg.SkipReason(f"nothing finished more than {config.retention.partition_days} days ago")
    requests = []
    if prunable.order_files:
        requests.append(purchase_order_files.build_delete_request(prunable.order_files))
    if prunable.invoice_keys:
        requests.append(qbo_invoices.build_delete_request(prunable.invoice_keys))
    context.log.info(
        f"pruning {len(prunable.order_files)} file and {len(prunable.invoice_keys)} invoice partitions"
    )
    return dg.SensorResult(dynamic_partitions_requests=requests)
