"""The `qbsps` command."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from .cli_connect import connect
from .cli_dev import dev
from .cli_doctor import db, doctor
from .cli_init import init
from .cli_items import items
from .cli_replay import replay
from .cli_secrets import secrets
from .cli_support import QbspsGroup, config_option, dagster_instance, load_config_or_exit
from .sandbox.settings import QboSandboxSettings, SandboxSettings, SpsSandboxSettings, default_samples_dir


@click.group(cls=QbspsGroup)
@click.version_option(package_name="qbsps")
def main() -> None:
    """qbsps: QuickBooks Online <-> SPS Commerce EDI, orchestrated by Dagster."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to serve on.")
@click.option("--qbo-port", default=8711, show_default=True, help="QuickBooks Online server port (0: any).")
@click.option("--sps-port", default=8712, show_default=True, help="SPS Commerce server port (0: any).")
@click.option("--latency-ms", default=0, show_default=True, help="Latency added to every API call.")
@click.option("--no-throttle", is_flag=True, help="Turn off QBO's per-company throttles.")
@click.option("--info-file", type=click.Path(path_type=Path), help="Write URLs and credentials here (JSON).")
@click.option("--write-config", type=click.Path(path_type=Path), help="Write a qbsps config file for it.")
@click.option("--webhook-url", help="Where QBO change webhooks are delivered.")
@click.option(
    "--webhook-format", type=click.Choice(["cloudevents", "legacy"]), default="cloudevents", show_default=True
)
@click.option(
    "--samples-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="SPS's published sample folder (sps_samples) to seed out/PO/ from.",
)
@click.option("--access-token-lifetime", default=3600, show_default=True, help="QBO access token seconds.")
@click.option(
    "--refresh-rotation-age",
    default=86_400,
    show_default=True,
    help="Seconds after which a QBO refresh returns a new refresh-token value.",
)
@click.option("--sps-token-lifetime", default=3600, show_default=True, help="SPS access token seconds.")
@click.option(
    "--auto-consent",
    is_flag=True,
    help="Approve QBO authorization requests at once instead of showing the Connect/Cancel page.",
)
def sandbox(
    host: str,
    qbo_port: int,
    sps_port: int,
    latency_ms: int,
    no_throttle: bool,
    info_file: Path | None,
    write_config: Path | None,
    webhook_url: str | None,
    webhook_format: str,
    samples_dir: Path | None,
    access_token_lifetime: int,
    refresh_rotation_age: int,
    sps_token_lifetime: int,
    auto_consent: bool,
) -> None:
    """Serve local QuickBooks Online and SPS Commerce APIs until interrupted (SIGINT/SIGTERM)."""
    from .sandbox.runtime import Sandbox

    settings = SandboxSettings(
        host=host,
        qbo_port=qbo_port,
        sps_port=sps_port,
        latency_ms=latency_ms,
        qbo=QboSandboxSettings(
            throttle=not no_throttle,
            webhook_url=webhook_url,
            webhook_format=webhook_format,  # type: ignore[arg-type]
            access_token_lifetime=access_token_lifetime,
            refresh_rotation_age=refresh_rotation_age,
            auto_consent=auto_consent,
        ),
        sps=SpsSandboxSettings(
            token_lifetime=sps_token_lifetime, samples_dir=samples_dir or default_samples_dir()
        ),
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    box = Sandbox(settings).start()
    try:
        if info_file:
            box.write_info(info_file)
        if write_config:
            for tightened in box.write_config(write_config):
                click.echo(f"tightened {tightened} to mode 0600: other users could read it")
        seeded = "SPS's published samples" if settings.sps.samples_dir else "qbsps demo orders"
        click.echo(f"QuickBooks Online sandbox: {box.qbo_url}  (realm {settings.qbo.realm_id})")
        click.echo(f"SPS Commerce sandbox:      {box.sps_url}  (out/PO/ seeded with {seeded})")
        if info_file:
            click.echo(f"Credentials and URLs:      {info_file}")
        if write_config:
            click.echo(f"qbsps config:              {write_config}")
        click.echo("Press Ctrl+C to stop.", err=True)
        stop.wait()
    finally:
        box.stop()


@main.group()
def sync() -> None:
    """Run a flow once through Dagster (runs are recorded in $DAGSTER_HOME)."""


@sync.command("inbound")
@config_option
@click.option("--file", "files", multiple=True, help="Replay these order files (partitions) only.")
def sync_inbound_command(config_path: Path | None, files: tuple[str, ...]) -> None:
    """Fetch new purchase orders from SPS (and every order the ledger still owes QuickBooks) and
    write them to QuickBooks; exit 1 if any failed or is unfinished."""
    from .operator_views import sync_table, unfinished_text
    from .runs import sync_inbound

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
    from .operator_views import sync_table, unfinished_text
    from .runs import sync_outbound

    config = load_config_or_exit(config_path)
    report = sync_outbound(dagster_instance(), config, list(invoice_ids) or None, resend=resend)
    click.echo(sync_table(report, empty="nothing to do: no QBO invoice changed since the last pass"))
    if report.unfinished:
        click.echo("\n" + unfinished_text(report.unfinished), err=True)
    if report.failed:
        click.echo(f"\n{len(report.failed)} invoice(s) failed; see `qbsps status`.", err=True)
    if report.failed or report.unfinished:
        raise SystemExit(1)


@main.group()
def preview() -> None:
    """Print the exact document that would be uploaded and its validation result; send nothing."""


def _preview(config_path: Path | None, qbo_id: str, kind: str) -> None:
    from .lib.connector import open_ledger, qbo_client
    from .lib.documents.schemas import RsxSchemas
    from .lib.documents.shipment.ship_notice import has_shipping_data
    from .lib.outbound.flow import (
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


@main.command()
@config_option
@click.option("--document", "document_id", type=int, help="Show one document's versions and audit trail.")
def status(config_path: Path | None, document_id: int | None) -> None:
    """Ledger counts by state, failed documents with reasons, held conflicts."""
    from .lib.connector import open_ledger
    from .lib.ledger import DocumentNotFoundError
    from .operator_views import document_text, status_text

    ledger = open_ledger(load_config_or_exit(config_path), actor="cli")
    try:
        click.echo(document_text(ledger, document_id) if document_id else status_text(ledger))
    except DocumentNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        ledger.close()


@main.group()
def conflicts() -> None:
    """Second originals with different content, held for an operator."""


@conflicts.command("accept")
@config_option
@click.argument("version_id", type=int)
@click.option("--operator", default="operator", show_default=True, help="Who decided (for the audit trail).")
def conflicts_accept(config_path: Path | None, version_id: int, operator: str) -> None:
    """Accept a held conflict as a replacement; the next sync of its document applies it."""
    from .lib.connector import open_ledger
    from .lib.ledger import Direction, LedgerError

    ledger = open_ledger(load_config_or_exit(config_path), actor=operator)
    try:
        outcome = ledger.accept_conflict(version_id, actor=operator)
        version = ledger.version(version_id)
        document = ledger.document(version.document_id)
    except LedgerError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        ledger.close()
    if document.direction is Direction.INBOUND:
        apply = f"qbsps sync inbound --file {(version.source_path or '').rsplit('/', 1)[-1]}"
    else:
        apply = f"qbsps sync outbound --invoice {document.qbo_id}"
    click.echo(
        f"version {version_id} accepted as a replacement ({outcome.action.value} pending); apply: {apply}"
    )


@main.group()
def partners() -> None:
    """Trading partners: onboarding."""


@partners.command("add")
@config_option
@click.argument("trading_partner_id")
def partners_add(config_path: Path | None, trading_partner_id: str) -> None:
    """Onboard a partner already in the config: find or create its QBO Vendor and Customer, record
    its vendor number, check its items, send its first catalog. Re-running changes nothing."""
    from datetime import UTC, datetime

    from .lib.config import UnknownTradingPartnerError
    from .lib.connector import connected_config, open_ledger, qbo_client, sps_client
    from .lib.documents.schemas import RsxSchemas
    from .lib.onboarding import OnboardingError, onboard_partner

    config = load_config_or_exit(config_path)
    ledger = open_ledger(config, actor="qbsps partners add")
    config = connected_config(config, ledger)  # the company `qbsps connect` stored, if none is named
    qbo, sps = qbo_client(config, ledger), sps_client(config, ledger=ledger)
    try:
        report = onboard_partner(
            config,
            ledger,
            qbo,
            sps,
            RsxSchemas.from_environment(),
            trading_partner_id,
            today=datetime.now(UTC).date(),
        )
    except (UnknownTradingPartnerError, OnboardingError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        qbo.close()
        sps.close()
        ledger.close()
    for step in report.steps:
        click.echo(f"- {step}")
    click.echo("changed: " + ("yes" if report.changed else "nothing (already onboarded)"))
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    if report.problems:
        raise SystemExit(1)


@main.command()
def demo() -> None:
    """Start the sandbox, run the inbound sync once through Dagster, show the result."""
    from .demo import run_demo

    raise SystemExit(run_demo(click.echo))


@main.group()
def webhooks() -> None:
    """QuickBooks Online change webhooks."""


@webhooks.command("serve")
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8713, show_default=True, help="Port to listen on (0: any free port).")
@click.option(
    "--tls-certfile",
    envvar="QBSPS_WEBHOOK_TLS_CERTFILE",
    type=click.Path(path_type=Path),
    help="PEM certificate (chain): serve HTTPS, as Intuit requires. With --tls-keyfile.",
)
@click.option(
    "--tls-keyfile",
    envvar="QBSPS_WEBHOOK_TLS_KEYFILE",
    type=click.Path(path_type=Path),
    help="The certificate's PEM private key (unencrypted; keep it mode 0600).",
)
def webhooks_serve(
    config_path: Path | None, host: str, port: int, tls_certfile: Path | None, tls_keyfile: Path | None
) -> None:
    """Receive QBO webhooks into the ledger inbox until interrupted (SIGINT/SIGTERM)."""
    from .lib.config import CredentialError
    from .lib.connector import QBO_NOT_CONNECTED, connected_config, open_ledger
    from .lib.webhooks import ReceiverStartError, TlsFiles, serve, webhook_app

    if (tls_certfile is None) != (tls_keyfile is None):
        raise click.UsageError("--tls-certfile and --tls-keyfile go together (or neither: plain HTTP)")
    tls = TlsFiles(tls_certfile, tls_keyfile) if tls_certfile and tls_keyfile else None
    config = load_config_or_exit(config_path)
    if config.qbo.webhook_verifier_token is None:
        raise click.ClickException("the config has no qbo.webhook_verifier_token to verify webhooks with")
    try:
        verifier_token = config.qbo.webhook_verifier_token.resolve()
    except CredentialError as exc:
        raise click.ClickException(str(exc)) from None
    realm_id = connected_config(config).qbo.realm_id  # events of other companies are not stored
    if realm_id is None:
        raise click.ClickException(QBO_NOT_CONNECTED)
    app = webhook_app(lambda: open_ledger(config, actor="webhooks"), verifier_token, [realm_id])
    try:
        serve(app, host, port, announce=lambda line: click.echo(line), tls=tls)
    except (ReceiverStartError, OSError) as exc:  # OSError: the address is taken or not ours
        raise click.ClickException(str(exc)) from None


for command in (connect, db, dev, doctor, init, items, replay, secrets):  # kept in modules of their own
    main.add_command(command)


if __name__ == "__main__":
    main()
