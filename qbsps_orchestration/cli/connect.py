"""`qbsps connect quickbooks` and `qbsps connect sps`: connect once, keep everything encrypted in
the ledger, so the config file needs no credential."""

from __future__ import annotations

import os
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

from .support import config_option, load_config_or_exit

if TYPE_CHECKING:  # imported lazily at run time: `qbsps --help` stays fast
    from ..lib.config import QbspsConfig
    from ..lib.connect import AppCredentials, ReceiveRedirect
    from ..lib.connections import QboConnection
    from ..lib.ledger import Ledger
    from ..lib.qbo.authorize import AuthorizationRequest
    from ..lib.qbo.callback import CallbackListener

DEFAULT_CALLBACK_PORT = 8714  # beside the sandbox (8711, 8712) and the webhook receiver (8713)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


def app_key_options(api: str, env_prefix: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """--client-id / --client-secret of an API's app, each also read from ``{env_prefix}_CLIENT_…``."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        secret = click.option(
            "--client-secret",
            envvar=f"{env_prefix}_CLIENT_SECRET",
            help=f"The {api} app's client secret [env {env_prefix}_CLIENT_SECRET]; prefer the variable "
            "or the prompt, since options show in the process list.",
        )
        client_id = click.option(
            "--client-id",
            envvar=f"{env_prefix}_CLIENT_ID",
            help=f"The {api} app's client id [env {env_prefix}_CLIENT_ID].",
        )
        return client_id(secret(command))

    return decorate


@click.group()
def connect() -> None:
    """Connect qbsps to QuickBooks Online and SPS Commerce (credentials kept encrypted in the ledger)."""


@connect.command("quickbooks")
@config_option
@app_key_options("Intuit", "QBSPS_QBO")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_CALLBACK_PORT,
    show_default=True,
    help="Port of the local redirect listener: register http://localhost:PORT/callback on the app (0: any).",
)
@click.option(
    "--redirect-uri",
    help="A redirect URI registered on the app, if not http://localhost:PORT/callback (Intuit wants "
    "https for production keys: then paste the address the browser lands on).",
)
@click.option(
    "--no-browser", is_flag=True, help="Print the address to open and read the redirect from stdin."
)
@click.option("--timeout", type=click.IntRange(10), default=300, show_default=True, help="Seconds to wait.")
def connect_quickbooks(
    config_path: Path | None,
    client_id: str | None,
    client_secret: str | None,
    port: int,
    redirect_uri: str | None,
    no_browser: bool,
    timeout: int,
) -> None:
    """Connect a QuickBooks Online company through your own Intuit app (OAuth 2.0 consent).

    Opens Intuit's consent page in the browser, receives the redirect on a local listener, and
    stores the tokens, the company and the app's client id and secret encrypted in the ledger.
    """
    from ..lib.connect import AppCredentials, known_qbo_app
    from ..lib.connector import open_ledger

    config = load_config_or_exit(config_path)
    ledger = open_ledger(config, actor="qbsps connect quickbooks")
    try:
        if client_id is None or client_secret is None:  # options and environment first
            known_id, known_secret = known_qbo_app(config, ledger)
            client_id = client_id or known_id or click.prompt("Intuit app client id")
            client_secret = (
                client_secret or known_secret or click.prompt("Intuit app client secret", hide_input=True)
            )
        app = AppCredentials(client_id, client_secret)
        browser = not no_browser and _browser_available()
        listen_on = _loopback_listener(redirect_uri, port) if browser else None
        if listen_on is None:
            uri = redirect_uri or f"http://localhost:{port}/callback"
            connection = _connect(config, ledger, app, uri, _paste_receiver(open_browser=browser))
        else:
            connection = _connect_listening(config, ledger, app, redirect_uri, listen_on, timeout)
    finally:
        ledger.close()
    click.echo(f"Connected to QuickBooks company {_company(connection)}.")
    click.echo("The tokens and the Intuit app's client id and secret are stored encrypted in the ledger.")
    for note in _qbo_config_overrides(config, connection.realm_id, app):
        click.echo(f"note: {note}", err=True)


@connect.command("sps")
@config_option
@app_key_options("SPS", "QBSPS_SPS")
def connect_sps_command(config_path: Path | None, client_id: str | None, client_secret: str | None) -> None:
    """Check SPS Commerce API keys (a token, then GET /auth-check) and store them encrypted in the ledger."""
    from ..lib.connect import AppCredentials, connect_sps
    from ..lib.connector import open_ledger
    from ..lib.sps.credentials_check import SpsCredentialsError

    config = load_config_or_exit(config_path)
    sps = config.sps
    app = AppCredentials(
        client_id
        or (sps.client_id.resolve() if sps.client_id is not None else None)
        or click.prompt("SPS app client id"),
        client_secret
        or (sps.client_secret.resolve() if sps.client_secret is not None else None)
        or click.prompt("SPS app client secret", hide_input=True),
    )
    ledger = open_ledger(config, actor="qbsps connect sps")
    try:
        connect_sps(config, ledger, app)
    except SpsCredentialsError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        ledger.close()
    click.echo(f"SPS accepted the credentials (token and {str(sps.api_base_url).rstrip('/')}/auth-check).")
    click.echo("The client id and secret are stored encrypted in the ledger.")
    if sps.client_id is not None or sps.client_secret is not None:
        click.echo("note: the config's sps.client_id / sps.client_secret are used first, when set", err=True)


def _connect(
    config: QbspsConfig, ledger: Ledger, app: AppCredentials, redirect_uri: str, receive: ReceiveRedirect
) -> QboConnection:
    from ..lib.connect import connect_quickbooks
    from ..lib.qbo.authorize import AuthorizationError

    try:
        return connect_quickbooks(config, ledger, app, redirect_uri, receive)
    except AuthorizationError as exc:
        raise click.ClickException(str(exc)) from None


def _connect_listening(
    config: QbspsConfig,
    ledger: Ledger,
    app: AppCredentials,
    redirect_uri: str | None,
    listen_on: tuple[int, str],
    timeout: int,
) -> QboConnection:
    """The redirect comes to a listener on this machine; the browser's page shows the outcome."""
    from ..lib.qbo.callback import CallbackListener, CallbackListenerError

    try:
        listener = CallbackListener(listen_on[0], path=listen_on[1])
    except CallbackListenerError as exc:
        raise click.ClickException(str(exc)) from None
    with listener:
        try:
            connection = _connect(
                config,
                ledger,
                app,
                redirect_uri or listener.redirect_uri,
                _listening_receiver(listener, timeout),
            )
        except click.ClickException as exc:
            listener.finish(False, exc.message)
            raise
        except CallbackListenerError as exc:
            listener.finish(False, str(exc))
            raise click.ClickException(str(exc)) from None
        listener.finish(True, f"qbsps is connected to QuickBooks company {_company(connection)}.")
    return connection


def _listening_receiver(listener: CallbackListener, timeout: int) -> ReceiveRedirect:
    def receive(request: AuthorizationRequest) -> str:
        click.echo(
            f"Opening Intuit's consent page in your browser. If it does not open, visit:\n  {request.url}"
        )
        click.echo(f"Waiting for the redirect to {request.redirect_uri} …", err=True)
        # In a thread: some browser commands only return when the browser exits.
        threading.Thread(target=webbrowser.open, args=(request.url,), daemon=True).start()
        return listener.wait(timeout)

    return receive


def _paste_receiver(*, open_browser: bool) -> ReceiveRedirect:
    def receive(request: AuthorizationRequest) -> str:
        click.echo("Open this address in a browser and connect the company:")
        click.echo(f"  {request.url}")
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(request.url,), daemon=True).start()
        click.echo(
            f"Intuit then sends the browser to {request.redirect_uri}?code=… (the page may not load: "
            "that is fine). Copy that whole address from the address bar."
        )
        return click.prompt("Paste it here", prompt_suffix=": ")

    return receive


def _loopback_listener(redirect_uri: str | None, port: int) -> tuple[int, str] | None:
    """(port, path) to listen on, or None when the redirect cannot reach this machine directly."""
    if redirect_uri is None:
        return port, "/callback"
    parts = urlsplit(redirect_uri)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS or parts.port is None:
        return None
    return parts.port, parts.path or "/"


def _browser_available() -> bool:
    # Without a display a Linux machine has no browser to open (a console browser would take
    # over the terminal); the address is then opened elsewhere and pasted back.
    if os.environ.get("BROWSER") or not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _company(connection: QboConnection) -> str:
    name, realm_id = connection.company_name, connection.realm_id
    return f"{realm_id} ({name})" if name else realm_id


def _qbo_config_overrides(config: QbspsConfig, realm_id: str, app: AppCredentials) -> list[str]:
    """Config values that take precedence over what was just stored, and disagree with it."""
    from ..lib.config import CredentialError

    qbo = config.qbo
    notes = []
    if qbo.realm_id is not None and qbo.realm_id != realm_id:
        notes.append(
            f"the config's qbo.realm_id names company {qbo.realm_id}, not {realm_id}: remove it "
            "(or set it to the connected company) so qbsps uses this connection"
        )
    pairs = (
        ("client_id", qbo.client_id, app.client_id),
        ("client_secret", qbo.client_secret, app.client_secret),
    )
    for key, source, used in pairs:
        if source is None:
            continue
        try:
            differs = source.resolve() != used
        except CredentialError as exc:
            notes.append(f"{exc}; the config's qbo.{key} is used first: remove it to use the stored one")
            continue
        if differs:
            notes.append(
                f"the config's qbo.{key} differs from the one just stored and is used first: remove it"
            )
    return notes
