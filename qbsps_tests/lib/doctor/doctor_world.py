"""A setup for `qbsps doctor` as a user has it after `qbsps sandbox --write-config`: both sandbox
servers over real HTTP, the config file they wrote, a migrated SQLite ledger (as `qbsps db upgrade`
leaves it) and a real webhook receiver on loopback whose URL the config names."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from qbsps_orchestration.lib.config import QbspsConfig, load_config
from qbsps_orchestration.lib.connector import open_ledger, qbo_client
from qbsps_orchestration.lib.doctor import CheckResult, run_doctor
from qbsps_orchestration.lib.http import RetryPolicy
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.qbo import QboClient
from qbsps_orchestration.lib.qbo.vault import LedgerTokenVault
from qbsps_orchestration.lib.webhooks import webhook_app
from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.server import ServedApp
from qbsps_orchestration.sandbox.settings import QboSandboxSettings, SandboxSettings, SpsSandboxSettings
from qbsps_tests.in_process import run_qbsps

FAST = RetryPolicy(max_attempts=2, base_seconds=0.01, max_wait_seconds=0.05)


# Every check of a good sandbox setup with two partners, in the order doctor runs them.
GOOD_SETUP_CHECKS = (
    "config file",
    "ledger",
    "encryption key",
    "QBO token refresh",
    "QBO company",
    "QBO refresh token",
    "SPS token",
    "SPS auth-check",
    "SPS orders folder",
    "SPS upload folder",
    "partner SPSALLTESTID",
    "partner 525GROMM",
    "webhook receiver",
    "webhook verifier token",
)


@dataclass
class DoctorWorld:
    box: Sandbox
    config_path: Path
    receiver_url: str

    def config(self) -> QbspsConfig:
        return load_config(self.config_path)

    def edit_config(self, change: Callable[[dict], None]) -> None:
        data = yaml.safe_load(self.config_path.read_text())
        change(data)
        self.config_path.write_text(yaml.safe_dump(data, sort_keys=False))

    @property
    def key_file(self) -> Path:
        path = self.config().ledger.secret_keys.path
        assert path is not None
        return path

    @property
    def ledger_file(self) -> Path:
        return Path(self.config().ledger.url.removeprefix("sqlite:///"))

    def results(self) -> dict[str, CheckResult]:
        """The doctor's findings by check name (in-process, as the CLI gets them)."""
        return {r.name: r for r in run_doctor(self.config_path, retry=FAST, http_timeout_seconds=5)}

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`qbsps ARGS --config FILE`, in this process (the command line and environment a user's
        shell would give it, without $QBSPS_CONFIG)."""
        env = {k: v for k, v in os.environ.items() if k != "QBSPS_CONFIG"}
        return run_qbsps([*args, "--config", str(self.config_path)], env=env)

    @contextmanager
    def qbo(self) -> Iterator[QboClient]:
        """The connector's own QBO client, as a bookkeeper's change would reach QBO."""
        config = self.config()
        ledger = open_ledger(config, actor="test bookkeeper")
        client = qbo_client(config, ledger, retry=FAST)
        try:
            yield client
        finally:
            client.close()
            ledger.close()

    def secrets(self) -> list[str]:
        """Every secret the setup holds: the config's credentials, the key, the stored QBO tokens."""
        config = self.config()
        values = [source.resolve() for _, source in config.credential_sources()]
        ledger = open_ledger(config)
        try:
            tokens = LedgerTokenVault(ledger, config.qbo.realm_id, None).current()
            values += [tokens.access_token, tokens.refresh_token]
        finally:
            ledger.close()
        return [value for value in values if value]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def doctor_world(tmp_path: Path, *, qbo: QboSandboxSettings | None = None) -> Iterator[DoctorWorld]:
    settings = SandboxSettings(
        qbo=qbo or QboSandboxSettings(throttle=False), sps=SpsSandboxSettings(seed=False)
    )
    with Sandbox(settings) as box:
        config_path = tmp_path / "qbsps" / "config.yaml"
        box.write_config(config_path)
        config = load_config(config_path)
        migrated = Ledger(config.ledger.url)
        migrated.migrate()
        migrated.close()
        token = config.qbo.webhook_verifier_token.resolve()  # type: ignore[union-attr]
        app = webhook_app(lambda: open_ledger(config, actor="webhooks"), token, [config.qbo.realm_id])
        receiver = ServedApp(app, name="webhook-receiver").start()
        world = DoctorWorld(box, config_path, receiver.base_url)
        world.edit_config(lambda data: data.update(webhooks={"receiver_url": receiver.base_url}))
        try:
            yield world
        finally:
            receiver.stop()
