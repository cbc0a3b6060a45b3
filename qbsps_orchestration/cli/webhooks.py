"""`qbsps webhooks serve`: the receiver QuickBooks calls on every change."""

from __future__ import annotations

from pathlib import Path

import click

from .support import config_option, load_config_or_exit


@click.group()
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
    from ..lib.config import CredentialError
    from ..lib.connector import QBO_NOT_CONNECTED, connected_config, open_ledger
    from ..lib.webhooks import ReceiverStartError, TlsFiles, serve, webhook_app

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
