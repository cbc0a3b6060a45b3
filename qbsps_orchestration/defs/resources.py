"""Resource bindings. The config file path comes from $QBSPS_CONFIG at run time."""

import dagster as dg

from ..resources import LedgerResource, QboResource, QbspsConfigResource, SpsResource


@dg.definitions
def resources() -> dg.Definitions:
    config = QbspsConfigResource()
    return dg.Definitions(
        resources={
            "qbsps_config": config,
            "ledger": LedgerResource(config=config),
            "sps": SpsResource(config=config),
            "qbo": QboResource(config=config),
        }
    )
