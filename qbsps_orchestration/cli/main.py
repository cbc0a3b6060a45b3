"""The `qbsps` command: the group, and every subcommand from the module that holds it."""

from __future__ import annotations

import click

from .companies import companies
from .connect import connect
from .dev import dev
from .doctor import db, doctor
from .init import init
from .items import items
from .operations.deadlines import deadlines
from .operations.diff import diff
from .operations.reconcile import reconcile
from .operations.replay import replay
from .operations.status import conflicts, partners, status
from .sandbox import sandbox
from .secrets import secrets
from .support import QbspsGroup, company_option, serve_company
from .sync import preview, sync
from .webhooks import webhooks


@click.group(cls=QbspsGroup)
@click.version_option(package_name="qbsps")
@company_option
def main(company: str | None) -> None:
    """qbsps: QuickBooks Online <-> SPS Commerce EDI, orchestrated by Dagster."""
    serve_company(company)


@main.command()
def demo() -> None:
    """Start the sandbox, run the inbound sync once through Dagster, show the result."""
    from ..demo import run_demo

    raise SystemExit(run_demo(click.echo))


for command in (
    companies,
    conflicts,
    connect,
    db,
    deadlines,
    dev,
    diff,
    doctor,
    init,
    items,
    partners,
    preview,
    reconcile,
    replay,
    sandbox,
    secrets,
    status,
    sync,
    webhooks,
):
    main.add_command(command)
