"""`qbsps replay DOCUMENT`: re-drive one document through Dagster, with who, when and why on record.

It re-materializes the document's own partition, which is what the Dagster UI's *Materialize
selected* does: an inbound order is replayed from its raw payload in the ledger through the same
sync path as `qbsps sync inbound --file` (the existing QBO document is updated, never duplicated);
an outbound invoice is rebuilt and re-checked, and content that changed after it was sent goes out
only with `--resend` (the run tag the UI's resend uses). The ledger's dedup decides the rest, so
a replay of unchanged content changes nothing and says so.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..support import config_option, dagster_instance, load_config_or_exit, resolve_document

if TYPE_CHECKING:
    from ...lib.ledger import DocumentRecord, Ledger

TRIGGER = "qbsps replay"
TAG_OPERATOR = "qbsps/operator"
TAG_REASON = "qbsps/reason"
UNCHANGED = frozenset({"unchanged", "up to date", "duplicate"})  # as lib/ledger/reports reads a run


@click.command()
@config_option
@click.argument("document")
@click.option("--reason", required=True, help="Why it is replayed (for the audit trail).")
@click.option("--operator", default=getpass.getuser, show_default="the OS user", help="Who (audit trail).")
@click.option("--resend", is_flag=True, help="Outbound: send content that changed after it was sent.")
def replay(config_path: Path | None, document: str, reason: str, operator: str, resend: bool) -> None:
    """Re-drive DOCUMENT (its ledger id as `qbsps status` shows it, or PARTNER/PO, PARTNER/INVOICE)."""
    from ...lib.connector import open_ledger
    from ...lib.ledger import Direction
    from ...lib.ledger.audit import AuditContext
    from ...lib.ledger.replays import record_replay_finished, record_replay_requested
    from ...operator_views import sync_table
    from ...runs import INBOUND_JOB, OUTBOUND_JOB, run_partitions

    if not reason.strip():
        raise click.ClickException("--reason is empty: say why the document is replayed")
    config = load_config_or_exit(config_path)
    actor = f"{operator} (qbsps replay)"
    ledger = open_ledger(config, actor=actor)
    try:
        record = resolve_document(
            ledger,
            document,
            (("inbound", "Order"), ("outbound", "Invoice")),
            what="order or invoice",
            number="PO or INVOICE",
        )
        key = _partition_key(ledger, record)
    finally:
        ledger.close()
    inbound = record.direction is Direction.INBOUND
    if inbound and resend:
        raise click.ClickException(
            "--resend is for outbound documents: an order replays into QuickBooks as is"
        )
    context = AuditContext(actor=actor)
    record_replay_requested(config.ledger.url, context, record.id, reason, resend=resend)

    from ...dagster_support.names import TAG_RESEND

    tags = {TAG_OPERATOR: operator, TAG_REASON: reason[:200]} | ({TAG_RESEND: "true"} if resend else {})
    job = INBOUND_JOB if inbound else OUTBOUND_JOB
    report = run_partitions(dagster_instance(), config, job, [key], TRIGGER, tags)
    outcomes = report.outcomes(key)
    record_replay_finished(
        config.ledger.url, context, record.id, reason, run_ids=report.run_ids, outcomes=outcomes
    )

    name = f"{record.doc_type} {record.trading_partner_id}/{record.business_key} (document {record.id})"
    click.echo(f"replayed {name} as partition {key}, run {', '.join(report.run_ids) or '-'}")
    click.echo(sync_table(report, empty="the run reported nothing for it"))
    if report.failed or not outcomes:
        click.echo(f"\n{name} did not complete; see `qbsps status --document {record.id}`.", err=True)
        raise SystemExit(1)
    if all(outcome in UNCHANGED for outcome in outcomes):
        hint = "" if inbound or resend else " (content that changed after it was sent needs --resend)"
        click.echo(f"unchanged: the other side already holds this content{hint}")


def _partition_key(ledger: Ledger, record: DocumentRecord) -> str:
    """The document's own partition: the order's SPS file, or the QBO invoice it was built from."""
    from ...lib.ledger import Direction
    from ...lib.outbound.flow import invoice_key

    name = f"{record.doc_type} {record.trading_partner_id}/{record.business_key}"
    if record.direction is Direction.INBOUND:
        version = ledger.version(record.current_version_id) if record.current_version_id else None
        if version is None or not version.source_path:
            raise click.ClickException(f"{name} has no stored file to replay from")
        return version.source_path.rsplit("/", 1)[-1]
    if record.doc_type not in ("Invoice", "Shipment") or record.qbo_entity not in (None, "Invoice"):
        raise click.ClickException(f"{name}: only invoices and ship notices are replayed (this is not one)")
    if not record.qbo_id:
        raise click.ClickException(f"{name} names no QBO invoice to rebuild it from")
    return invoice_key(record.qbo_id)
