"""qbo_order_change_sensor: a bookkeeper changed, in QuickBooks, an order that came from SPS.

The change waits in the ledger inbox (webhook, CDC, sweep); the sensor turns the orders' files into
runs of ``order_acks_job``, which acknowledges them again as QBO has them now (the updated 855 goes
out once, with its per-line changes in the partition's metadata) and marks the changes handled.
Like every sensor here it only reads and requests.
"""

import dagster as dg

from ...dagster_support.change_requests import CHANGE_SENSOR_INTERVAL_SECONDS, change_run_requests
from ...lib.inbound.order_changes import changed_order_files
from ...resources import LedgerResource, QbspsConfigResource
from .jobs import order_acks_job
from .partitions import purchase_order_files

TRIGGER = "qbo_order_change_sensor"


@dg.sensor(
    job=order_acks_job,
    minimum_interval_seconds=CHANGE_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Turns QBO changes to SPS orders (webhook, CDC, sweep) into runs that send the updated 855.",
)
def qbo_order_change_sensor(
    context: dg.SensorEvaluationContext, qbsps_config: QbspsConfigResource, ledger: LedgerResource
) -> dg.SensorResult:
    config = qbsps_config.load()
    with ledger.open(actor=TRIGGER) as book:
        files = changed_order_files(book, config)
    # A file whose partition retention pruned comes back as a new partition: the ledger has it all.
    asked = change_run_requests(
        context.instance, context.cursor, files, purchase_order_files.name, "acks", TRIGGER
    )
    return dg.SensorResult(
        run_requests=asked.run_requests,
        dynamic_partitions_requests=[purchase_order_files.build_add_request(asked.new_keys)]
        if asked.new_keys
        else [],
        cursor=asked.cursor,
    )
