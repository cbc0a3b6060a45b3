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

from ...lib.changes import poll_cdc
from ...lib.outbound.completion import unfinished_invoice_keys
from ...lib.outbound.flow import invoice_key
from ...resources import LedgerResource, QboResource, QbspsConfigResource
from ..inbound.sensors import polling_interval_seconds
from ..retry_requests import retry_run_requests
from ..run_requests import partition_run_requests
from .jobs import outbound_documents_job
from .partitions import qbo_invoices

WEBHOOK_SENSOR_INTERVAL_SECONDS = 5
RUN_KEY_TAG = "dagster/run_key"  # set by Dagster on every run a sensor's RunRequest launched
IN_FLIGHT = frozenset(
    {
        dg.DagsterRunStatus.QUEUED,
        dg.DagsterRunStatus.NOT_STARTED,
        dg.DagsterRunStatus.STARTING,
        dg.DagsterRunStatus.STARTED,
        dg.DagsterRunStatus.CANCELING,
        dg.DagsterRunStatus.MANAGED,
    }
)


def _requested(cursor: str | None) -> tuple[int, dict[str, str]]:
    """The tick sequence and, per partition key, the run key last requested for its changes. (An
    older cursor is the bare sequence number.)"""
    if not cursor:
        return 0, {}
    if cursor.isdigit():
        return int(cursor), {}
    state = json.loads(cursor)
    return int(state["sequence"]), dict(state.get("requested", {}))


def _in_flight(instance: dg.DagsterInstance, run_key: str) -> bool:
    runs = instance.get_runs(filters=dg.RunsFilter(tags={RUN_KEY_TAG: run_key}), limit=1)
    return any(run.status in IN_FLIGHT for run in runs)


@dg.sensor(
    job=outbound_documents_job,
    minimum_interval_seconds=WEBHOOK_SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Turns QBO invoice changes in the ledger inbox (webhook, CDC, sweep) into runs.",
)
def qbo_webhook_sensor(context: dg.SensorEvaluationContext, ledger: LedgerResource) -> dg.SensorResult:
    previous, requested = _requested(context.cursor)
    sequence = previous + 1
    with ledger.open(actor="qbo_webhook_sensor") as book:
        changes = book.pending_changes(entity="Invoice", limit=500)
    keys = list(dict.fromkeys(invoice_key(change.entity_id) for change in changes))
    # A key whose run is still queued or running waits for it; after it failed or vanished (or
    # finished while a newer change came in) the key is requested again, under a new run key.
    asked = {requested[key] for key in keys if key in requested}
    live = {run_key for run_key in asked if _in_flight(context.instance, run_key)}  # one query per run
    waiting = {key: requested[key] for key in keys if requested.get(key) in live}
    wanted = [key for key in keys if key not in waiting]
    known = set(context.instance.get_dynamic_partitions(qbo_invoices.name))
    new = [key for key in wanted if key not in known]
    existing = [key for key in wanted if key in known]
    change_requests = partition_run_requests("invoices", new, existing, sequence, "qbo_webhook_sensor")
    for request in change_requests:
        for key in [request.partition_key] if request.partition_key else new:
            waiting[key] = request.run_key or ""
    with ledger.open(actor="qbo_webhook_sensor") as book:  # documents still owed to SPS, now due
        owed = unfinished_invoice_keys(book, due_by=datetime.now(UTC))
    ordered = context.instance.get_dynamic_partitions(qbo_invoices.name)
    retry = [key for key in owed if key in set(ordered) and key not in keys]
    return dg.SensorResult(
        run_requests=[
            *change_requests,
            *retry_run_requests("invoices", ordered, retry, "qbo_webhook_sensor", time.time()),
        ],
        dynamic_partitions_requests=[qbo_invoices.build_add_request(new)] if new else [],
        cursor=json.dumps({"sequence": sequence, "requested": waiting}),
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
    state = json.loads(context.cursor) if context.cursor else {}
    realm = qbsps_config.load().qbo.realm_id
    with ledger.open(actor="qbo_cdc_sensor") as book, qbo.client(book) as client:
        poll = poll_cdc(
            book, client, realm, ["Invoice"], state.get("since"), first_lookback=timedelta(hours=1)
        )
    context.update_cursor(json.dumps({"since": poll.cursor}))  # the changes are committed by now
    return dg.SkipReason(
        f"CDC since {poll.since.isoformat()}: {len(poll.events)} invoice changes, {poll.new} waiting anew"
    )
