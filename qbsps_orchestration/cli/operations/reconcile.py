"""`qbsps reconcile`: do QuickBooks and SPS agree? The findings as tables, and as CSV."""

from __future__ import annotations

from pathlib import Path

import click

from ..support import config_option, csv_option, load_config_or_exit


@click.command()
@config_option
@csv_option
@click.option(
    "--days",
    default=30,
    show_default=True,
    type=click.IntRange(1, 3650),
    help="How far back SPS history is read.",
)
def reconcile(config_path: Path | None, csv_path: Path | None, days: int) -> None:
    """Compare QuickBooks (read from QBO) with SPS (its history), linked by the ledger: every SPS
    order has its QBO document with the same total; every partner invoice was sent and accepted;
    every shipped invoice has its 856; every order its 855 where the partner wants one; orphans on
    either side. Prints one table per kind of finding. Exits 1 when there is any finding, 0 when
    the two sides agree."""
    from datetime import UTC, datetime, timedelta

    from ...lib.connector import connected_config, open_ledger, qbo_client, sps_client
    from ...lib.reconcile import as_text, findings_frame
    from ...lib.reconcile import reconcile as compare
    from ...lib.tables import write_csv

    config = load_config_or_exit(config_path)
    ledger = open_ledger(config, actor="qbsps reconcile")
    try:
        config = connected_config(config, ledger)
        qbo, sps = qbo_client(config, ledger), sps_client(config)
        try:
            since = datetime.now(UTC) - timedelta(days=days)
            frame = findings_frame(compare(config, ledger, qbo, sps, since=since))
        finally:
            qbo.close()
            sps.close()
    finally:
        ledger.close()
    click.echo(as_text(frame))
    if csv_path is not None:
        click.echo(f"\nwritten: {write_csv(frame, csv_path)}")
    raise SystemExit(1 if len(frame) else 0)
