"""`qbsps init`: a config for real accounts that loads, holds no secret, and a 0600 key beside it."""

from __future__ import annotations

import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet

from qbsps_orchestration.lib.config import load_config
from qbsps_tests.in_process import run_qbsps


def _init(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_qbsps(["init", *args], cwd=tmp_path)


def test_init_writes_a_loadable_config_without_secrets_and_a_private_key(tmp_path: Path) -> None:
    result = _init(tmp_path, "--config", "conf/config.yaml", "--intuit", "sandbox")
    assert result.returncode == 0, result.stderr
    config = load_config(tmp_path / "conf" / "config.yaml")

    assert config.qbo.api_base_url == "https://sandbox-quickbooks.api.intuit.com"
    assert "openid_sandbox_configuration" in config.qbo.discovery_url
    assert [key for key, source in config.credential_sources() if source.value is not None] == []
    assert (config.qbo.client_id, config.qbo.refresh_token, config.sps.client_secret) == (None, None, None)
    key_file = tmp_path / "conf" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    Fernet(config.ledger.secret_keys.resolve().encode())  # a real key, found through the config
    assert config.ledger.url == f"sqlite:///{(tmp_path / 'conf' / 'ledger.db').resolve()}"
    assert config.qbo.go_live == datetime.now(UTC).date()  # the change sweep's hours start today
    assert key_file.read_text().strip() not in result.stdout + result.stderr


def test_init_never_overwrites_a_config_or_a_key(tmp_path: Path) -> None:
    assert _init(tmp_path, "--config", "config.yaml").returncode == 0
    key = (tmp_path / "secret.key").read_text()
    again = _init(tmp_path, "--config", "config.yaml")
    assert again.returncode == 1 and "config.yaml exists" in again.stderr

    (tmp_path / "config.yaml").unlink()  # a new config beside a key in use keeps that key
    third = _init(tmp_path, "--config", "config.yaml")
    assert third.returncode == 0 and "kept the existing key" in third.stdout
    assert (tmp_path / "secret.key").read_text() == key
