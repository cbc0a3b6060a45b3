"""One asset check per flow: the documents of that flow waiting for a person (the reason, the
field, what to do, how to run each again). They run in waiting_documents_job, not in the flows'
own jobs: a check there would be skipped exactly when its asset's step fails."""

import dagster as dg

from ...dagster_support.operator_schedules import scheduled_job
from ...dagster_support.waiting import waiting_check
from ...lib.ledger import Direction
from ...resources import LedgerResource
from ..inbound.assets import QBO_PURCHASE_ORDERS
from ..outbound.assets import SPS_INVOICES


def _waiting_check(
    asset: dg.AssetKey, name: str, direction: Direction, what: str
) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset,
        name=name,
        blocking=False,
        description=f"{what} that failed, were quarantined or are held: the reason, the field, what to "
        "do and how to run each again.",
    )
    def check(context: dg.AssetCheckExecutionContext, ledger: LedgerResource) -> dg.AssetCheckResult:
        return waiting_check(ledger, context, direction)

    return check


orders_waiting_for_a_person = _waiting_check(
    QBO_PURCHASE_ORDERS, "orders_waiting_for_a_person", Direction.INBOUND, "SPS orders"
)
outbound_documents_waiting_for_a_person = _waiting_check(
    SPS_INVOICES, "outbound_documents_waiting_for_a_person", Direction.OUTBOUND, "810s, 856s and 855s"
)


waiting_documents_job, waiting_documents_schedule = scheduled_job(
    "waiting_documents",
    dg.AssetSelection.checks(orders_waiting_for_a_person, outbound_documents_waiting_for_a_person),
    "List the documents of each flow that wait for a person (the flows' asset checks).",
    "*/15 * * * *",
)
