"""What the `qbsps` commands share: the --config option, loading it, the Dagster instance, and the
command group that turns a missing connection into a plain message."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported lazily at run time: `qbsps --help` stays fast
    from dagster import DagsterInstance

    from ..lib.config import QbspsConfig
    from ..lib.ledger import DocumentRecord, Ledger


def dagster_instance() -> DagsterInstance:
    """The instance in $DAGSTER_HOME (default .qbsps/dagster), so runs show in the Dagster UI."""
    import os

    import dagster as dg

    from ..runs import prepare_dagster_home

    prepare_dagster_home(Path(os.environ.setdefault("DAGSTER_HOME", str(Path(".qbsps/dagster").resolve()))))
    return dg.DagsterInstance.get()


class QbspsGroup(click.Group):
    """A user-fixable gap (not connected, a credential's variable unset) or an API's refusal ends in
    one plain line."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # Imported only here: `qbsps --help` must not load the connector.
            from urllib.parse import urlsplit

            from ..lib.config import CredentialError
            from ..lib.connector import NotConnectedError
            from ..lib.http import TRANSPORT_ERRORS
            from ..lib.ledger import LedgerNotUpgradedError
            from ..lib.qbo import QboError, QboOAuthError
            from ..lib.sps import SpsError

            # An API's refusal is an answer, not a bug: its own text (with Intuit's or SPS's
            # request id) says what happened; the messages never hold a secret.
            fixable = NotConnectedError | CredentialError | LedgerNotUpgradedError
            if isinstance(exc, fixable | QboError | QboOAuthError | SpsError):
                raise click.ClickException(str(exc)) from None
            if isinstance(exc, TRANSPORT_ERRORS):
                url = getattr(getattr(exc, "request", None), "url", None)
                where = f" {urlsplit(str(url)).hostname}" if url else ""
                raise click.ClickException(f"cannot reach{where}: {exc}") from None
            raise


company_option = click.option(
    "--company",
    envvar="QBSPS_COMPANY",
    metavar="NAME",
    help="In a deployment serving several companies: the company whose config ($QBSPS_COMPANIES_DIR/"
    "NAME.yaml), ledger and Dagster assets a command works on.",
)


def serve_company(company: str | None) -> None:
    """Select the company before any subcommand imports the Dagster definitions (they read it then)."""
    if not company:
        return
    from ..lib.config import ConfigError
    from ..lib.config.companies import select_company

    try:
        select_company(company)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def load_config_or_exit(path: Path | None) -> QbspsConfig:
    import os

    from ..lib.config import CONFIG_ENV, ConfigError, load_config
    from ..lib.config.companies import current_company

    if path is not None and current_company() is not None:
        raise click.UsageError("give --company or --config, not both: a company's config is its file")
    try:
        config = load_config(path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if path is not None:
        # Dagster's resources find the config through $QBSPS_CONFIG: the runs a command starts
        # must read the file the user named, not another one.
        os.environ[CONFIG_ENV] = str(path.resolve())
    return config


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="qbsps config file (default: $QBSPS_CONFIG).",
)
csv_option = click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the table as CSV here.",
)


def resolve_document(
    ledger: Ledger,
    document: str,
    kinds: Sequence[tuple[str, str]],
    *,
    what: str,
    number: str,
    narrow: str = "",
) -> DocumentRecord:
    """DOCUMENT as an operator names it: its ledger id, or PARTNER/NUMBER looked up among ``kinds``
    ((direction, document type) pairs). ``what`` names those kinds in errors ("order or invoice"),
    ``number`` the numbers they go by ("PO or INVOICE"), ``narrow`` another way to pick one of several."""
    from ..lib.ledger import Direction, DocumentNotFoundError

    text = document.strip()
    if text.isdigit():
        try:
            return ledger.document(int(text))
        except DocumentNotFoundError:
            raise click.ClickException(
                f"no document {text} in the ledger (ids as `qbsps status` shows them)"
            ) from None
    partner, slash, key = text.partition("/")
    if not slash or not partner or not key:
        raise click.ClickException(
            f"DOCUMENT {document!r}: give the ledger id (as `qbsps status` shows it) or PARTNER/"
            f"{number.replace(' or ', ' or PARTNER/')} (the TradingPartnerId and the document's number)"
        )
    found = [
        record
        for direction, doc_type in kinds
        if (record := ledger.find_document(Direction(direction), doc_type, partner, key)) is not None
    ]
    if not found:
        raise click.ClickException(f"no {what} {partner}/{key} in the ledger")
    if len(found) > 1:
        ids = ", ".join(f"{r.id} ({r.doc_type})" for r in found)
        raise click.ClickException(f"{partner}/{key} names several documents, {ids}: give its id{narrow}")
    return found[0]
