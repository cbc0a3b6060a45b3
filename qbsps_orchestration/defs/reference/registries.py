"""sps_item_registries: each partner's ItemRegistry (832 catalog / 846 inventory advice), one
partition per trading partner, uploaded after each items refresh and on schedule; unchanged content
is never re-sent. Re-materialize one partner's partition to send only that partner's registries.

Lineage: a partition's data version is the sha256 of the bytes SPS got (several registries: of
theirs), built from the latest qbo_items and item_cross_reference.
"""

from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg

from ...dagster_support.batch_failure import batch_failure
from ...dagster_support.document_metadata import sent_metadata
from ...dagster_support.lineage import combined, document_tags, latest
from ...dagster_support.names import QBO_API, SPS_API, asset_key, company_tags, pool_for
from ...lib.config import QbspsConfig, TradingPartner, UnknownTradingPartnerError
from ...lib.documents.schemas import RsxSchemas
from ...lib.outbound.registries import send_item_registries
from ...lib.outbound.send import SendResult
from ...resources import LedgerResource, QboResource, QbspsConfigResource, SpsResource, open_connector
from ..executor import document_batch_executor
from .assets import GROUP_REFERENCE, REFERENCE_ASSETS
from .crossref import ITEM_CROSS_REFERENCE
from .partitions import all_partners_tags, item_registry_partners, sync_partner_partitions

SPS_ITEM_REGISTRIES = asset_key("sps_item_registries")
UPSTREAM = (REFERENCE_ASSETS["Item"], ITEM_CROSS_REFERENCE)


@dg.asset(
    key=SPS_ITEM_REGISTRIES,
    deps=list(UPSTREAM),
    partitions_def=item_registry_partners,
    backfill_policy=dg.BackfillPolicy.single_run(),
    output_required=False,
    group_name=GROUP_REFERENCE,
    kinds={"sps"},
    pool=pool_for(QBO_API, SPS_API),  # reads QBO items, uploads to SPS
    description="Each trading partner's RSX ItemRegistry (832 catalog, 846 inventory advice) in SPS in/, "
    "one partition per partner.",
)
def sps_item_registries(
    context: dg.AssetExecutionContext,
    qbsps_config: QbspsConfigResource,
    ledger: LedgerResource,
    sps: SpsResource,
    qbo: QboResource,
) -> Iterator[dg.AssetMaterialization]:
    config = qbsps_config.load()
    keys = context.partition_keys
    partners, failed = _partners(config, keys)
    with open_connector(ledger, sps, qbo, actor="sps_item_registries", run_id=context.run.run_id) as (
        book,
        sps_api,
        qbo_api,
    ):
        results = send_item_registries(
            config,
            book,
            qbo_api,
            sps_api,
            RsxSchemas.from_environment(),
            today=datetime.now(UTC).date(),
            partners=partners,
        )
    upstream = [latest(context.instance, key, None, observed=False) for key in UPSTREAM]
    for partner in partners:  # one materialization per partner whose registries all went out
        key = partner.trading_partner_id
        mine = [r for r in results if r.trading_partner_id == key]
        if problems := [p for r in mine if r.failed for p in (r.problems or (f"{r.doc_type} {r.outcome}",))]:
            failed.append((key, "; ".join(problems)))
            continue
        yield dg.AssetMaterialization(
            SPS_ITEM_REGISTRIES,
            partition=key,
            metadata=sent_metadata(mine),
            tags=document_tags(context, _version(mine), upstream),
        )
    if failed:
        raise batch_failure("trading partners' item registries", failed, len(keys))


def _partners(config: QbspsConfig, keys: list[str]) -> tuple[list[TradingPartner], list[tuple[str, str]]]:
    partners, failed = [], []
    for key in keys:
        try:
            partner = config.partner(key)
        except UnknownTradingPartnerError as exc:
            failed.append((key, f"trading partner {key}: {exc}"))
            continue
        if partner.item_registries:
            partners.append(partner)
        else:
            failed.append((key, f"trading partner {key}: item_registries is empty in the config"))
    return partners, failed


def _version(results: list[SendResult]) -> str:
    return combined([r.content_hash for r in results if r.content_hash]) if results else "none"


item_registries_job = dg.define_asset_job(
    "item_registries_job",
    tags=company_tags(),
    selection=[REFERENCE_ASSETS["Item"], ITEM_CROSS_REFERENCE, SPS_ITEM_REGISTRIES],
    executor_def=document_batch_executor(),
)


@dg.schedule(
    job=item_registries_job,
    cron_schedule="30 5 * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every morning: refresh items from QBO, then send every partner's catalog and inventory "
    "advice.",
)
def item_registries_daily_schedule(
    context: dg.ScheduleEvaluationContext, qbsps_config: QbspsConfigResource
) -> dg.RunRequest | dg.SkipReason:
    keys = sync_partner_partitions(context.instance, qbsps_config.load())
    if not keys:
        return dg.SkipReason("no trading partner is configured to receive item registries")
    return dg.RunRequest(tags=all_partners_tags(keys))
