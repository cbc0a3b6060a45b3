"""Change detection for outbound documents, three ways into one inbox (the ledger dedups them):

- the webhook receiver (`qbsps webhooks serve`) stores QBO's events as they come;
- ``qbo_cdc_sensor`` polls QBO's CDC as the fallback when a webhook is lost;
- the hourly ``qbo_invoice_changes`` sweep (changes.py) catches anything else, and backfills.

``qbo_webhook_sensor`` turns pending inbox changes into invoice partitions and runs, within seconds.
It only reads and requests: the run that processed an invoice marks its changes handled, so a change
stays pending until then, and the sensor asks again once the run it requested failed or vanished.
"""

import json
import time
from datetime import UTC, datetime, timedelta

import dagster as dg

from ...lib.changes import CDC_ENTITIES, poll_cdc
from ...lib.outbound.completion import unfinished_invoice_keys
from ...lib.outbound.flow import invoice_key
from ...resources import LedgerResource, QboResource, QbspsConfigResource
from ..change_requests import CHANGE_SENSOR_INTERVAL_SECONDS, change_run_requests
from ..inbound.sensors import polling_interval_seconds
from ..retry_requests import retry_run_requests
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
        changes = book.pending_changes(entity="Invoice", limit=500)
    keys = list(dict.fromkeys(invoice_key(change.entity_id) for change in changes))
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


@dg.sensor(
    minimum_interval_seconds=polling_interval_seconds(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Polls QBO change data capture for invoice and order changes a webhook missed (into "
    "the inbox).",
)
def qbo_cdc_sensor(
    context: dg.SensorEvaluationContext,
    qbsps_config: QbspsConfigResource,
    ledger: LedgerResource,
    qbo: QboResource,
) -> dg.SkipReason:
    state = json.loads(context.cursor) if context.cursor else {}
    realm = qbsps_config.load().qbo.realm_id
    with ledger.open(actor="qbo_cdc_sensor") as book, qbo.client(book) as client:
        poll = poll_cdc(
            book, client, realm, CDC_ENTITIES, state.get("since"), first_lookback=timedelta(hours=1)
        )
    context.update_cursor(json.dumps({"since": poll.cursor}))  # the changes are committed by now
    return dg.SkipReason(
        f"CDC since {poll.since.isoformat()}: {len(poll.events)} changes, {poll.new} waiting anew"
    )
