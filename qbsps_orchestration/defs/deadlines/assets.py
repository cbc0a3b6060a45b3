"""The `deadlines` asset (lib/deadlines decides; this reads the resources and reports): every 855,
856 and 810 a trading partner with a `deadlines:` block is owed, missed first, as a table in the
UI, and a check that warns while any is missed. The same table as `qbsps deadlines`. Materialized
hourly by deadlines_schedule, or on demand; deadline_alert_sensor sends the alerts in between."""

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime

import dagster as dg

from ...dagster_support.names import QBO_API, asset_key, pool_for
from ...dagster_support.operator_schedules import scheduled_job
from ...dagster_support.table_metadata import markdown_table, rows_check
from ...lib.deadlines import (
    DeadlineState,
    deadlines_frame,
    obligations,
    partners_with_deadlines,
    shipped_in_window,
)
from ...resources import LedgerResource, QboResource, QbspsConfigResource

DEADLINES = asset_key("deadlines")  # prefixed by the company in a deployment of several
NO_MISSED = "no_missed_deadline"


@dg.asset(
    key=DEADLINES,
    group_name="operator",
    description="Every ship notice (856), invoice (810) and order acknowledgment (855) a trading "
    "partner with a deadlines: block is owed, with its due time, how it was reached and the "
    "estimated chargeback: missed first, then near, open and met.",
    check_specs=[
        dg.AssetCheckSpec(
            name=NO_MISSED, asset=DEADLINES, description="no partner's 855, 856 or 810 is past its deadline"
        )
    ],
    pool=pool_for(QBO_API),  # reads QBO's shipped invoices
)
def deadlines(
    context: dg.AssetExecutionContext,
    qbsps_config: QbspsConfigResource,
    ledger: LedgerResource,
    qbo: QboResource,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    config = qbsps_config.load()
    now = datetime.now(UTC)
    with ledger.open(actor="deadlines", run_id=context.run.run_id) as book, ExitStack() as stack:
        # QBO is opened only when a shipment deadline needs its invoices.
        shipped = shipped_in_window(config, book, lambda: stack.enter_context(qbo.client(book)), now)
        frame = deadlines_frame(obligations(config, book, shipped, now), now)
    counts = frame["state"].value_counts()
    watched = bool(partners_with_deadlines(config))
    yield dg.MaterializeResult(
        metadata={
            "watched": dg.MetadataValue.int(len(frame)),
            **{state.value: dg.MetadataValue.int(int(counts.get(state.value, 0))) for state in DeadlineState},
            "table": dg.MetadataValue.md(
                markdown_table(frame)
                if watched
                else "no trading partner has a deadlines: block in the config"
            ),
        }
    )
    missed = frame[frame["state"] == DeadlineState.MISSED.value]
    description = f"{len(missed)} missed" if len(missed) else "none missed"
    yield rows_check(NO_MISSED, missed, description, counted="missed")


deadlines_job, deadlines_schedule = scheduled_job(
    "deadlines",
    dg.AssetSelection.assets(DEADLINES),
    "Every document owed by a partner's deadline, and where it stands (the deadlines asset).",
    "5 * * * *",
)
