"""A QBO sandbox served on loopback and a QboClient wired as production wires it: tokens in an
encrypted SQLite ledger, refreshed through the sandbox's real token endpoint."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from qbsps_orchestration.lib.http import ApiSession, RetryPolicy
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.qbo import QboClient, QboTokenSource
from qbsps_orchestration.lib.qbo.vault import LedgerTokenVault
from qbsps_orchestration.lib.secrets import SecretCipher
from qbsps_orchestration.sandbox.clock import SandboxClock
from qbsps_orchestration.sandbox.faults import FaultInjector
from qbsps_orchestration.sandbox.qbo.app import QboSandbox
from qbsps_orchestration.sandbox.server import ServedApp
from qbsps_orchestration.sandbox.settings import QboSandboxSettings

NO_WAIT = RetryPolicy(max_attempts=4, sleep=lambda _: None)


@dataclass
class QboEnv:
    sandbox: QboSandbox
    clock: SandboxClock
    faults: FaultInjector
    base_url: str
    ledger: Ledger
    refresh_token: str
    http: requests.Session

    @property
    def realm_id(self) -> str:
        return self.sandbox.settings.realm_id

    def token_source(self, ledger: Ledger | None = None) -> QboTokenSource:
        settings = self.sandbox.settings
        vault = LedgerTokenVault(ledger or self.ledger, self.realm_id, self.refresh_token)
        return QboTokenSource(
            self.http,
            f"{self.base_url}/oauth2/v1/tokens/bearer",
            settings.client_id,
            settings.client_secret,
            vault,
            retry=NO_WAIT,
            now=self.clock.now,
        )

    def client(self, tokens: QboTokenSource | None = None) -> QboClient:
        return QboClient(
            self.base_url, self.realm_id, tokens or self.token_source(), http=self.http, retry=NO_WAIT
        )


@pytest.fixture()
def qbo_env(tmp_path: Path) -> Iterator[QboEnv]:
    clock, faults = SandboxClock(), FaultInjector()
    sandbox = QboSandbox(QboSandboxSettings(throttle=False), clock, faults)
    server = ServedApp(sandbox.app, name="qbo").start()
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}", cipher=SecretCipher([SecretCipher.generate_key()]))
    ledger.migrate()
    with ApiSession(10) as http:
        yield QboEnv(
            sandbox, clock, faults, server.base_url, ledger, sandbox.authority.issue_refresh_token(), http
        )
    ledger.close()
    server.stop()
    sandbox.close()


@pytest.fixture()
def qbo(qbo_env: QboEnv) -> QboClient:
    return qbo_env.client()


@pytest.fixture()
def vendor_id(qbo_env: QboEnv) -> Callable[[], str]:
    return lambda: qbo_env.sandbox.find("Vendor")[0]["Id"]
