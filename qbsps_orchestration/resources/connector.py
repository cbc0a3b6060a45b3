"""Resources: the ledger, and one per API, each holding that API's auth, all built from the config
resource (config.py).

Clients are opened per use (a context manager) and closed after, so a run never keeps sockets or a
database connection beyond its step; the QBO tokens live in the ledger, not in the resource.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from ..lib.connector import open_ledger, qbo_client, sps_client
from ..lib.ledger import Ledger
from ..lib.qbo import QboClient
from ..lib.sps import SpsClient
from .config import QbspsConfigResource


class LedgerResource(dg.ConfigurableResource):
    config: dg.ResourceDependency[QbspsConfigResource]

    @contextmanager
    def open(self, *, actor: str, run_id: str | None = None) -> Iterator[Ledger]:
        ledger = open_ledger(self.config.load(), actor=actor, run_id=run_id)
        try:
            yield ledger
        finally:
            ledger.close()


class SpsResource(dg.ConfigurableResource):
    """SPS Commerce: client-credentials token, Transaction API v5."""

    config: dg.ResourceDependency[QbspsConfigResource]

    @contextmanager
    def client(self) -> Iterator[SpsClient]:
        client = sps_client(self.config.load())
        try:
            yield client
        finally:
            client.close()


class QboResource(dg.ConfigurableResource):
    """QuickBooks Online: OAuth tokens kept and rotated in the ledger, Accounting API v3."""

    config: dg.ResourceDependency[QbspsConfigResource]

    @contextmanager
    def client(self, ledger: Ledger) -> Iterator[QboClient]:
        client = qbo_client(self.config.load(), ledger)
        try:
            yield client
        finally:
            client.close()


@contextmanager
def open_connector(
    ledger: LedgerResource, sps: SpsResource, qbo: QboResource, *, actor: str, run_id: str | None
) -> Iterator[tuple[Ledger, SpsClient, QboClient]]:
    """The ledger and both API clients for one step, closed together afterwards."""
    with (
        ledger.open(actor=actor, run_id=run_id) as book,
        sps.client() as sps_api,
        qbo.client(book) as qbo_api,
    ):
        yield book, sps_api, qbo_api
