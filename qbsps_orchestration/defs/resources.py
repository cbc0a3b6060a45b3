"""Resource bindings: the config file from $QBSPS_CONFIG at run time; the ledger's URL and keys from
$QBSPS_LEDGER_URL / $QBSPS_SECRET_KEYS when the code location's environment sets them (else the
config file decides, as the qbsps commands do). All as EnvVar: the UI shows names, never values."""

import os

import dagster as dg

from ..lib.config import CONFIG_ENV
from ..lib.ledger import LEDGER_URL_ENV
from ..lib.secrets import SECRET_KEYS_ENV
from ..resources import LedgerResource, QboResource, QbspsConfigResource, SpsResource


def _set_variables(**fields: str) -> dict[str, dg.EnvVar]:
    # An EnvVar whose variable is unset fails the run, so only the ones set are bound.
    return {field: dg.EnvVar(name) for field, name in fields.items() if os.environ.get(name)}


@dg.definitions
def resources() -> dg.Definitions:
    # Bound at launch (a PartialResource): each run builds one config resource and hands that same
    # instance to ledger, sps and qbo, so the file is validated once per run. A fully bound nested
    # resource would be set up again for each resource that holds it.
    config = QbspsConfigResource.configure_at_launch(
        path=dg.EnvVar(CONFIG_ENV),
        **_set_variables(ledger_url=LEDGER_URL_ENV, secret_keys=SECRET_KEYS_ENV),
    )
    return dg.Definitions(
        resources={
            "qbsps_config": config,
            "ledger": LedgerResource(config=config),
            "sps": SpsResource(config=config),
            "qbo": QboResource(config=config),
        }
    )
