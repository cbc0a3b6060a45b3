"""The Dagster resources with a config file that holds no credential: after `connect`, they build
their clients from what the ledger stores, and assets that read the QBO company from the config
see the connected one."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import yaml

from qbsps_orchestration.defs.reference.assets import qbo_reference_data
from qbsps_orchestration.lib.connect import AppCredentials, connect_quickbooks, connect_sps
from qbsps_orchestration.lib.connector import NotConnectedError
from qbsps_orchestration.resources import LedgerResource, QboResource, QbspsConfigResource, SpsResource
from qbsps_tests.consent_browser import decide
from qbsps_tests.sandboxed import sandboxed_connector


def test_resources_work_from_a_config_without_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sandboxed_connector(tmp_path, monkeypatch, samples=False) as running:
        data = yaml.safe_load(running.config_path.read_text())
        for key in ("client_id", "client_secret", "refresh_token", "realm_id"):
            del data["qbo"][key]
        for key in ("client_id", "client_secret"):
            del data["sps"][key]
        bare = running.config_path.with_name("bare.yaml")
        bare.write_text(yaml.safe_dump(data, sort_keys=False))
        config = QbspsConfigResource(path=str(bare))
        ledger, sps, qbo = (
            LedgerResource(config=config),
            SpsResource(config=config),
            QboResource(config=config),
        )

        assert config.load().qbo.realm_id is None
        with pytest.raises(NotConnectedError, match="run qbsps connect sps"), sps.client():
            pass

        settings = running.box.settings
        connect_quickbooks(
            config.load(),
            running.ledger,
            AppCredentials(settings.qbo.client_id, settings.qbo.client_secret),
            "http://localhost:8714/callback",
            lambda request: decide(request.url),
        )
        connect_sps(
            config.load(), running.ledger, AppCredentials(settings.sps.client_id, settings.sps.client_secret)
        )

        realm = settings.qbo.realm_id
        assert config.load().qbo.realm_id == realm
        with sps.client() as sps_api:
            assert sps_api.auth_check()
        with ledger.open(actor="test") as book, qbo.client(book) as qbo_api:
            assert qbo_api.realm_id == realm

        with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
            result = dg.materialize(
                [qbo_reference_data],
                instance=instance,
                resources={"qbsps_config": config, "ledger": ledger, "sps": sps, "qbo": qbo},
            )
        assert result.success
        assert running.ledger.reference.rows("Vendor", realm)  # recorded under the connected company
