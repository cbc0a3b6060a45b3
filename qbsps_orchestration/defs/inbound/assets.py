"""sps_purchase_orders (fetch, validate, store raw, remove from the mailbox) and qbo_purchase_orders
(map and upsert), on one dynamic partition per SPS file.

One op serves both assets so a run over many files keeps going past a bad one: each file that
succeeds gets its own materialization, reported as soon as its group of up to 30 files is done (a
group's new orders go to QBO in one /batch call; a killed run keeps the groups it finished); at
the end the step fails if any file failed, which leaves exactly those partitions failed (each
observed first with its reason, for its partition page: dagster_support/waiting_partitions.py).
Re-materializing a partition replays that file from the ledger.

Lineage: a file's orders are versioned by the ledger's content hash (sps_purchase_orders), the QBO
documents written from them by their Id and SyncToken (qbo_purchase_orders, built from those
orders), the 855s by the sha256 of the bytes uploaded (sps_order_acks, built from the QBO version
read for them: a bookkeeper's change shows as a QBO version qbsps did not write).
"""

from collections.abc import Iterator

import dagster as dg

from ...dagster_support.batch_failure import batch_failure
from ...dagster_support.document_metadata import sent_metadata
from ...dagster_support.inbound_metadata import fetched_metadata, synced_metadata
from ...dagster_support.lineage import (
    Upstream,
    combined,
    document_tags,
    latest_storage_ids,
    qbo_version,
    recorded_by_partition,
)
from ...dagster_support.names import GROUP_INBOUND, QBO_API, SPS_API, TAG_RESEND, asset_key, pool_for
from ...dagster_support.waiting_partitions import waiting_observations
from ...lib.documents.schemas import RsxSchemas
from ...lib.inbound.batch import FileOutcome, Steps
from ...lib.inbound.passes import inbound_pass, running_ahead
from ...lib.ledger.reports import WaitingDocument
from ...lib.outbound.send import QboVersion
from ...resources import LedgerResource, QboResource, QbspsConfigResource, SpsResource, open_connector
from .partitions import purchase_order_files

SPS_PURCHASE_ORDERS = asset_key("sps_purchase_orders")
QBO_PURCHASE_ORDERS = asset_key("qbo_purchase_orders")
SPS_ORDER_ACKS = asset_key("sps_order_acks")


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            SPS_PURCHASE_ORDERS,
            partitions_def=purchase_order_files,
            group_name=GROUP_INBOUND,
            kinds={"sps"},
            skippable=True,
            description="Retailer purchase orders (RSX 850) fetched from the SPS mailbox, "
            "validated and stored raw in the ledger; removed from the mailbox once stored.",
        ),
        dg.AssetSpec(
            QBO_PURCHASE_ORDERS,
            deps=[SPS_PURCHASE_ORDERS],
            partitions_def=purchase_order_files,
            group_name=GROUP_INBOUND,
            kinds={"quickbooks"},
            skippable=True,
            description="The same orders as QuickBooks PurchaseOrders (or Estimates, per partner): one QBO "
            "document per trading partner and PO number.",
        ),
        dg.AssetSpec(
            SPS_ORDER_ACKS,
            deps=[QBO_PURCHASE_ORDERS],
            partitions_def=purchase_order_files,
            group_name=GROUP_INBOUND,
            kinds={"sps"},
            skippable=True,
            description="Order acknowledgments (RSX 855) uploaded to SPS for partners that want them, once "
            "the order landed in QuickBooks; checked before sending, never sent twice.",
        ),
    ],
    partitions_def=purchase_order_files,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=True,
    pool=pool_for(QBO_API, SPS_API),  # fetches and acknowledges on SPS, writes to QBO
)
def inbound_purchase_orders(
    context: dg.AssetExecutionContext,
    qbsps_config: QbspsConfigResource,
    ledger: LedgerResource,
    sps: SpsResource,
    qbo: QboResource,
) -> Iterator[dg.AssetMaterialization | dg.AssetObservation]:
    fetch = SPS_PURCHASE_ORDERS in context.selected_asset_keys
    sync = QBO_PURCHASE_ORDERS in context.selected_asset_keys
    acks = RsxSchemas.from_environment() if SPS_ORDER_ACKS in context.selected_asset_keys else None
    config = qbsps_config.load()
    names = context.partition_keys
    failed = []
    with open_connector(ledger, sps, qbo, actor="inbound_purchase_orders", run_id=context.run.run_id) as (
        book,
        sps_api,
        qbo_api,
    ):
        resend = context.run.tags.get(TAG_RESEND) == "true"
        files = inbound_pass(config, book, sps_api, qbo_api, names, Steps(fetch, sync, acks, resend))
        # The pass writes the ledger and calls the APIs on a thread of its own; this one only
        # reports each finished group (one QBO /batch) to Dagster, file by file.
        with running_ahead(files) as groups:
            for group in groups:
                yield from _materializations(
                    context, group.outcomes, fetch=fetch, sync=sync, acks=acks is not None
                )
                for outcome in group.outcomes:
                    if outcome.error:
                        failed.append(outcome)
                        context.log.error(outcome.error)
                        yield from _waiting(context, outcome, group.waiting[outcome.name])
    if failed:
        raise batch_failure("purchase order files", [(o.name, o.error or "") for o in failed], len(names))


def _materializations(
    context: dg.AssetExecutionContext, outcomes: list[FileOutcome], *, fetch: bool, sync: bool, acks: bool
) -> Iterator[dg.AssetMaterialization]:
    """A group's materializations, asset by asset, each with its data version and what it was built
    from (the upstream events of the whole group are looked up at once)."""
    instance = context.instance
    orders = {
        o.name: combined([d.content_hash for d in o.fetched or o.synced if d.content_hash]) for o in outcomes
    }
    for outcome in outcomes if fetch else []:
        if outcome.fetch_ok:
            yield dg.AssetMaterialization(
                SPS_PURCHASE_ORDERS,
                partition=outcome.name,
                metadata={
                    **fetched_metadata(outcome),
                    "content_hash": dg.MetadataValue.text(orders[outcome.name]),
                },
                tags=document_tags(context, orders[outcome.name], []),
            )
    written = [o for o in outcomes if sync and o.sync_ok]
    sources = recorded_by_partition(instance, SPS_PURCHASE_ORDERS, {o.name: orders[o.name] for o in written})
    for outcome in written:
        version = combined([qbo_version(v) for v in _qbo_versions(outcome)])
        yield dg.AssetMaterialization(
            QBO_PURCHASE_ORDERS,
            partition=outcome.name,
            metadata={**synced_metadata(outcome), "built_from": dg.MetadataValue.text(orders[outcome.name])},
            tags=document_tags(context, version, [sources[outcome.name]]),
        )
    acked = [o for o in outcomes if acks and o.acks and o.acks_ok]
    # The QBO version each 855 was built from (this run's write, or QBO as it is now), pointing at
    # the partition's last write event.
    last_writes = latest_storage_ids(instance, QBO_PURCHASE_ORDERS, [o.name for o in acked])
    for outcome in acked:
        built_from = [qbo_version(r.built_from) for r in outcome.acks if r.built_from is not None]
        upstream = (
            Upstream(QBO_PURCHASE_ORDERS, combined(built_from), last_writes.get(outcome.name))
            if built_from
            else None
        )
        yield dg.AssetMaterialization(
            SPS_ORDER_ACKS,
            partition=outcome.name,
            metadata=sent_metadata(outcome.acks),
            tags=document_tags(context, combined([r.content_hash for r in outcome.acks]), [upstream]),
        )


def _waiting(
    context: dg.AssetExecutionContext, outcome: FileOutcome, waiting: list[WaitingDocument]
) -> Iterator[dg.AssetObservation]:
    """A failed file's reason on the page of each partition it leaves failed: the step that failed
    and the ones after it, as far as this run selected them."""
    stages = [SPS_PURCHASE_ORDERS, QBO_PURCHASE_ORDERS, SPS_ORDER_ACKS]
    first = 0 if not outcome.fetch_ok else 1 if not outcome.sync_ok else 2
    failed = [key for key in stages[first:] if key in context.selected_asset_keys]
    yield from waiting_observations(failed, outcome.name, outcome.error or "", waiting)


def _qbo_versions(outcome: FileOutcome) -> list[QboVersion]:
    return [
        QboVersion(d.qbo_entity or "PurchaseOrder", d.qbo_id, d.sync_token or "")
        for d in outcome.synced
        if d.qbo_id
    ]
