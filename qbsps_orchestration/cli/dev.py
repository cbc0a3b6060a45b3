"""`qbsps dev`: the live local stack (`make dev`) and the two people who use it, retailer and bookkeeper."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

from ..devstack.layout import DEFAULT_HOME
from .support import load_config_or_exit

if TYPE_CHECKING:  # imported lazily at run time: `qbsps --help` stays fast
    from ..lib.config import QbspsConfig

port = click.IntRange(1, 65535)
dev_config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_HOME / "config.yaml",
    show_default=True,
    help="The dev stack's config file.",
)


@click.group()
def dev() -> None:
    """A live local stack on the sandbox, and a retailer and a bookkeeper to play with."""


@dev.command("up")
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_HOME,
    show_default=True,
    help="Its config, ledger, Dagster home and logs, made afresh on every start.",
)
@click.option("--qbo-port", type=port, default=8711, show_default=True, help="QuickBooks Online sandbox.")
@click.option("--sps-port", type=port, default=8712, show_default=True, help="SPS Commerce sandbox.")
@click.option("--receiver-port", type=port, default=8713, show_default=True, help="QBO webhook receiver.")
@click.option("--dagster-port", type=port, default=3000, show_default=True, help="Dagster UI.")
@click.option(
    "--poll-seconds",
    type=click.IntRange(5, 900),
    default=15,
    show_default=True,
    help="How often the sensors poll the sandbox (polling.sandbox_interval_seconds).",
)
def dev_up(
    home: Path, qbo_port: int, sps_port: int, receiver_port: int, dagster_port: int, poll_seconds: int
) -> None:
    """Start the sandbox, the webhook receiver and `dagster dev` on a fresh config; Ctrl+C stops all."""
    from ..devstack.layout import DevHome, DevPorts
    from ..devstack.services import ServiceError
    from ..devstack.stack import DevStack

    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    stack = DevStack(
        DevHome(home),
        DevPorts(qbo=qbo_port, sps=sps_port, receiver=receiver_port, dagster=dagster_port),
        poll_seconds=poll_seconds,
        echo=click.echo,
        command=_command(),
    )
    try:
        stack.run(stopping)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from None


@dev.command("order")
@dev_config_option
@click.option("--partner", "partner_id", help="TradingPartnerId (default: the config's first partner).")
def dev_order(config_path: Path, partner_id: str | None) -> None:
    """As the retailer: drop a new purchase order into the sandbox's SPS out/PO/ (a fresh PO number)."""
    import httpx

    from ..lib.sps import SpsError
    from ..retailer import UnknownPartnerError, drop_order

    config = _sandbox_config(config_path)
    try:
        dropped = drop_order(config, partner_id)
    except UnknownPartnerError as exc:
        raise click.ClickException(str(exc)) from None
    except httpx.ConnectError:
        raise click.ClickException(_not_running("SPS", str(config.sps.api_base_url))) from None
    except (SpsError, httpx.HTTPError) as exc:
        raise click.ClickException(
            f"SPS at {config.sps.api_base_url} refused or did not answer: {exc}"
        ) from None
    click.echo(f"PO {dropped.po_number} from {dropped.partner.name} ({dropped.partner.trading_partner_id})")
    click.echo(f"dropped into SPS {dropped.path}; the sensor picks it up on its next poll")


@dev.command("invoice")
@dev_config_option
@click.argument("po_number", required=False)
@click.option("--partner", "partner_id", help="TradingPartnerId, when two partners used the PO number.")
def dev_invoice(config_path: Path, po_number: str | None, partner_id: str | None) -> None:
    """As the bookkeeper: invoice a landed order in QuickBooks, shipped (default: the newest one)."""
    import httpx

    from ..bookkeeper import NothingToInvoiceError, invoice_with_shipping
    from ..lib.qbo.errors import QboError
    from ..lib.qbo.tokens import QboOAuthError

    config = _sandbox_config(config_path)
    try:
        invoice = invoice_with_shipping(config, po_number, partner_id=partner_id)
    except NothingToInvoiceError as exc:
        raise click.ClickException(str(exc)) from None
    except httpx.ConnectError:
        raise click.ClickException(_not_running("QuickBooks", str(config.qbo.api_base_url))) from None
    except (QboError, QboOAuthError, httpx.HTTPError) as exc:
        raise click.ClickException(
            f"QuickBooks at {config.qbo.api_base_url} refused or did not answer: {exc}"
        ) from None
    shipped = f"shipped {invoice['ShipDate']} by {invoice['ShipMethodRef']['value']}"
    click.echo(
        f"Invoice {invoice['DocNumber']} (Id {invoice['Id']}) for PO {invoice['PONumber']}, "
        f"{shipped}, tracking {invoice['TrackingNum']}"
    )
    click.echo("QuickBooks sends the webhook now; the 810 and the 856 follow in SPS within seconds")


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _sandbox_config(path: Path) -> QbspsConfig:
    """The retailer and the bookkeeper act on the local sandbox only: a config pointing at real
    QuickBooks or SPS would have them invoice a real customer."""
    config = load_config_or_exit(path)
    for api, url in (("qbo", config.qbo.api_base_url), ("sps", config.sps.api_base_url)):
        if urlsplit(str(url)).hostname not in LOOPBACK:
            raise click.ClickException(
                f"{path}: {api}.api_base_url is {url}, not the local sandbox; "
                "qbsps dev commands act on the sandbox of `make dev` only"
            )
    return config


def _not_running(api: str, url: str) -> str:
    return f"nothing answers at {url} ({api}): is the dev stack running? Start it with `make dev`"


def _command() -> str:
    """How the user ran qbsps (e.g. .venv/bin/qbsps from `make dev`), for the commands we print."""
    invoked = Path(sys.argv[0])
    return str(invoked) if invoked.name == "qbsps" else "qbsps"
