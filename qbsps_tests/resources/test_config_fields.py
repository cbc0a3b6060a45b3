"""The config resource's fields as the Dagster UI gets them (the code location's repository
snapshot): typed, bound to environment variables by name, their values never shown; a run that
takes the ledger from them; and a file that names another ledger refused with a clear error."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.remote_representation.external_data import RepositorySnap, ResourceConfigEnvVarSnap
from dagster._serdes import serialize_value

from qbsps_orchestration.definitions import defs
from qbsps_orchestration.defs.reference.assets import UNPARTITIONED_REFERENCE
from qbsps_orchestration.lib.config import ConfigError
from qbsps_orchestration.resources import QbspsConfigResource
from qbsps_tests.sandboxed import SandboxedConnector


def _file_without_ledger(c: SandboxedConnector, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """Point $QBSPS_CONFIG at a copy of the sandbox config with no `ledger` section, and bind the
    sandbox ledger's URL and key through the environment instead. Returns (url, key)."""
    data = yaml.safe_load(c.config_path.read_text())
    url = data["ledger"]["url"]
    key = (c.config_path.parent / data["ledger"]["secret_keys"]["file"]).read_text().strip()
    del data["ledger"]
    bare = c.config_path.with_name("no-ledger.yaml")
    bare.write_text(yaml.safe_dump(data, sort_keys=False))
    monkeypatch.setenv("QBSPS_CONFIG", str(bare))
    monkeypatch.setenv("QBSPS_LEDGER_URL", url)
    monkeypatch.setenv("QBSPS_SECRET_KEYS", key)
    return url, key


def test_fields_are_typed_and_shown_by_variable_name_only(
    empty_connector: SandboxedConnector, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url, key = _file_without_ledger(empty_connector, monkeypatch)
    monkeypatch.chdir(tmp_path)  # the file's default ledger (.qbsps/ledger.db) would not be upgraded here
    repository = defs().get_repository_def()
    snap = RepositorySnap.from_def(repository)
    [config] = [r for r in snap.resources if r.name == "qbsps_config"]

    fields = {f.name: f for f in config.config_field_snaps}
    assert set(fields) == {"path", "ledger_url", "secret_keys"}
    assert all(f.type_key.endswith("StringSourceType") for f in fields.values())  # str, EnvVar allowed
    assert not fields["ledger_url"].is_required and "password" in (fields["ledger_url"].description or "")
    assert config.configured_values == {
        "path": ResourceConfigEnvVarSnap(name="QBSPS_CONFIG"),
        "ledger_url": ResourceConfigEnvVarSnap(name="QBSPS_LEDGER_URL"),
        "secret_keys": ResourceConfigEnvVarSnap(name="QBSPS_SECRET_KEYS"),
    }
    for dependent in ("ledger", "sps", "qbo"):  # one shared resource, not an anonymous copy each
        [resource] = [r for r in snap.resources if r.name == dependent]
        assert resource.nested_resources["config"].name == "qbsps_config"

    with dg.instance_for_test() as instance:
        result = repository.get_job("qbo_reference_job").execute_in_process(
            instance=instance, asset_selection=UNPARTITIONED_REFERENCE
        )
        assert result.success  # the ledger came from QBSPS_LEDGER_URL and opened with QBSPS_SECRET_KEYS
        shown = [serialize_value(snap)]
        shown += [serialize_value(e) for e in instance.all_logs(result.run_id)]  # events, metadata
        shown.append(serialize_value(instance.get_run_by_id(result.run_id)))
    assert empty_connector.ledger.reference.rows("Vendor", empty_connector.config.qbo.realm_id)
    assert len(shown) > 3
    for text in shown:
        assert key not in text and url not in text


def test_a_file_naming_another_ledger_is_refused(
    empty_connector: SandboxedConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(empty_connector.config_path)  # names its own ledger URL and key file
    other = QbspsConfigResource(path=path, ledger_url="sqlite:////elsewhere/ledger.db")
    with pytest.raises(ConfigError, match=r"ledger\.url: differs from resource qbsps_config's ledger_url"):
        other.load()
    wrong_keys = QbspsConfigResource(path=path, secret_keys="not-the-key")
    with pytest.raises(ConfigError, match=r"ledger\.secret_keys: differs") as raised:
        wrong_keys.load()
    assert "not-the-key" not in str(raised.value)
    bad = QbspsConfigResource(path=path, ledger_url="postgresql://qbsps:s3cret@db:notaport/x")
    with pytest.raises(ConfigError, match="ledger_url .* not a SQLAlchemy database URL") as raised:
        bad.load()
    assert "s3cret" not in str(raised.value)

    data = yaml.safe_load(empty_connector.config_path.read_text())
    key = (empty_connector.config_path.parent / data["ledger"]["secret_keys"]["file"]).read_text().strip()
    same = QbspsConfigResource(path=path, ledger_url=data["ledger"]["url"], secret_keys=key)
    assert key not in repr(same) and data["ledger"]["url"] not in repr(same) and path in repr(same)
    assert same.load().ledger == empty_connector.config.ledger  # agreeing bindings change nothing
