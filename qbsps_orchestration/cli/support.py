"""What the `qbsps` commands share: the --config option, loading it, the Dagster instance, and the
command group that turns a missing connection into a plain message."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported lazily at run time: `qbsps --help` stays fast
    from dagster import DagsterInstance

    from ..lib.config import QbspsConfig


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


def load_config_or_exit(path: Path | None) -> QbspsConfig:
    import os

    from ..lib.config import CONFIG_ENV, ConfigError, load_config

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
