"""A sandbox plus the connector wired to it exactly as a user wires it: through the config file
that `qbsps sandbox --write-config` writes, loaded by the connector's own loader."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from qbsps_orchestration.lib.config import QbspsConfig, load_config
from qbsps_orchestration.lib.connector import qbo_client, sps_client
from qbsps_orchestration.lib.http import RetryPolicy
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.qbo import QboClient
from qbsps_orchestration.lib.sps import SpsClient
from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.settings import QboSandboxSettings, SandboxSettings, SpsSandboxSettings
from qbsps_tests.storage_templates import migrated_ledger
from qbsps_tests.support import shared_dir

# How a bookkeeper's shipped invoice says how it went (with a ShipDate): carrier, tracking, ship-to.
SHIPPING = {
    "TrackingNum": "1Z999AA10123456784",
    "ShipMethodRef": {"value": "UPS Ground", "name": "UPS Ground"},
    "ShipAddr": {
        "Line1": "1 Dock Rd",
        "City": "Dallas",
        "CountrySubDivisionCode": "TX",
        "PostalCode": "75201",
    },
}
FAST_RETRY = RetryPolicy(max_attempts=4, base_seconds=0.01, max_wait_seconds=0.05)


@dataclass
class SandboxedConnector:
    box: Sandbox
    config_path: Path
    config: QbspsConfig
    ledger: Ledger
    _clients: list = field(default_factory=list)

    @property
    def orders_folder(self) -> str:
        return self.config.sps.folders.orders

    def sps(self) -> SpsClient:
        client = sps_client(self.config, retry=FAST_RETRY)
        self._clients.append(client)
        return client

    def qbo(self) -> QboClient:
        client = qbo_client(self.config, self.ledger, retry=FAST_RETRY)
        self._clients.append(client)
        return client

    def order_files(self) -> list[str]:
        return [p.rsplit("/", 1)[1] for p in self.box.sps.list_files(self.orders_folder)]

    def purchase_orders(self) -> list[dict]:
        return self.box.qbo.find("PurchaseOrder")

    def create_invoice(
        self,
        number: str,
        po_number: str,
        *,
        lines: list[dict] | None = None,
        quantity: str = "4",
        shipped: bool = True,
        customer_id: str | None = None,
        qbo: QboClient | None = None,
        include: str | None = None,
    ) -> dict:
        """A QBO Invoice as a bookkeeper makes it, through the QBO API. Default: `quantity` of the
        first seed item at 20.00, shipped by UPS Ground with a tracking number and a ship-to.
        Pass ``qbo`` when making many (one client, one token)."""
        if lines is None:
            item = self.box.qbo.find("Item", Name="HD-20 Sample Item 1")[0]
            qty, price = Decimal(quantity), Decimal("20.00")
            detail = {"ItemRef": {"value": item["Id"]}, "Qty": qty, "UnitPrice": price}
            lines = [
                {"DetailType": "SalesItemLineDetail", "Amount": qty * price, "SalesItemLineDetail": detail}
            ]
        body = {
            "DocNumber": number,
            "TxnDate": "2026-11-25",
            "PONumber": po_number,
            "Line": lines,
            "CustomerRef": {"value": customer_id or self.config.partner("SPSALLTESTID").qbo_customer.id},
        }
        if shipped:
            body |= {"ShipDate": "2026-11-26", **SHIPPING}
        client = qbo or self.qbo()
        return client.create("Invoice", body, request_id=f"test-invoice-{number}-{quantity}", include=include)

    def accepted_sha(self, path: str) -> str:
        """The sha256 of the last upload the SPS sandbox accepted at ``path``."""
        accepted = self.box.sps.accepted(path)
        assert accepted, f"SPS accepted nothing at {path}"
        return hashlib.sha256(accepted[-1]).hexdigest()

    def without_history_lag(self) -> None:
        """qbsps trusts the sandbox's history at once (it shows an upload immediately): an upload a
        SIGKILL cut off before it left is re-sent on the next pass, not after SPS's real 300 s lag
        (the exactly-once tests cover the lag)."""
        data = yaml.safe_load(self.config_path.read_text())
        data["sps"]["history_lag_seconds"] = 0
        self.config_path.write_text(yaml.safe_dump(data, sort_keys=False))

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.ledger.close()


class SessionSandbox:
    """One served sandbox per test process (an xdist worker), reset before each use: a new
    company, mailbox, tokens, clock, faults and webhook sender on the same ports (see
    `Sandbox.reset`). Starting and stopping two uvicorn servers per test cost more than the test.
    A second sandbox wanted while this one is in use (nested, or held by a module fixture), or one
    a test stopped, is started fresh as before."""

    def __init__(self) -> None:
        self._box: Sandbox | None = None
        self._in_use = False

    @contextmanager
    def use(self, settings: SandboxSettings) -> Iterator[Sandbox]:
        if self._in_use:
            with Sandbox(settings) as private:
                yield private
            return
        if self._box is None or not self._box.serving:
            self._box = Sandbox(settings).start()
        else:
            self._box.reset(settings)
        self._in_use = True
        try:
            yield self._box
        finally:
            self._in_use = False

    def stop(self) -> None:
        if self._box is not None:
            self._box.stop()
            self._box = None


SESSION_SANDBOX = SessionSandbox()


@contextmanager
def sandboxed_connector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, samples: bool, ledger_url: str | None = None
) -> Iterator[SandboxedConnector]:
    samples_dir = shared_dir() / "sps_samples" if samples else None
    settings = SandboxSettings(
        qbo=QboSandboxSettings(throttle=False),
        sps=SpsSandboxSettings(samples_dir=samples_dir, seed=samples),
    )
    with SESSION_SANDBOX.use(settings) as box:
        config_path = tmp_path / "qbsps" / "config.yaml"
        box.write_config(config_path)
        if ledger_url is not None:  # e.g. PostgreSQL instead of the sandbox's SQLite file
            data = yaml.safe_load(config_path.read_text())
            data["ledger"]["url"] = ledger_url
            config_path.write_text(yaml.safe_dump(data, sort_keys=False))
        monkeypatch.setenv("QBSPS_CONFIG", str(config_path))
        config = load_config(config_path)
        running = SandboxedConnector(box, config_path, config, migrated_ledger(config, actor="test"))
        try:
            yield running
        finally:
            running.close()
