"""qbo_vendors, qbo_customers, qbo_items, qbo_accounts: the ledger's snapshots of QBO reference data.

Each run refreshes incrementally through CDC since the last refresh, or fully (every row, inactive
ones included) when tagged ``qbsps/full_refresh=true`` — the daily schedule does that — or when no
refresh is recorded yet. The UI shows row counts, a preview and what changed since the last run.
"""

from collections.abc import Iterator

import dagster as dg

from ...dagster_support.document_metadata import table_metadata
from ...dagster_support.lineage import rows_version
from ...dagster_support.names import QBO_API, TAG_FULL_REFRESH, asset_key, company_tags, pool_for
from ...lib.config import QbspsConfig
from ...lib.reference.profiles import refresh_profiles
from ...lib.reference.snapshot import refresh_since_last
from ...lib.reference.tables import preview_frame
from ...resources import LedgerResource, QboResource, QbspsConfigResource
from ..executor import document_batch_executor
from .partitions import all_partners_tags, sync_partner_partitions

GROUP_REFERENCE = "qbo_reference"
REFERENCE_ASSETS = {
    "Vendor": asset_key("qbo_vendors"),
    "Customer": asset_key("qbo_customers"),
    "Item": asset_key("qbo_items"),
    "Account": asset_key("qbo_accounts"),
}
PREVIEW_ROWS = 20
PREVIEW_FIELDS = {
    "Vendor": ("Id", "DisplayName", "CompanyName", "AcctNum", "Active"),
    "Customer": ("Id", "DisplayName", "CompanyName", "Active"),
    "Item": ("Id", "Name", "Sku", "Type", "UnitPrice", "QtyOnHand", "Active"),
    "Account": ("Id", "Name", "AccountType", "Active"),
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name=GROUP_REFERENCE,
            kinds={"quickbooks"},
            skippable=True,
            description=f"QBO {entity} rows with their SyncTokens, kept in the ledger for lookups.",
        )
        for entity, key in REFERENCE_ASSETS.items()
    ],
    can_subset=True,
    pool=pool_for(QBO_API),
)
def qbo_reference_data(
    context: dg.AssetExecutionContext,
    qbsps_config: QbspsConfigResource,
    ledger: LedgerResource,
    qbo: QboResource,
) -> Iterator[dg.MaterializeResult]:
    config = qbsps_config.load()
    realm = config.qbo.realm_id
    full = context.run.tags.get(TAG_FULL_REFRESH) == "true"
    results: dict[dg.AssetKey, dict[str, dg.MetadataValue]] = {}
    versions: dict[dg.AssetKey, str] = {}  # the rows by Id and SyncToken: unchanged rows, same version
    with (
        ledger.open(actor="qbo_reference_data", run_id=context.run.run_id) as book,
        qbo.client(book) as client,
    ):
        for entity, key in REFERENCE_ASSETS.items():
            if key not in context.selected_asset_keys:
                continue
            diff, since = refresh_since_last(client, book, realm, entity, full=full)
            rows = book.reference.rows(entity, realm)
            versions[key] = rows_version(f"{row.get('Id')}:{row.get('SyncToken')}" for row in rows)
            results[key] = {
                "rows": dg.MetadataValue.int(len(rows)),
                "refresh": dg.MetadataValue.text(
                    "full" if since is None else f"CDC since {since.isoformat()}"
                ),
                "changes": dg.MetadataValue.text(diff.summary),
                **{name: dg.MetadataValue.int(count) for name, count in diff.counts.items()},
                "preview": table_metadata(preview_frame(rows, PREVIEW_FIELDS[entity], PREVIEW_ROWS)),
            }
        parties = [k for k in (REFERENCE_ASSETS["Vendor"], REFERENCE_ASSETS["Customer"]) if k in results]
        if parties:  # vendor/customer changes flow into the partner profiles used for routing
            changes = refresh_profiles(config, book)
            results[parties[0]]["partner_profiles"] = dg.MetadataValue.md(
                "\n".join(f"- {change}" for change in changes) or "unchanged"
            )
    for key, metadata in results.items():
        yield dg.MaterializeResult(
            asset_key=key, metadata=metadata, data_version=dg.DataVersion(versions[key])
        )


# Every refresh also rebuilds the cross-reference and re-evaluates the item registries, so items that
# change in QBO reach SPS within one CDC interval (unchanged registries are not sent again): the
# schedules bring the partner partitions up to date with the config and run over all of them.
# The part of the job without partitions: what a run needs when no partner receives registries.
UNPARTITIONED_REFERENCE = [*REFERENCE_ASSETS.values(), asset_key("item_cross_reference")]
qbo_reference_job = dg.define_asset_job(
    "qbo_reference_job",
    tags=company_tags(),
    selection=[*UNPARTITIONED_REFERENCE, asset_key("sps_item_registries")],
    executor_def=document_batch_executor(),
)


def _reference_run(
    context: dg.ScheduleEvaluationContext, config: QbspsConfig, tags: dict[str, str]
) -> dg.RunRequest:
    """A refresh, then the registries of every partner that receives them (all partitions, one run)."""
    keys = sync_partner_partitions(context.instance, config)
    if keys:
        return dg.RunRequest(tags={**tags, **all_partners_tags(keys)})
    return dg.RunRequest(tags=tags, asset_selection=UNPARTITIONED_REFERENCE)


@dg.schedule(
    job=qbo_reference_job,
    cron_schedule="15 3 * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Full refresh of the QBO reference snapshots every night.",
)
def qbo_reference_daily_schedule(
    context: dg.ScheduleEvaluationContext, qbsps_config: QbspsConfigResource
) -> dg.RunRequest:
    return _reference_run(context, qbsps_config.load(), {TAG_FULL_REFRESH: "true"})


@dg.schedule(
    job=qbo_reference_job,
    cron_schedule="*/15 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Incremental refresh through QBO change data capture every 15 minutes.",
)
def qbo_reference_cdc_schedule(
    context: dg.ScheduleEvaluationContext, qbsps_config: QbspsConfigResource
) -> dg.RunRequest:
    return _reference_run(context, qbsps_config.load(), {})
