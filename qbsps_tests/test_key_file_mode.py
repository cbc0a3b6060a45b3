"""A key file is 0600 even when it existed with a looser mode: every place that writes or uses one
tightens it (and says so where a person is watching), and never changes the key inside."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qbsps_orchestration.devstack.config import write_dev_config
from qbsps_orchestration.lib.secret_key_file import tighten_key_file, write_key_file
from qbsps_orchestration.lib.secrets import SecretCipher, create_key_file
from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.settings import SandboxSettings, SpsSandboxSettings
from qbsps_tests.in_process import run_qbsps
from qbsps_tests.sandboxed import SandboxedConnector

QBSPS = str(Path(sys.executable).parent / "qbsps")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _loose_key(path: Path) -> str:
    key = SecretCipher.generate_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key + "\n")
    path.chmod(0o644)
    return key


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    settings = SandboxSettings(qbo_port=0, sps_port=0, sps=SpsSandboxSettings(samples_dir=None))
    with Sandbox(settings) as running:
        yield running


def test_create_key_file_tightens_an_existing_key_and_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    key = _loose_key(path)
    assert create_key_file(path) is False  # a key in use is never replaced
    assert _mode(path) == 0o600 and path.read_text().strip() == key
    assert tighten_key_file(path) is False  # already private: nothing to say


def test_write_key_file_is_private_and_atomic(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    _loose_key(path)
    keys = [SecretCipher.generate_key(), SecretCipher.generate_key()]
    write_key_file(path, keys)
    assert _mode(path) == 0o600 and path.read_text() == ",".join(keys) + "\n"
    assert [p.name for p in tmp_path.iterdir()] == ["secret.key"]  # no temporary file left behind


def test_init_tightens_an_existing_key_file_and_says_so(tmp_path: Path) -> None:
    key = _loose_key(tmp_path / "secret.key")
    done = run_qbsps(["init", "--config", "config.yaml"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "kept the existing key" in done.stdout and "from mode 0644 to 0600" in done.stdout
    assert _mode(tmp_path / "secret.key") == 0o600
    assert (tmp_path / "secret.key").read_text().strip() == key and key not in done.stdout + done.stderr


def test_sandbox_write_config_tightens_an_existing_key_file_and_config(box: Sandbox, tmp_path: Path) -> None:
    config_path = tmp_path / "config.yaml"
    key = _loose_key(tmp_path / "secret.key")
    config_path.write_text("# an older config\n")
    config_path.chmod(0o644)
    tightened = box.write_config(config_path)
    assert sorted(tightened) == sorted([tmp_path / "secret.key", config_path])
    assert _mode(tmp_path / "secret.key") == 0o600 and _mode(config_path) == 0o600
    assert (tmp_path / "secret.key").read_text().strip() == key  # the ledger's key is kept
    info = tmp_path / "info.json"
    info.write_text("{}")
    info.chmod(0o644)
    box.write_info(info)
    assert _mode(info) == 0o600  # it holds credentials too


def test_sandbox_cli_says_it_tightened_the_key_file(tmp_path: Path) -> None:
    _loose_key(tmp_path / "secret.key")
    served = subprocess.Popen(
        [QBSPS, "sandbox", "--qbo-port", "0", "--sps-port", "0", "--write-config", "config.yaml"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},  # its lines arrive while it serves
    )
    try:
        assert served.stdout is not None
        lines: list[str] = []
        while not any(line.startswith("qbsps config:") for line in lines) and len(lines) < 10:
            lines.append(served.stdout.readline())
    finally:
        served.terminate()
        try:
            served.communicate(timeout=30)
        except subprocess.TimeoutExpired:  # what it is stuck on, then the failure
            served.send_signal(signal.SIGUSR1)
            time.sleep(2)
            served.kill()
            _, stacks = served.communicate()
            pytest.fail(f"qbsps sandbox did not stop within 30 s of SIGTERM; its threads:\n{stacks}")
    assert any("tightened" in line and "secret.key" in line and "0600" in line for line in lines), lines
    assert _mode(tmp_path / "secret.key") == 0o600


def test_dev_config_tightens_its_key_file(empty_connector: SandboxedConnector) -> None:
    config_path = empty_connector.config_path
    key_file = config_path.parent / "secret.key"
    key = key_file.read_text()
    key_file.chmod(0o640)
    config_path.chmod(0o644)
    write_dev_config(config_path, poll_seconds=15, receiver_url="http://127.0.0.1:8713")
    assert _mode(key_file) == 0o600 and _mode(config_path) == 0o600
    assert key_file.read_text() == key
    assert os.access(key_file, os.R_OK)
