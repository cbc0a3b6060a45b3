"""The `reconciliation` asset (lib/reconcile decides; this reads the resources and reports): the
findings as a table in the UI, a CSV beside the config, and one asset check per kind of finding,
failing with its open rows. Materialized every morning by reconciliation_schedule, or on demand."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import dagster as dg

from ...dagster_support.names import QBO_API, SPS_API, asset_key, pool_for
from ...dagster_support.operator_schedules import scheduled_job
from ...dagster_support.table_metadata import markdown_table, rows_check
from ...lib.reconcile import KINDS, default_csv_path, findings_frame, reconcile
from ...lib.tables import write_csv
from ...resources import LedgerResource, QboResource, QbspsConfigResource, SpsResource, open_connector

RECONCILIATION = asset_key("reconciliation")  # prefixed by the company in a deployment of several
HISTORY_DAYS = 30  # how far back SPS history is read


def _check_name(kind: str) -> str:
    return f"no_{kind}"


@dg.asset(
    key=RECONCILIATION,
    group_name="operator",
    description="Does QuickBooks agree with SPS? Every SPS order has its QBO document with the same "
    "total; every partner invoice was sent and accepted (SPS history); every shipped invoice has its "
    "856; every order its 855 where the partner wants one; orphans on either side.",
    check_specs=[
        dg.AssetCheckSpec(name=_check_name(kind), asset=RECONCILIATION, description=f"none: {what}")
        for kind, what in KINDS.items()
    ],
    pool=pool_for(QBO_API, SPS_API),  # reads QBO and SPS history
)
def reconciliation(
    context: dg.AssetExecutionContext,
    qbsps_config: QbspsConfigResource,
    ledger: LedgerResource,
    sps: SpsResource,
    qbo: QboResource,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    config = qbsps_config.load()
    now = datetime.now(UTC)
    with open_connector(ledger, sps, qbo, actor="reconciliation", run_id=context.run.run_id) as (
        book,
        sps_api,
        qbo_api,
    ):
        findings = reconcile(config, book, qbo_api, sps_api, since=now - timedelta(days=HISTORY_DAYS))
    frame = findings_frame(findings)
    path = write_csv(frame, default_csv_path(config.source_path, now.strftime("%Y-%m-%dT%H%M%SZ")))
    counts = {kind: int((frame["kind"] == kind).sum()) for kind in KINDS}
    yield dg.MaterializeResult(
        metadata={
            "findings": dg.MetadataValue.int(len(frame)),
            **{kind: dg.MetadataValue.int(count) for kind, count in counts.items()},
            "table": dg.MetadataValue.md(markdown_table(frame)),
            "csv": dg.MetadataValue.path(str(path)),
        }
    )
    for kind in KINDS:
        rows = frame[frame["kind"] == kind].drop(columns="kind")
        described = f"{len(rows)} open: {KINDS[kind]}" if len(rows) else f"none: {KINDS[kind]}"
        yield rows_check(_check_name(kind), rows, described, counted="open")


reconciliation_job, reconciliation_schedule = scheduled_job(
    "reconciliation",
    dg.AssetSelection.assets(RECONCILIATION),
    "Compare QuickBooks with SPS (the reconciliation asset and its checks).",
    "0 6 * * *",
)
