"""qbo_cdc_job: QBO change data capture into the ledger inbox, the fallback for lost webhooks.

The poll runs as a job (in the QBO pool, with its own logs and retries in the UI), never inside the
daemon: ``qbo_cdc_sensor`` only asks for a run every polling interval, unless one is still going.
The cursor lives in the ledger, shared with `qbsps sync outbound` (lib/change_polls.py poll_changes).
"""

import dagster as dg

from ...dagster_support.change_requests import IN_FLIGHT
from ...dagster_support.names import QBO_API, company_tags, pool_for
from ...lib.change_polls import poll_changes
from ...resources import LedgerResource, QboResource, QbspsConfigResource
from ..inbound.sensors import polling_interval_seconds

CDC_JOB = "qbo_cdc_job"


@dg.op(pool=pool_for(QBO_API), description="One CDC poll of QBO invoices and orders into the ledger inbox.")
def poll_qbo_cdc(
    context: dg.OpExecutionContext,
    qbsps_config: QbspsConfigResource,
    ledger: LedgerResource,
    qbo: QboResource,
) -> None:
    realm = qbsps_config.load().qbo.realm_id
    with ledger.open(actor="qbo_cdc_job", run_id=context.run.run_id) as book, qbo.client(book) as client:
        poll = poll_changes(book, client, realm)
    context.log.info(
        f"CDC since {poll.since.isoformat()}: {len(poll.events)} changes, {poll.new} waiting anew"
    )


@dg.job(
    name=CDC_JOB,
    tags=company_tags(),
    description="Poll QBO change data capture (invoices, orders) into the ledger inbox.",
)
def qbo_cdc_job() -> None:
    poll_qbo_cdc()


@dg.sensor(
    job=qbo_cdc_job,
    minimum_interval_seconds=polling_interval_seconds(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Asks for a QBO CDC poll (qbo_cdc_job) every polling interval: the fallback for lost "
    "webhooks.",
)
def qbo_cdc_sensor(context: dg.SensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    running = context.instance.get_runs(
        filters=dg.RunsFilter(job_name=CDC_JOB, statuses=list(IN_FLIGHT)), limit=1
    )
    if running:
        return dg.SkipReason(f"the last CDC poll ({running[0].run_id}) is still queued or running")
    return dg.RunRequest()
