"""Both servers together: the info file any client can use, and the connector config file."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.seed_catalog import ITEMS, PARTNERS
from qbsps_orchestration.sandbox.settings import SandboxSettings, SpsSandboxSettings


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox(SandboxSettings(sps=SpsSandboxSettings(samples_dir=None))) as running:
        yield running


def test_info_file_has_the_documented_shape(box: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "info.json"
    box.write_info(path)
    info = json.loads(path.read_text())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds credentials
    assert set(info) == {"qbo", "sps"}
    assert set(info["qbo"]) == {
        "api_base_url",
        "token_url",
        "discovery_url",
        "realm_id",
        "client_id",
        "client_secret",
        "refresh_token",
        "webhook_verifier_token",
    }
    assert set(info["sps"]) == {"api_base_url", "token_url", "client_id", "client_secret"}
    assert all(isinstance(v, str) and v for part in info.values() for v in part.values())


def test_a_client_reaches_both_apis_with_only_the_info_file(box: Sandbox) -> None:
    qbo, sps = box.info()["qbo"], box.info()["sps"]
    with httpx.Client(timeout=10) as http:
        discovery = http.get(qbo["discovery_url"]).json()
        assert discovery["token_endpoint"] == qbo["token_url"]
        tokens = http.post(
            qbo["token_url"],
            data={"grant_type": "refresh_token", "refresh_token": qbo["refresh_token"]},
            auth=(qbo["client_id"], qbo["client_secret"]),
        ).json()
        vendors = http.get(
            f"{qbo['api_base_url']}/v3/company/{qbo['realm_id']}/query",
            params={"query": "select * from Vendor", "minorversion": "75"},
            headers={"Authorization": f"Bearer {tokens['access_token']}", "Accept": "application/json"},
        )
        assert vendors.status_code == 200
        names = {v["DisplayName"] for v in vendors.json()["QueryResponse"]["Vendor"]}
        assert {p.name for p in PARTNERS} <= names

        sps_token = http.post(
            sps["token_url"],
            json={
                "grant_type": "client_credentials",
                "client_id": sps["client_id"],
                "client_secret": sps["client_secret"],
                "audience": "https://spscommerce.com",
            },
        ).json()["access_token"]
        listing = http.get(
            f"{sps['api_base_url']}/transactions/v5/data/out/PO/",
            headers={"Authorization": f"Bearer {sps_token}"},
        )
        assert listing.status_code == 200 and listing.json()["results"]


def test_connector_config_points_at_the_seeded_company(box: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    box.write_config(path)
    config = yaml.safe_load(path.read_text())
    assert config["qbo"]["api_base_url"] == box.qbo_url
    assert config["sps"]["api_base_url"] == box.sps_url
    partners = {p["trading_partner_id"]: p for p in config["trading_partners"]}
    assert set(partners) == {p.trading_partner_id for p in PARTNERS}
    for partner in PARTNERS:
        vendor = box.qbo.find("Vendor", Id=partners[partner.trading_partner_id]["qbo_vendor"]["id"])
        assert vendor[0]["DisplayName"] == partner.name
    upcs = {row["upc"]: row["qbo_item"]["id"] for row in config["items"]}
    for item in ITEMS:
        assert box.qbo.find("Item", Id=upcs[item.upc])[0]["Name"] == item.name


def test_connector_config_loads_with_the_connectors_own_loader(box: Sandbox, tmp_path: Path) -> None:
    from qbsps_orchestration.lib.config import load_config

    path = tmp_path / "config.yaml"
    box.write_config(path)
    config = load_config(path)
    crossref = config.item_crossref
    for partner in PARTNERS:
        assert config.partner(partner.trading_partner_id).vendor_number == partner.vendor_number
        for item in ITEMS:
            match = crossref.resolve(partner.trading_partner_id, upc=item.upc)
            assert match is not None and match.qbo_item.id == box.qbo.find("Item", Name=item.name)[0]["Id"]
