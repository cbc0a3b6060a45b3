"""The QBO sandbox delivers real, signed webhooks to the receiver; CDC and a LastUpdatedTime sweep
then report the same change, and the inbox still holds it once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from qbsps_orchestration.lib.changes import from_cdc, from_query_rows
from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connector import open_ledger, qbo_client
from qbsps_orchestration.lib.http import RetryPolicy
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.secrets import SecretCipher
from qbsps_orchestration.lib.webhooks import WEBHOOK_PATH, webhook_app
from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.server import ServedApp
from qbsps_orchestration.sandbox.settings import QboSandboxSettings, SandboxSettings, SpsSandboxSettings

FAST_RETRY = RetryPolicy(max_attempts=3, base_seconds=0.01, max_wait_seconds=0.05)


@dataclass
class Rig:
    box: Sandbox
    inbox: Ledger  # the receiver's ledger, read through its own connection
    config_path: Path
    realm_id: str

    def access_token(self) -> str:
        """From the sandbox's token endpoint, as any QBO app gets one (refresh-token grant)."""
        settings = self.box.settings.qbo
        response = httpx.post(
            f"{self.box.qbo_url}/oauth2/v1/tokens/bearer",
            data={
                "grant_type": "refresh_token",
                "refresh_token": self.box.qbo.authority.issue_refresh_token(),
            },
            auth=(settings.client_id, settings.client_secret),
            headers={"Accept": "application/json"},
            trust_env=False,
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def create_invoice(self) -> dict:
        customer = self.box.qbo.find("Customer")[0]
        item = next(i for i in self.box.qbo.find("Item") if i.get("Type") != "Category")
        body = {
            "CustomerRef": {"value": customer["Id"]},
            "PONumber": "PO-WEBHOOK-1",
            "Line": [
                {
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 2, "UnitPrice": 10.5},
                }
            ],
        }
        response = httpx.post(
            f"{self.box.qbo_url}/v3/company/{self.realm_id}/invoice",
            json=body,
            params={"minorversion": "75"},
            headers={"Authorization": f"Bearer {self.access_token()}", "Accept": "application/json"},
            trust_env=False,
        )
        assert response.status_code == 200, response.text
        return response.json()["Invoice"]


@pytest.fixture(params=["cloudevents", "legacy"])
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    qbo_settings = QboSandboxSettings(throttle=False, webhook_format=request.param)
    inbox_url, cipher = f"sqlite:///{tmp_path / 'inbox.sqlite'}", SecretCipher([SecretCipher.generate_key()])

    def receiver_ledger() -> Ledger:
        ledger = Ledger(inbox_url, cipher=cipher)
        ledger.migrate()
        return ledger

    app = webhook_app(receiver_ledger, qbo_settings.webhook_verifier_token, [qbo_settings.realm_id])
    receiver = ServedApp(app, name="webhook-receiver").start()
    qbo_settings.webhook_url = receiver.base_url + WEBHOOK_PATH
    box = Sandbox(SandboxSettings(qbo=qbo_settings, sps=SpsSandboxSettings(seed=False))).start()
    inbox = receiver_ledger()
    try:
        config_path = tmp_path / "qbsps" / "config.yaml"
        box.write_config(config_path)
        yield Rig(box, inbox, config_path, qbo_settings.realm_id)
    finally:
        box.stop()
        receiver.stop()
        inbox.close()


def test_sandbox_webhook_cdc_and_sweep_give_one_inbox_row(rig: Rig) -> None:
    before = rig.box.clock.now() - timedelta(minutes=1)
    invoice = rig.create_invoice()
    started = time.perf_counter()
    rig.box.qbo.webhooks.flush()
    waited = time.perf_counter() - started
    print(f"\n{rig.box.settings.qbo.webhook_format} webhook in the inbox {waited:.3f} s after the write")

    (delivery,) = rig.box.qbo.webhooks.deliveries()
    assert (delivery["outcome"], delivery["status_code"], delivery["attempts"]) == ("delivered", 200, 1)
    (row,) = rig.inbox.pending_changes("Invoice")
    assert (row.realm_id, row.entity_id, row.operation, row.source) == (
        rig.realm_id,
        invoice["Id"],
        "Create",
        "webhook",
    )
    if rig.box.settings.qbo.webhook_format == "cloudevents":
        assert row.event_id == delivery["event_ids"][0]
    else:
        assert row.event_id is None  # legacy bodies carry no event id

    # The same change through the two fallback paths, with the connector's own QBO client.
    config = load_config(rig.config_path)
    token_ledger = open_ledger(config, actor="test", upgrade=True)
    client = qbo_client(config, token_ledger, retry=FAST_RETRY)
    try:
        cdc = from_cdc(client.cdc(["Invoice"], before), rig.realm_id)
        since = before.isoformat()
        swept = list(
            client.query_all("Invoice", f"select * from Invoice where MetaData.LastUpdatedTime >= '{since}'")
        )
    finally:
        client.close()
        token_ledger.close()
    assert [e.entity_id for e in cdc] == [invoice["Id"]] and cdc[0].identity[3] == row.changed_at
    assert rig.inbox.record_changes(cdc) == 0
    assert rig.inbox.record_changes(from_query_rows("Invoice", swept, rig.realm_id)) == 0
    assert len(rig.inbox.pending_changes()) == 1
