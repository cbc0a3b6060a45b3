"""`qbsps doctor` (does the whole setup fit?) and `qbsps db upgrade` (apply the ledger migrations)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from .support import config_option, load_config_or_exit

_STATUS_COLOURS = {"PASS": "green", "WARN": "yellow", "FAIL": "red", "SKIP": "bright_black"}
_NAME_WIDTH = 24
_INDENT = " " * (6 + _NAME_WIDTH + 1)  # under the detail column


@click.command()
@config_option
def doctor(config_path: Path | None) -> None:
    """Check the config, ledger, encryption key, QuickBooks, SPS, partners and webhook receiver.

    One line per check (PASS, WARN, FAIL or SKIP), with what to do for each problem. Exits 0 when
    nothing failed. Forces one QBO token refresh (stored as any refresh is); changes nothing else.
    """
    from ..lib.doctor import Status, all_passed, run_doctor

    # Each failure is reported on its own line below; the retry policy's warnings would repeat it.
    logging.getLogger("qbsps_orchestration.lib.http").setLevel(logging.ERROR)
    results = []
    for result in run_doctor(config_path):
        results.append(result)
        status = click.style(f"{result.status.value:<4}", fg=_STATUS_COLOURS[result.status.value], bold=True)
        first, *more = result.detail.splitlines() or [""]
        click.echo(f"{status}  {result.name:<{_NAME_WIDTH}} {first}")
        for line in more:  # e.g. one line per config problem
            click.echo(f"{_INDENT}{line}")
        if result.fix and result.status in (Status.FAIL, Status.WARN):
            click.echo(f"{_INDENT}fix: {result.fix}")
    counts = {status: sum(1 for r in results if r.status is status) for status in Status}
    summary = ", ".join(f"{counts[s]} {s.value.lower()}" for s in Status if counts[s])
    if all_passed(results):
        click.echo(f"\nqbsps doctor: everything fits ({summary}).")
        return
    click.echo(f"\nqbsps doctor: {counts[Status.FAIL]} check(s) failed ({summary}).", err=True)
    raise SystemExit(1)


@click.group()
def db() -> None:
    """The ledger database."""


@db.command("upgrade")
@config_option
@click.option(
    "--all-companies",
    is_flag=True,
    help="Upgrade the ledger of every company of $QBSPS_COMPANIES_DIR, one after the other.",
)
def db_upgrade(config_path: Path | None, all_companies: bool) -> None:
    """Apply the ledger's migrations (creates the database when new); safe to run again."""
    if not all_companies:
        _upgrade(load_config_or_exit(config_path).ledger.url, "")
        return
    from ..lib.config import ConfigError, load_config
    from ..lib.config.companies import company_config_path, company_names, current_company

    if config_path is not None or current_company() is not None:
        raise click.UsageError(
            "--all-companies upgrades every company: give it without --config or --company"
        )
    try:
        urls = [(name, load_config(company_config_path(name)).ledger.url) for name in company_names()]
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    for name, url in urls:
        _upgrade(url, f"{name}: ")


def _upgrade(url: str, whose: str) -> None:
    from ..lib.ledger.storage.migration_status import LedgerUnreachableError, migration_status

    try:
        before = migration_status(url)
    except LedgerUnreachableError as exc:
        raise click.ClickException(f"{whose}{exc}") from None
    if before.unknown:
        raise click.ClickException(
            f"{whose}{before.database} is at revision {', '.join(before.unknown)}, which this qbsps does "
            "not know: a newer qbsps migrated it; upgrade qbsps instead"
        )
    if before.at_head:
        click.echo(f"{whose}ledger {before.database} is already at revision {', '.join(before.heads)}")
        return
    _migrate(url, before.database)
    was = ", ".join(before.current) or "an empty database"
    click.echo(f"{whose}ledger {before.database} upgraded from {was} to revision {', '.join(before.heads)}")


def _migrate(url: str, shown: str) -> None:
    from ..lib.ledger import Ledger

    ledger = Ledger(url)  # no cipher: migrating touches no secret
    try:
        ledger.migrate()
    except Exception as exc:  # name the database (never the URL's password) and the cause
        raise click.ClickException(
            f"migrating the ledger {shown} failed: {type(exc).__name__}: {exc}"
        ) from None
    finally:
        ledger.close()
