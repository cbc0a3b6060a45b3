"""A complete, valid config (the shape `qbsps sandbox --write-config` emits) and a writer for variants."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

SAMPLE_YAML = """\
qbo:
  api_base_url: http://127.0.0.1:8001
  token_url: http://127.0.0.1:8001/oauth2/v1/tokens/bearer
  discovery_url: http://127.0.0.1:8001/.well-known/openid_configuration
  realm_id: "9341455130298576"
  minor_version: 75
  client_id: {env: QBSPS_QBO_CLIENT_ID}
  client_secret: {env: QBSPS_QBO_CLIENT_SECRET}
  refresh_token: {env: QBSPS_QBO_REFRESH_TOKEN}
  webhook_verifier_token: {env: QBSPS_QBO_WEBHOOK_VERIFIER}
sps:
  api_base_url: http://127.0.0.1:8002
  token_url: http://127.0.0.1:8002/oauth/token
  audience: https://spscommerce.com
  client_id: {env: QBSPS_SPS_CLIENT_ID}
  client_secret: {env: QBSPS_SPS_CLIENT_SECRET}
  folders:
    orders: out/PO/
    outbound: in/
ledger:
  url: sqlite:///.qbsps/ledger.db
polling:
  interval_minutes: 5
accounts:
  ap_account: {id: "33"}
  expense_account: {id: "80"}
  income_account: {id: "79"}
trading_partners:
  - trading_partner_id: SPSALLTESTID
    name: SPS All Test Retail
    vendor_number: VEND6174
    qbo_vendor: {id: "56"}
    qbo_customer: {id: "58"}
    rsx_format: json
    inbound_target: PurchaseOrder
  - trading_partner_id: OTHERRETAILER
    name: Other Retailer
    vendor_number: "0042"
    qbo_vendor: {name: Other Retailer}
    qbo_customer: {name: Other Retailer}
    rsx_format: xml
items:
  - qbo_item: {id: "19"}
    vendor_part_number: SPSSupplierHD-20
    buyer_part_number: SPSBuyerItem1
    upc: "859563003863"
    trading_partner_id: SPSALLTESTID
"""

WriteConfig = Callable[..., Path]


def sample() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(SAMPLE_YAML))


@pytest.fixture
def write_config(tmp_path: Path) -> WriteConfig:
    """Write a config file: the sample, changed by `edit(data)`, or the given raw `text`."""

    def write(edit: Callable[[dict[str, Any]], None] | None = None, *, text: str | None = None) -> Path:
        path = tmp_path / "qbsps.yaml"
        if text is None:
            data = sample()
            if edit is not None:
                edit(data)
            text = yaml.safe_dump(data, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write
