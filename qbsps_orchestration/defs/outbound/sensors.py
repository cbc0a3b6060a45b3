"""Change detection for outbound documents, three ways into one inbox (the ledger dedups them):

- the webhook receiver (`qbsps webhooks serve`) stores QBO's events as they come;
- ``qbo_cdc_sensor`` polls QBO's CDC as the fallback when a webhook is lost;
- the hourly ``qbo_invoice_changes`` sweep (changes.py) catches anything else, and backfills.

``qbo_webhook_sensor`` turns pending inbox changes into invoice partitions and runs, within seconds.
"""

import json
from datetime import UTC, datetime, timedelta

import dagster as dg

from ...lib.changes import from_cdc
from ...lib.outbound.flow import invoice_key
from ...resources import LedgerResource, QboResource, QbspsConfigResource
from ..inbound.sensors import polling_interval_seconds
from ..run_requests import partition_run_requests
from .jobs import outbound_documents_job
from .partitions import qbo_invoices

WEBHOOK_SENSOR_INTERVAL_SECONDS = 5
CDC_OVERLAP = timedelta(minutes=2)  # QBO's clock and ours differ a little; the inbox dedups overlap
CDC_LOOKBACK_LIMIT = timedelta(days=29)  # CDC refuses changedSince older than 30 days


@dg.sensor(
    job=outbound_documents_job,
    minimum_interval_seconds=WEBHOOK_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Turns QBO invoice changes in the ledger inbox (webhook, CDC, sweep) into runs.",
)
def qbo_webhook_sensor(context: dg.SensorEvaluationContext, ledger: LedgerResource) -> dg.SensorResult:
    sequence = int(context.cursor or 0) + 1
    with ledger.open(actor="qbo_webhook_sensor") as book:
        changes = book.pending_changes(entity="Invoice", limit=500)
        keys = list(dict.fromkeys(invoice_key(change.entity_id) for change in changes))
        known = set(context.instance.get_dynamic_partitions(qbo_invoices.name))
        new = [key for key in keys if key not in known]
        existing = [key for key in keys if key in known]
        if changes:
            book.mark_changes_handled([change.id for change in changes])
    return dg.SensorResult(
        run_requests=partition_run_requests("invoices", new, existing, sequence, "qbo_webhook_sensor"),
        dynamic_partitions_requests=[qbo_invoices.build_add_request(new)] if new else [],
        cursor=str(sequence),
    )


@dg.sensor(
    minimum_interval_seconds=polling_interval_seconds(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Polls QBO change data capture for invoice changes a webhook missed (into the inbox).",
)
def qbo_cdc_sensor(
    context: dg.SensorEvaluationContext,
    qbsps_config: QbspsConfigResource,
    ledger: LedgerResource,
    qbo: QboResource,
) -> dg.SkipReason:
    now = datetime.now(UTC)
    state = json.loads(context.cursor) if context.cursor else {}
    since = datetime.fromisoformat(state["since"]) if "since" in state else now - timedelta(hours=1)
    since = max(since, now - CDC_LOOKBACK_LIMIT)
    realm = qbsps_config.load().qbo.realm_id
    with ledger.open(actor="qbo_cdc_sensor") as book, qbo.client(book) as client:
        events = from_cdc(client.cdc(["Invoice"], since), realm)
        new = book.record_changes(events)
    context.update_cursor(json.dumps({"since": (now - CDC_OVERLAP).isoformat()}))
    return dg.SkipReason(
        f"CDC since {since.isoformat()}: {len(events)} invoice changes, {new} not seen before"
    )
