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
from datetime import UTC, datetime

import dagster as dg

from ...dagster_support.batch_failure import batch_failure
from ...dagster_support.document_metadata import sent_metadata
from ...dagster_support.inbound_metadata import fetched_metadata, synced_metadata
from ...dagster_support.lineage import Upstream, combined, document_tags, latest, qbo_version, recorded
from ...dagster_support.names import GROUP_INBOUND, QBO_API, SPS_API, TAG_RESEND, asset_key, pool_for
from ...dagster_support.waiting_partitions import waiting_for, waiting_observations
from ...lib.documents.schemas import RsxSchemas
from ...lib.inbound.batch import FileOutcome, file_groups, process_files
from ...lib.inbound.order_changes import mark_acknowledged, order_changes_pending
from ...lib.ledger import Ledger
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
        # Only when some order change waits: otherwise no file pays the lookups and the write.
        watch_changes = acks is not None and order_changes_pending(book)
        for group in file_groups(names):  # a group at a time (one QBO /batch), each file reported
            started = datetime.now(UTC)
            outcomes = process_files(
                config,
                book,
                sps_api,
                qbo_api,
                group,
                fetch=fetch,
                sync=sync,
                acknowledge_with=acks,
                resend=context.run.tags.get(TAG_RESEND) == "true",
            )
            for outcome in outcomes:
                yield from _materializations(context, outcome, fetch=fetch, sync=sync, acks=False)
            if watch_changes:  # acknowledged as QBO has it now: its order changes are done
                mark_acknowledged(book, config, outcomes, started)
            for outcome in outcomes:
                if acks is not None:
                    yield from _materializations(context, outcome, fetch=False, sync=False, acks=True)
                if outcome.error:
                    failed.append(outcome)
                    context.log.error(outcome.error)
                    yield from _waiting(context, book, outcome)
    if failed:
        raise batch_failure("purchase order files", [(o.name, o.error or "") for o in failed], len(names))


def _materializations(
    context: dg.AssetExecutionContext, outcome: FileOutcome, *, fetch: bool, sync: bool, acks: bool
) -> Iterator[dg.AssetMaterialization]:
    """One file's materializations, each with its data version and what it was built from."""
    name, instance = outcome.name, context.instance
    orders = combined([d.content_hash for d in outcome.fetched or outcome.synced if d.content_hash])
    if fetch and outcome.fetch_ok:
        yield dg.AssetMaterialization(
            SPS_PURCHASE_ORDERS,
            partition=name,
            metadata={**fetched_metadata(outcome), "content_hash": dg.MetadataValue.text(orders)},
            tags=document_tags(context, orders, []),
        )
    if sync and outcome.sync_ok:
        written = combined([qbo_version(v) for v in _qbo_versions(outcome)])
        yield dg.AssetMaterialization(
            QBO_PURCHASE_ORDERS,
            partition=name,
            metadata={**synced_metadata(outcome), "built_from": dg.MetadataValue.text(orders)},
            tags=document_tags(context, written, [recorded(instance, SPS_PURCHASE_ORDERS, name, orders)]),
        )
    if acks and outcome.acks and outcome.acks_ok:
        sources = [qbo_version(r.built_from) for r in outcome.acks if r.built_from is not None]
        # The QBO version each 855 was built from (this run's write, or QBO as it is now), pointing
        # at the partition's last write event.
        last_write = latest(instance, QBO_PURCHASE_ORDERS, name, observed=False)
        pointer = last_write.storage_id if last_write else None
        upstream = Upstream(QBO_PURCHASE_ORDERS, combined(sources), pointer) if sources else None
        yield dg.AssetMaterialization(
            SPS_ORDER_ACKS,
            partition=name,
            metadata=sent_metadata(outcome.acks),
            tags=document_tags(context, combined([r.content_hash for r in outcome.acks]), [upstream]),
        )


def _waiting(
    context: dg.AssetExecutionContext, book: Ledger, outcome: FileOutcome
) -> Iterator[dg.AssetObservation]:
    """A failed file's reason on the page of each partition it leaves failed: the step that failed
    and the ones after it, as far as this run selected them."""
    stages = [SPS_PURCHASE_ORDERS, QBO_PURCHASE_ORDERS, SPS_ORDER_ACKS]
    first = 0 if not outcome.fetch_ok else 1 if not outcome.sync_ok else 2
    failed = [key for key in stages[first:] if key in context.selected_asset_keys]
    results = [*outcome.fetched, *outcome.synced, *outcome.acks]
    waiting = waiting_for(book, [r.document_id for r in results], [r.version_id for r in results])
    yield from waiting_observations(failed, outcome.name, outcome.error or "", waiting)


def _qbo_versions(outcome: FileOutcome) -> list[QboVersion]:
    return [
        QboVersion(d.qbo_entity or "PurchaseOrder", d.qbo_id, d.sync_token or "")
        for d in outcome.synced
        if d.qbo_id
    ]
