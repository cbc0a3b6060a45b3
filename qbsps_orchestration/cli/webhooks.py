"""`qbsps webhooks serve`: the receiver QuickBooks calls on every change."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .support import config_option, load_config_or_exit

if TYPE_CHECKING:
    from ..lib.config import QbspsConfig
    from ..lib.webhooks import WebhookRoute


@click.group()
def webhooks() -> None:
    """QuickBooks Online change webhooks."""


@webhooks.command("serve")
@config_option
@click.option(
    "--all-companies",
    is_flag=True,
    help="Serve every company of $QBSPS_COMPANIES_DIR on one endpoint (Intuit posts all the companies "
    "of one app there): each event goes to the ledger of the company whose realm it names.",
)
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
    config_path: Path | None,
    all_companies: bool,
    host: str,
    port: int,
    tls_certfile: Path | None,
    tls_keyfile: Path | None,
) -> None:
    """Receive QBO webhooks into the ledger inbox until interrupted (SIGINT/SIGTERM)."""
    from ..lib.webhooks import ReceiverStartError, TlsFiles, routed_webhook_app, serve

    if (tls_certfile is None) != (tls_keyfile is None):
        raise click.UsageError("--tls-certfile and --tls-keyfile go together (or neither: plain HTTP)")
    tls = TlsFiles(tls_certfile, tls_keyfile) if tls_certfile and tls_keyfile else None
    if all_companies and config_path is not None:
        raise click.UsageError("--all-companies serves every company's config: give it without --config")
    configs = _company_configs() if all_companies else [("", load_config_or_exit(config_path))]
    routes, tokens = zip(*(_route(name, config) for name, config in configs), strict=True)
    if len(set(tokens)) > 1:
        raise click.ClickException(
            "the companies have different qbo.webhook_verifier_token values: one endpoint serves one "
            "Intuit app; run one receiver per app"
        )
    try:
        app = routed_webhook_app(list(routes), tokens[0])
        serve(app, host, port, announce=lambda line: click.echo(line), tls=tls)
    except ValueError as exc:  # two companies name the same realm
        raise click.ClickException(str(exc)) from None
    except (ReceiverStartError, OSError) as exc:  # OSError: the address is taken or not ours
        raise click.ClickException(str(exc)) from None


def _company_configs() -> list[tuple[str, QbspsConfig]]:
    from ..lib.config import ConfigError, load_config
    from ..lib.config.companies import company_config_path, company_names, current_company

    if current_company() is not None:
        raise click.UsageError("--all-companies serves every company: give it without --company")
    try:
        return [(name, load_config(company_config_path(name))) for name in company_names()]
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _route(company: str, config: QbspsConfig) -> tuple[WebhookRoute, str]:
    """The company's route (its realm to its ledger) and its verifier token."""
    from ..lib.config import CredentialError
    from ..lib.connector import QBO_NOT_CONNECTED, connected_config, open_ledger
    from ..lib.webhooks import WebhookRoute

    whose = f"company {company}: " if company else ""
    if config.qbo.webhook_verifier_token is None:
        raise click.ClickException(
            f"{whose}the config has no qbo.webhook_verifier_token to verify webhooks with"
        )
    try:
        verifier_token = config.qbo.webhook_verifier_token.resolve()
    except CredentialError as exc:
        raise click.ClickException(f"{whose}{exc}") from None
    realm_id = connected_config(config).qbo.realm_id  # events of other companies are not stored
    if realm_id is None:
        raise click.ClickException(f"{whose}{QBO_NOT_CONNECTED}")
    return WebhookRoute(frozenset([realm_id]), lambda: open_ledger(config, actor="webhooks")), verifier_token
