"""Change detection for outbound documents, three ways into one inbox (the ledger dedups them):

- the webhook receiver (`qbsps webhooks serve`) stores QBO's events as they come;
- ``qbo_cdc_job`` (cdc.py), asked for by ``qbo_cdc_sensor``, polls QBO's CDC as the fallback;
- the hourly ``qbo_invoice_changes`` sweep (changes.py) catches anything else, and backfills.

``qbo_webhook_sensor`` turns pending inbox changes into invoice partitions and runs, within seconds.
It only reads and requests: the run that processed an invoice marks its changes handled, so a change
stays pending until then, and the sensor asks again once the run it requested failed or vanished.
"""

import time
from datetime import UTC, datetime

import dagster as dg

from ...dagster_support.change_requests import CHANGE_SENSOR_INTERVAL_SECONDS, change_run_requests
from ...dagster_support.retry_requests import retry_run_requests
from ...lib.outbound.completion import changed_invoice_keys, unfinished_invoice_keys
from ...resources import LedgerResource
from .jobs import outbound_documents_job
from .partitions import qbo_invoices


@dg.sensor(
    job=outbound_documents_job,
    minimum_interval_seconds=CHANGE_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Turns QBO invoice changes in the ledger inbox (webhook, CDC, sweep) into runs.",
)
def qbo_webhook_sensor(context: dg.SensorEvaluationContext, ledger: LedgerResource) -> dg.SensorResult:
    with ledger.open(actor="qbo_webhook_sensor") as book:
        keys = changed_invoice_keys(book)
    asked = change_run_requests(
        context.instance, context.cursor, keys, qbo_invoices.name, "invoices", "qbo_webhook_sensor"
    )
    with ledger.open(actor="qbo_webhook_sensor") as book:  # documents still owed to SPS, now due
        owed = unfinished_invoice_keys(book, due_by=datetime.now(UTC))
    ordered = context.instance.get_dynamic_partitions(qbo_invoices.name)
    retry = [key for key in owed if key in set(ordered) and key not in keys]
    return dg.SensorResult(
        run_requests=[
            *asked.run_requests,
            *retry_run_requests("invoices", ordered, retry, "qbo_webhook_sensor", time.time()),
        ],
        dynamic_partitions_requests=[qbo_invoices.build_add_request(asked.new_keys)]
        if asked.new_keys
        else [],
        cursor=asked.cursor,
    )
