from __future__ import annotations

import logging
from pathlib import Path

import pytest

from qbsps_orchestration.lib.config import ConfigError, CredentialError, CredentialSource, load_config

from .conftest import WriteConfig

SECRET = "s3cr3t-never-print-me"


def test_env_source_is_resolved_lazily(write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QBSPS_QBO_CLIENT_SECRET", raising=False)
    config = load_config(write_config())  # loading does not need the secret yet
    monkeypatch.setenv("QBSPS_QBO_CLIENT_SECRET", SECRET)
    assert config.qbo.client_secret.resolve() == SECRET
    monkeypatch.setenv("QBSPS_QBO_CLIENT_SECRET", "rotated")
    assert config.qbo.client_secret.resolve() == "rotated"


def test_missing_env_names_key_and_variable(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QBSPS_SPS_CLIENT_ID", raising=False)
    config = load_config(write_config())
    with pytest.raises(CredentialError) as caught:
        config.sps.client_id.resolve()
    assert str(caught.value) == "sps.client_id: environment variable QBSPS_SPS_CLIENT_ID is not set or empty"


def test_file_source_is_relative_to_the_config(write_config: WriteConfig, tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "refresh").write_text(SECRET + "\n", encoding="utf-8")
    config = load_config(write_config(lambda d: d["qbo"].update(refresh_token={"file": "secrets/refresh"})))
    assert config.qbo.refresh_token.resolve() == SECRET
    assert config.qbo.refresh_token.describe() == f"file {tmp_path / 'secrets' / 'refresh'}"


def test_unreadable_file_names_the_path(write_config: WriteConfig, tmp_path: Path) -> None:
    config = load_config(write_config(lambda d: d["qbo"].update(refresh_token={"file": "nope"})))
    with pytest.raises(CredentialError, match=rf"^qbo\.refresh_token: cannot read {tmp_path / 'nope'}: "):
        config.qbo.refresh_token.resolve()


def test_literal_value_never_shows(
    write_config: WriteConfig, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    config = load_config(write_config(lambda d: d["qbo"].update(client_secret={"value": SECRET})))
    assert config.qbo.client_secret.resolve() == SECRET
    logging.getLogger("qbsps.test").warning("config %s / %r", config, config)
    print(config, repr(config.qbo), config.model_dump(), config.model_dump_json())
    assert SECRET not in caplog.text
    assert SECRET not in capsys.readouterr().out
    assert config.qbo.client_secret.describe() == "a literal value in the config file"


def test_shape_errors_never_echo_the_secret(write_config: WriteConfig) -> None:
    path = write_config(
        lambda d: d["sps"].update(client_secret=SECRET, client_id={"env": "A", "value": SECRET})
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert SECRET not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    shape = 'a credential must be one of {env: NAME}, {file: path} or {value: "..."}'
    assert dict(caught.value.problems) == {
        "sps.client_id": f"{shape}; got env, value",
        "sps.client_secret": shape,
    }


def test_source_built_in_code() -> None:
    source = CredentialSource(env="QBSPS_TEST_UNSET_VARIABLE")
    with pytest.raises(CredentialError, match="^credential: environment variable QBSPS_TEST_UNSET_VARIABLE"):
        source.resolve()
    assert CredentialSource(value=SECRET).resolve() == SECRET
    assert SECRET not in repr(CredentialSource(value=SECRET))
