"""`qbsps companies`: the companies one deployment serves, one config file each in
$QBSPS_COMPANIES_DIR, and the Dagster workspace that gives each its own code location."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

T = TypeVar("T")

companies_dir_option = click.option(
    "--dir",
    "directory",
    envvar="QBSPS_COMPANIES_DIR",
    type=click.Path(path_type=Path, file_okay=False),
    help="The folder of company configs, NAME.yaml each (default: $QBSPS_COMPANIES_DIR).",
)


@click.group()
def companies() -> None:
    """Several QuickBooks companies (and their SPS accounts) in one deployment."""


@companies.command("list")
@companies_dir_option
@click.option("--names", is_flag=True, help="Only the names, one per line (for scripts).")
def companies_list(directory: Path | None, names: bool) -> None:
    """Each company, its QBO company, ledger and trading partners."""
    from ..lib.config import ConfigError, load_config
    from ..lib.config.companies import company_config_path, company_names

    found = _or_exit(lambda: company_names(directory))
    for name in found:
        if names:
            click.echo(name)
            continue
        try:
            config = load_config(company_config_path(name, directory))
        except ConfigError as exc:
            click.echo(f"{name}: does not load: {exc}")
            continue
        partners = ", ".join(p.trading_partner_id for p in config.trading_partners)
        realm = config.qbo.realm_id or "from `qbsps connect`"
        click.echo(f"{name}: QBO company {realm}; ledger {_shown(config.ledger.url)}; partners {partners}")


@companies.command("check")
@companies_dir_option
def companies_check(directory: Path | None) -> None:
    """Every company config loads and no two companies share a ledger or a QBO company, the one
    its config names or else the one `qbsps connect` stored in its ledger (exit status 1 when one
    does; a ledger that cannot be read for that is named)."""
    from ..lib.config.companies import company_names, deployment_problems

    problems = _or_exit(lambda: deployment_problems(directory))
    connected, notes = _connected_realm_problems(directory)
    for who, reason in [*problems, *connected, *notes]:
        click.echo(f"{who}: {reason}" if who else reason)
    if problems or connected:
        raise SystemExit(1)
    unchecked = f"; {len(notes)} not checked for a shared QBO company (above)" if notes else ""
    click.echo(f"ok: {len(company_names(directory))} companies, each with its own ledger{unchecked}")


def _connected_realm_problems(directory: Path | None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Companies sharing a QBO company that only `qbsps connect` named (stored in each ledger; the
    configs' own realms are compared by deployment_problems), and a note for each company whose
    ledger could not be read for it."""
    from ..lib.config import ConfigError, CredentialError, load_config
    from ..lib.config.companies import company_config_path, company_names
    from ..lib.connector import connected_config
    from ..lib.ledger import LedgerNotUpgradedError
    from ..lib.ledger.storage.migration_status import LedgerUnreachableError, migration_status
    from ..lib.secrets import SecretDecryptError, SecretKeyError

    unreadable = (
        LedgerUnreachableError,
        LedgerNotUpgradedError,
        CredentialError,
        SecretKeyError,
        SecretDecryptError,
    )
    realms: dict[str, list[tuple[str, bool]]] = defaultdict(list)  # realm -> (company, from its ledger)
    notes: list[tuple[str, str]] = []
    unchecked = "the QBO company it is connected to is not checked"
    for name in company_names(directory):
        try:
            config = load_config(company_config_path(name, directory))
        except ConfigError:
            continue  # deployment_problems names it
        if config.qbo.realm_id:
            realms[config.qbo.realm_id].append((name, False))
            continue
        try:
            status = migration_status(config.ledger.url)
            if not status.at_head:  # reading it would create it (SQLite) or be refused
                state = "is not migrated" if status.exists else "does not exist yet"
                notes.append((name, f"ledger {status.database} {state} (qbsps db upgrade): {unchecked}"))
                continue
            realm = connected_config(config).qbo.realm_id
        except unreadable as exc:
            notes.append((name, f"{exc}: {unchecked}"))
            continue
        if realm is not None:
            realms[realm].append((name, True))
    shared = [
        (", ".join(name for name, _ in found), f"are connected to the same QBO company (realm {realm})")
        for realm, found in realms.items()
        if len(found) > 1 and any(from_ledger for _, from_ledger in found)
    ]
    return shared, notes


@companies.command("workspace")
@companies_dir_option
def companies_workspace(directory: Path | None) -> None:
    """Print a Dagster workspace.yaml with one code location per company (the webserver and the
    daemon load it with -w; each location's process serves one company)."""
    import yaml

    from ..lib.config.companies import company_names, deployment_problems

    if problems := _or_exit(lambda: deployment_problems(directory)):
        listed = "; ".join(f"{who}: {reason}" if who else reason for who, reason in problems)
        raise click.ClickException(f"fix the companies first ({listed})")
    locations = [
        {
            "python_module": {
                "module_name": "qbsps_orchestration.definitions",
                "attribute": name,
                "location_name": name,
            }
        }
        for name in _or_exit(lambda: company_names(directory))
    ]
    click.echo(yaml.safe_dump({"load_from": locations}, sort_keys=False), nl=False)


def _or_exit(call: Callable[[], T]) -> T:
    from ..lib.config import ConfigError

    try:
        return call()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"
