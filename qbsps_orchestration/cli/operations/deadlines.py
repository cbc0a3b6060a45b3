"""`qbsps deadlines`: every document a trading partner is owed by a deadline, and where it stands."""

from __future__ import annotations

from pathlib import Path

import click

from ..support import config_option, csv_option, load_config_or_exit


@click.command()
@config_option
@csv_option
def deadlines(config_path: Path | None, csv_path: Path | None) -> None:
    """The 855s, 856s and 810s owed under each partner's deadlines: block (orders received and
    invoices shipped in the last 30 days, from the ledger and QBO): missed first, then near, open
    and met, each with its due time, how it was reached and the estimated chargeback. Exits 1 when
    any is missed, 0 otherwise. The deadline alert sensor sends the same as alerts."""
    from contextlib import ExitStack
    from datetime import UTC, datetime

    from ...lib.connector import connected_config, open_ledger, qbo_client
    from ...lib.deadlines import (
        deadlines_frame,
        deadlines_text,
        obligations,
        partners_with_deadlines,
        shipped_in_window,
    )
    from ...lib.qbo import QboClient
    from ...lib.tables import write_csv

    config = load_config_or_exit(config_path)
    if not partners_with_deadlines(config):
        raise click.ClickException("no trading partner has a deadlines: block in the config")
    now = datetime.now(UTC)
    ledger = open_ledger(config, actor="qbsps deadlines")
    try:
        config = connected_config(config, ledger)
        with ExitStack() as stack:

            def connect() -> QboClient:  # opened only when a shipment deadline needs QBO
                client = qbo_client(config, ledger)
                stack.callback(client.close)
                return client

            found = obligations(config, ledger, shipped_in_window(config, ledger, connect, now), now)
    finally:
        ledger.close()
    frame = deadlines_frame(found, now)
    click.echo(deadlines_text(frame))
    if csv_path is not None:
        click.echo(f"\nwritten: {write_csv(frame, csv_path)}")
    raise SystemExit(1 if (frame["state"] == "missed").any() else 0)
