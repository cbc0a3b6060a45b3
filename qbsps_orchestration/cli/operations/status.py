"""`qbsps status`, `qbsps conflicts` and `qbsps partners`: what the ledger holds, and what the
operator decides."""

from __future__ import annotations

from pathlib import Path

import click

from ..support import config_option, load_config_or_exit


@click.command()
@config_option
@click.option("--document", "document_id", type=int, help="Show one document's versions and audit trail.")
def status(config_path: Path | None, document_id: int | None) -> None:
    """Ledger counts by state, failed documents with reasons, held conflicts."""
    from ...lib.config.companies import current_company
    from ...lib.connector import connected_config, open_ledger
    from ...lib.ledger import DocumentNotFoundError
    from ...operator_views import document_text, status_text

    config = load_config_or_exit(config_path)
    ledger = open_ledger(config, actor="cli")
    try:
        if company := current_company():  # one deployment serves several: say whose ledger this is
            realm = connected_config(config, ledger).qbo.realm_id or "not connected yet"
            click.echo(f"Company {company} (QBO company {realm})\n")
        click.echo(document_text(ledger, document_id) if document_id else status_text(ledger))
    except DocumentNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        ledger.close()


@click.group()
def conflicts() -> None:
    """Second originals with different content, held for an operator."""


@conflicts.command("accept")
@config_option
@click.argument("version_id", type=int)
@click.option("--operator", default="operator", show_default=True, help="Who decided (for the audit trail).")
def conflicts_accept(config_path: Path | None, version_id: int, operator: str) -> None:
    """Accept a held conflict as a replacement; the next sync of its document applies it."""
    from ...lib.connector import open_ledger
    from ...lib.ledger import Direction, LedgerError

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


@click.group()
def partners() -> None:
    """Trading partners: onboarding."""


@partners.command("add")
@config_option
@click.argument("trading_partner_id")
def partners_add(config_path: Path | None, trading_partner_id: str) -> None:
    """Onboard a partner already in the config: find or create its QBO Vendor and Customer, record
    its vendor number, check its items, send its first catalog. Re-running changes nothing."""
    from datetime import UTC, datetime

    from ...lib.config import UnknownTradingPartnerError
    from ...lib.connector import connected_config, open_ledger, qbo_client, sps_client
    from ...lib.documents.schemas import RsxSchemas
    from ...lib.onboarding import OnboardingError, onboard_partner

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
