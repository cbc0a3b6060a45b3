"""sps_item_registries: every partner's ItemRegistry (832 catalog / 846 inventory advice), uploaded
after each items refresh and on schedule; unchanged content is never re-sent."""

from datetime import UTC, datetime

import dagster as dg

from ...lib.documents.schemas import RsxSchemas
from ...lib.outbound.registries import send_item_registries
from ...resources import LedgerResource, QboResource, QbspsConfigResource, SpsResource, open_connector
from ..names import QBO_API, SPS_API, pool_for
from ..outbound_metadata import sent_metadata
from .assets import GROUP_REFERENCE, REFERENCE_ASSETS
from .crossref import ITEM_CROSS_REFERENCE


@dg.asset(
    deps=[REFERENCE_ASSETS["Item"], ITEM_CROSS_REFERENCE],
    group_name=GROUP_REFERENCE,
    kinds={"sps"},
    pool=pool_for(QBO_API, SPS_API),  # reads QBO items, uploads to SPS
    description="Each trading partner's RSX ItemRegistry (832 catalog, 846 inventory advice) in SPS in/.",
)
def sps_item_registries(
    context: dg.AssetExecutionContext,
    qbsps_config: QbspsConfigResource,
    ledger: LedgerResource,
    sps: SpsResource,
    qbo: QboResource,
) -> dg.MaterializeResult:
    config = qbsps_config.load()
    with open_connector(ledger, sps, qbo, actor="sps_item_registries", run_id=context.run.run_id) as (
        book,
        sps_api,
        qbo_api,
    ):
        results = send_item_registries(
            config, book, qbo_api, sps_api, RsxSchemas.from_environment(), today=datetime.now(UTC).date()
        )
    failed = [r for r in results if r.failed]
    if failed:
        raise dg.Failure(
            description=f"{len(failed)} of {len(results)} item registries were not sent",
            metadata={
                "reasons": dg.MetadataValue.md("\n".join(f"- {p}" for r in failed for p in r.problems))
            },
        )
    return dg.MaterializeResult(metadata=sent_metadata(results))


item_registries_job = dg.define_asset_job(
    "item_registries_job", selection=[REFERENCE_ASSETS["Item"], ITEM_CROSS_REFERENCE, sps_item_registries.key]
)
item_registries_daily_schedule = dg.ScheduleDefinition(
    name="item_registries_daily_schedule",
    job=item_registries_job,
    cron_schedule="30 5 * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every morning: refresh items from QBO, then send catalogs and inventory advice.",
)
