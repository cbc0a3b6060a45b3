"""`qbsps secrets rotate-key`: a new key first, every secret re-encrypted, the old key dropped, and a
process reading a secret before, during and after never fails; no key is printed (file source)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.secret_key_file import parse_keys
from qbsps_orchestration.lib.secrets import SecretCipher
from qbsps_tests.in_process import run_qbsps
from qbsps_tests.support import wait_for

NAME = "qbo.9130350000000000.refresh_token"
VALUE = "AB11786543210-refresh-token-plaintext"
DROP_HINT = "qbsps secrets rotate-key --drop-old"


def _qbsps(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_qbsps(list(args), cwd=cwd, env={**os.environ, **(env or {})})


def _world(tmp_path: Path, secrets: int = 1) -> Path:
    """`qbsps init` + `qbsps db upgrade`, and `secrets` stored credentials."""
    assert _qbsps(tmp_path, "init", "--config", "conf/config.yaml").returncode == 0
    config_path = tmp_path / "conf" / "config.yaml"
    upgraded = _qbsps(tmp_path, "db", "upgrade", "--config", str(config_path))
    assert upgraded.returncode == 0, upgraded.stderr
    ledger = open_ledger(load_config(config_path))
    try:
        ledger.credentials.store(NAME, VALUE)
        for number in range(1, secrets):
            ledger.credentials.store(f"test.secret.{number}", f"value-{number}")
    finally:
        ledger.close()
    return config_path


def _key_file(config_path: Path) -> Path:
    return config_path.parent / "secret.key"


def _keys(config_path: Path) -> list[str]:
    return parse_keys(_key_file(config_path).read_text())


def _reads_with(ledger_url: str, keys: list[str], name: str) -> str:
    ledger = Ledger(ledger_url, cipher=SecretCipher(keys))
    try:
        return ledger.credentials.load(name)
    finally:
        ledger.close()


def _reads(progress: Path) -> list[dict]:
    lines = progress.read_text().splitlines() if progress.exists() else []
    return [json.loads(line) for line in lines if line.endswith("}")]


def _wait_for_read(progress: Path, *, keys: int, after: float = 0.0) -> None:
    """Until the reader reported a read with this many keys (after ``after``), however slow the
    machine: each read opens the ledger afresh."""
    wait_for(
        lambda: any(r["keys"] == keys and r["t"] > after for r in _reads(progress)),
        120,
        f"a read with {keys} key(s)",
    )


def test_rotation_with_a_running_reader_then_the_old_key_dropped(tmp_path: Path) -> None:
    config_path = _world(tmp_path, secrets=300)
    url = load_config(config_path).ledger.url
    [old_key] = _keys(config_path)
    stop, progress = tmp_path / "stop", tmp_path / "reads.jsonl"
    reader = subprocess.Popen(
        [sys.executable, "-m", "qbsps_tests.secret_reader", str(config_path), NAME, str(stop), str(progress)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        _wait_for_read(progress, keys=1)  # the reader reads with the old key list
        rotated = _qbsps(tmp_path, "secrets", "rotate-key", "--config", str(config_path), "--operator", "ops")
        _wait_for_read(progress, keys=2)  # ... and with both, while both are listed
        dropped = _qbsps(tmp_path, "secrets", "rotate-key", "--drop-old", "--config", str(config_path))
        _wait_for_read(progress, keys=1, after=_reads(progress)[-1]["t"])  # ... then with the new one
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=60)
    assert rotated.returncode == 0, rotated.stderr
    assert dropped.returncode == 0, dropped.stderr
    assert "re-encrypted 300 stored secret(s)" in rotated.stdout
    assert DROP_HINT in rotated.stdout
    assert "dropped 1 older key(s)" in dropped.stdout

    [new_key] = _keys(config_path)
    assert new_key != old_key
    assert stat.S_IMODE(_key_file(config_path).stat().st_mode) == 0o600
    for printed in (rotated.stdout, rotated.stderr, dropped.stdout, dropped.stderr, out, err):
        assert old_key not in printed and new_key not in printed and VALUE not in printed

    reads = [json.loads(line) for line in out.splitlines()]
    expected = hashlib.sha256(VALUE.encode()).hexdigest()
    assert [read for read in reads if read["error"] or read["sha256"] != expected] == []
    # It read with the old list, with both keys while they were listed, and with the new key alone.
    key_counts = [read["keys"] for read in reads]
    assert key_counts[0] == 1 and 2 in key_counts and key_counts[-1] == 1
    assert key_counts.index(2) > 0

    assert _reads_with(url, [new_key], NAME) == VALUE
    assert _reads_with(url, [new_key], "test.secret.299") == "value-299"
    with pytest.raises(Exception, match="cannot decrypt"):
        _reads_with(url, [old_key], NAME)
    ledger = Ledger(url, cipher=SecretCipher([new_key]))
    try:  # who rotated is on the audit trail; what the secrets are is not
        rotations = [event for event in ledger.audit_trail(None) if event.event == "credentials_rotated"]
    finally:
        ledger.close()
    assert [event.actor for event in rotations][:1] == ["ops (qbsps secrets)"]


def test_a_secret_stored_with_the_old_key_list_is_reencrypted_before_the_old_key_goes(tmp_path: Path) -> None:
    config_path = _world(tmp_path)
    url = load_config(config_path).ledger.url
    [old_key] = _keys(config_path)
    assert _qbsps(tmp_path, "secrets", "rotate-key", "--config", str(config_path)).returncode == 0
    # A process that opened the ledger before the rotation still encrypts with the old key.
    straggler = Ledger(url, cipher=SecretCipher([old_key]))
    try:
        straggler.credentials.store("sps.client_secret", "sps-secret-written-late")
    finally:
        straggler.close()

    dropped = _qbsps(tmp_path, "secrets", "rotate-key", "--drop-old", "--config", str(config_path))
    assert dropped.returncode == 0, dropped.stderr
    [new_key] = _keys(config_path)
    assert _reads_with(url, [new_key], "sps.client_secret") == "sps-secret-written-late"
    again = _qbsps(tmp_path, "secrets", "rotate-key", "--drop-old", "--config", str(config_path))
    assert again.returncode == 1 and "holds one key: there is no older key to drop" in again.stderr


def test_environment_keys_print_the_value_to_set_and_reencrypt_once_it_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_key = SecretCipher.generate_key()
    env = {"QBSPS_TEST_KEYS": old_key}
    assert _qbsps(tmp_path, "init", "--config", "config.yaml").returncode == 0
    config_path = tmp_path / "config.yaml"
    text = config_path.read_text(encoding="utf-8")
    assert "secret_keys: {file: secret.key}" in text
    config_path.write_text(text.replace("{file: secret.key}", "{env: QBSPS_TEST_KEYS}"), encoding="utf-8")
    assert _qbsps(tmp_path, "db", "upgrade", "--config", str(config_path), env=env).returncode == 0
    monkeypatch.setenv("QBSPS_TEST_KEYS", old_key)
    url = load_config(config_path).ledger.url
    ledger = open_ledger(load_config(config_path))
    ledger.credentials.store(NAME, VALUE)
    ledger.close()
    monkeypatch.delenv("QBSPS_TEST_KEYS")

    proposed = _qbsps(tmp_path, "secrets", "rotate-key", "--config", str(config_path), env=env)
    assert proposed.returncode == 0, proposed.stderr
    [line] = [
        line.strip() for line in proposed.stdout.splitlines() if line.strip().startswith("QBSPS_TEST_KEYS=")
    ]
    new_list = line.split("=", 1)[1]
    new_key, kept = parse_keys(new_list)
    assert kept == old_key and "nothing is re-encrypted yet" in proposed.stdout
    assert _reads_with(url, [old_key], NAME) == VALUE  # untouched until the operator sets it

    env["QBSPS_TEST_KEYS"] = new_list
    reencrypted = _qbsps(
        tmp_path, "secrets", "rotate-key", "--reencrypt", "--config", str(config_path), env=env
    )
    assert reencrypted.returncode == 0, reencrypted.stderr
    assert "re-encrypted 1 stored secret(s)" in reencrypted.stdout
    assert new_key not in reencrypted.stdout + reencrypted.stderr
    assert _reads_with(url, [new_key], NAME) == VALUE

    dropped = _qbsps(tmp_path, "secrets", "rotate-key", "--drop-old", "--config", str(config_path), env=env)
    assert dropped.returncode == 0, dropped.stderr
    assert f"QBSPS_TEST_KEYS={new_key}\n" in dropped.stdout and old_key not in dropped.stdout


def test_a_lost_key_is_refused_before_anything_changes(tmp_path: Path) -> None:
    config_path = _world(tmp_path)
    key_file = _key_file(config_path)
    stranger = SecretCipher.generate_key()
    key_file.write_text(stranger + "\n")
    refused = _qbsps(tmp_path, "secrets", "rotate-key", "--config", str(config_path))
    assert refused.returncode == 1
    assert (
        f"decrypts 1 stored secret(s) ({NAME})" in refused.stderr and "nothing was changed" in refused.stderr
    )
    assert _keys(config_path) == [stranger] and stranger not in refused.stderr + refused.stdout
