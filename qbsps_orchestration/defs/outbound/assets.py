"""sps_invoices (810) and sps_ship_notices (856), on one dynamic partition per QBO invoice.

As inbound: one op, one materialization per invoice that succeeded, reported as each completes
(the invoices are read a hundred to a query and uploaded a few at once: lib/outbound/batch.py),
and the step fails at the end if any invoice failed so exactly those partitions stay failed (each
observed with its reason as it fails, for its partition page). A
ship notice partition stays missing until the invoice carries shipping data. Tag a run
``qbsps/resend=true`` to send content that changed after it was sent (otherwise it is held for an
operator).

Lineage: each 810 and 856 has the sha256 of the bytes uploaded as its data version, built from the
QBO Invoice version (Id and SyncToken) observed on ``qbo_invoices``; the 856 also from the 810.
"""

from collections.abc import Generator, Iterator

import dagster as dg

from ...dagster_support.batch_failure import batch_failure
from ...dagster_support.document_metadata import diff_metadata, sent_metadata
from ...dagster_support.lineage import Upstream, document_tags, latest, observe, qbo_version, recorded
from ...dagster_support.names import QBO_API, SPS_API, TAG_RESEND, asset_key, pool_for
from ...dagster_support.waiting_partitions import waiting_observations
from ...lib.documents.schemas import RsxSchemas
from ...lib.ledger import Ledger
from ...lib.outbound.batch import process_invoices
from ...lib.outbound.flow import InvoiceOutcome, OutboundContext, mark_processed_changes
from ...resources import LedgerResource, QboResource, QbspsConfigResource, SpsResource, open_connector
from .partitions import qbo_invoices

QBO_INVOICES = asset_key("qbo_invoices")
SPS_INVOICES = asset_key("sps_invoices")
SPS_SHIP_NOTICES = asset_key("sps_ship_notices")
GROUP_OUTBOUND = "sps_outbound"

# The QBO invoices themselves, kept by QuickBooks: the source the 810s and 856s are built from.
qbo_invoices_source = dg.AssetSpec(
    QBO_INVOICES,
    partitions_def=qbo_invoices,
    group_name=GROUP_OUTBOUND,
    kinds={"quickbooks"},
    description="QBO Invoices (kept by QuickBooks; their changes reach the ledger inbox by webhook, CDC "
    "and the hourly sweep), one partition per invoice: what each 810 and 856 is built from.",
)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            SPS_INVOICES,
            deps=[QBO_INVOICES],
            partitions_def=qbo_invoices,
            group_name=GROUP_OUTBOUND,
            kinds={"sps"},
            skippable=True,
            description="QBO Invoices as RSX 7.7 Invoices (810), checked and uploaded to SPS in/ for the "
            "customer's trading partner; never sent twice.",
        ),
        dg.AssetSpec(
            SPS_SHIP_NOTICES,
            deps=[QBO_INVOICES, SPS_INVOICES],
            partitions_def=qbo_invoices,
            group_name=GROUP_OUTBOUND,
            kinds={"sps"},
            skippable=True,
            description="Advance ship notices (RSX 856, Shipment/Order/Pack/Item with SSCC-18 cartons) for "
            "invoices with shipping data.",
        ),
    ],
    partitions_def=qbo_invoices,
    backfill_policy=dg.BackfillPolicy.single_run(),
    can_subset=True,
    pool=pool_for(QBO_API, SPS_API),  # reads the invoice from QBO, uploads to SPS
)
def outbound_invoice_documents(
    context: dg.AssetExecutionContext,
    qbsps_config: QbspsConfigResource,
    ledger: LedgerResource,
    sps: SpsResource,
    qbo: QboResource,
) -> Iterator[dg.AssetMaterialization | dg.AssetObservation]:
    invoices = SPS_INVOICES in context.selected_asset_keys
    ship_notices = SPS_SHIP_NOTICES in context.selected_asset_keys
    resend = context.run.tags.get(TAG_RESEND) == "true"
    config = qbsps_config.load()
    with open_connector(ledger, sps, qbo, actor="outbound_invoice_documents", run_id=context.run.run_id) as (
        book,
        sps_api,
        qbo_api,
    ):
        ctx = OutboundContext(config, book, qbo_api, sps_api, RsxSchemas.from_environment())
        keys = context.partition_keys
        failed = []
        # Reported as each invoice completes; uploads overlap with building the next invoices.
        for outcome in process_invoices(
            ctx, keys, invoices=invoices, ship_notices=ship_notices, resend=resend
        ):
            mark_processed_changes(
                book, [outcome], outcome.read_at, invoices=invoices, ship_notices=ship_notices
            )
            if outcome.errors:
                failed.append(outcome)
                context.log.error("; ".join(outcome.errors))
            yield from _materializations(context, outcome)
            if outcome.errors:
                yield from _waiting(context, book, outcome)
            if outcome.note and not outcome.errors:
                context.log.info(f"{outcome.key}: {outcome.note}")
    if failed:
        raise batch_failure("invoices", [(o.key, "; ".join(o.errors)) for o in failed], len(keys))


def _waiting(
    context: dg.AssetExecutionContext, book: Ledger, outcome: InvoiceOutcome
) -> Iterator[dg.AssetObservation]:
    """A failed invoice's reason on the page of each partition it leaves failed (a selected document
    not sent this run); a held one's also shows what changed since the version sent."""
    reason = "; ".join(outcome.errors)
    for asset, result in ((SPS_INVOICES, outcome.invoice), (SPS_SHIP_NOTICES, outcome.ship_notice)):
        if asset not in context.selected_asset_keys or (result is not None and not result.failed):
            continue
        results = [result] if result is not None else []
        documents, versions = [r.document_id for r in results], [r.version_id for r in results]
        waiting = book.reports.waiting_among(documents, versions)
        extra = {}
        if result is not None and result.outcome == "held" and result.diff is not None:
            extra = {"outcome": dg.MetadataValue.text("held"), **diff_metadata([result.diff])}
        yield from waiting_observations([asset], outcome.key, reason, waiting, extra)


def _materializations(
    context: dg.AssetExecutionContext, outcome: InvoiceOutcome
) -> Generator[dg.AssetMaterialization | dg.AssetObservation, None, None]:
    """One invoice's documents that went out (or were already out), each with its lineage."""
    key = outcome.key
    sent = [r for r in (outcome.invoice, outcome.ship_notice) if r is not None and not r.failed]
    source = next((r.built_from for r in sent if r.built_from is not None), None)
    invoice: Upstream | None = None
    if source is not None:
        metadata = {
            "qbo_id": dg.MetadataValue.text(source.id),
            "sync_token": dg.MetadataValue.text(source.sync_token),
        }
        invoice = yield from observe(context, QBO_INVOICES, key, qbo_version(source), metadata)
    sent_810 = outcome.invoice if outcome.invoice in sent else None
    if sent_810 is not None:
        yield dg.AssetMaterialization(
            SPS_INVOICES,
            partition=key,
            metadata=sent_metadata([sent_810]),
            tags=document_tags(context, sent_810.content_hash, [invoice]),
        )
    if outcome.ship_notice is not None and not outcome.ship_notice.failed:
        # The 810 it goes with: this run's (just stored), else the last one materialized.
        built = (
            recorded(context.instance, SPS_INVOICES, key, sent_810.content_hash)
            if sent_810 is not None
            else latest(context.instance, SPS_INVOICES, key, observed=False)
        )
        yield dg.AssetMaterialization(
            SPS_SHIP_NOTICES,
            partition=key,
            metadata=sent_metadata([outcome.ship_notice]),
            tags=document_tags(context, outcome.ship_notice.content_hash, [invoice, built]),
        )
