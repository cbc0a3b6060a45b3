"""`qbsps sync` (a flow once, through Dagster) and `qbsps preview` (a document before it is sent)."""

from __future__ import annotations

from pathlib import Path

import click

from .support import config_option, dagster_instance, load_config_or_exit


@click.group()
def sync() -> None:
    """Run a flow once through Dagster (runs are recorded in $DAGSTER_HOME)."""


@sync.command("inbound")
@config_option
@click.option("--file", "files", multiple=True, help="Replay these order files (partitions) only.")
def sync_inbound_command(config_path: Path | None, files: tuple[str, ...]) -> None:
    """Fetch new purchase orders from SPS (and every order the ledger still owes QuickBooks) and
    write them to QuickBooks; exit 1 if any failed or is unfinished."""
    from ..operator_views import sync_table, unfinished_text
    from ..runs import sync_inbound

    config = load_config_or_exit(config_path)
    report = sync_inbound(dagster_instance(), config, list(files) or None)
    click.echo(sync_table(report))
    if report.unfinished:
        click.echo("\n" + unfinished_text(report.unfinished), err=True)
    waiting = {doc.source_path for doc in report.unfinished}
    for_a_person = [key for key in report.failed if config.sps.folders.orders + key not in waiting]
    if for_a_person:
        click.echo(
            f"\n{len(for_a_person)} file(s) failed; see `qbsps status`. Re-run one with "
            "`qbsps sync inbound --file NAME` once its cause is fixed.",
            err=True,
        )
    if report.failed or report.unfinished:
        raise SystemExit(1)


@sync.command("outbound")
@config_option
@click.option("--invoice", "invoice_ids", multiple=True, help="Send these QBO invoices (Ids) only.")
@click.option("--resend", is_flag=True, help="Send content that changed after it was sent (else it is held).")
def sync_outbound_command(config_path: Path | None, invoice_ids: tuple[str, ...], resend: bool) -> None:
    """Send the 810/856 of changed QBO invoices (inbox + CDC, and every document the ledger still
    owes SPS) to SPS; exit 1 if any failed or is unfinished."""
    from ..operator_views import sync_table, unfinished_text
    from ..runs import sync_outbound

    config = load_config_or_exit(config_path)
    report = sync_outbound(dagster_instance(), config, list(invoice_ids) or None, resend=resend)
    click.echo(sync_table(report, empty="nothing to do: no QBO invoice changed since the last pass"))
    if report.unfinished:
        click.echo("\n" + unfinished_text(report.unfinished), err=True)
    if report.failed:
        click.echo(f"\n{len(report.failed)} invoice(s) failed; see `qbsps status`.", err=True)
    if report.failed or report.unfinished:
        raise SystemExit(1)


@click.group()
def preview() -> None:
    """Print the exact document that would be uploaded and its validation result; send nothing."""


def _preview(config_path: Path | None, qbo_id: str, kind: str) -> None:
    from ..lib.connector import open_ledger, qbo_client
    from ..lib.documents.schemas import RsxSchemas
    from ..lib.documents.shipment.ship_notice import has_shipping_data
    from ..lib.outbound.flow import (
        OutboundContext,
        OutboundError,
        describe,
        invoice_document,
        original_order,
        partner_for_invoice,
        ship_notice_document,
    )

    config = load_config_or_exit(config_path)
    ledger = open_ledger(config, actor="qbsps preview")
    qbo = qbo_client(config, ledger)
    try:
        ctx = OutboundContext(config, ledger, qbo, None, RsxSchemas.from_environment())
        invoice = qbo.read("Invoice", qbo_id)
        partner = partner_for_invoice(ctx, invoice)
        order = original_order(ctx, partner, invoice)
        if kind == "ship-notice" and not has_shipping_data(invoice):
            raise click.ClickException(
                f"QBO Invoice {qbo_id} has no shipping data (ShipDate with TrackingNum "
                "or ShipMethodRef): there is no ship notice to send yet"
            )
        build = invoice_document if kind == "invoice" else ship_notice_document
        document = build(ctx, invoice, partner, order)
    except OutboundError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        qbo.close()
        ledger.close()
    click.echo(describe(document))
    if not document.ready:
        raise SystemExit(1)


@preview.command("invoice")
@config_option
@click.argument("qbo_id")
def preview_invoice(config_path: Path | None, qbo_id: str) -> None:
    """The RSX Invoice (810) for QBO Invoice QBO_ID."""
    _preview(config_path, qbo_id, "invoice")


@preview.command("ship-notice")
@config_option
@click.argument("qbo_id")
def preview_ship_notice(config_path: Path | None, qbo_id: str) -> None:
    """The RSX Shipment (856) for QBO Invoice QBO_ID (its serials are not reserved)."""
    _preview(config_path, qbo_id, "ship-notice")
