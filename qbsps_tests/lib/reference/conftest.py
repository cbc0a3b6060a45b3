"""A seeded QBO sandbox on loopback, a QboClient wired as production wires it, and a ledger on
SQLite and on PostgreSQL (each test runs on both)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.qbo import QboClient
from qbsps_orchestration.lib.secrets import SecretCipher
from qbsps_orchestration.sandbox.clock import SandboxClock
from qbsps_orchestration.sandbox.faults import FaultInjector
from qbsps_orchestration.sandbox.qbo.app import QboSandbox
from qbsps_orchestration.sandbox.server import ServedApp
from qbsps_orchestration.sandbox.settings import QboSandboxSettings
from qbsps_tests.lib.qbo.conftest import QboEnv
from qbsps_tests.support import postgres_schema


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    cipher = SecretCipher([SecretCipher.generate_key()])
    if request.param == "sqlite":
        ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite'}", cipher=cipher)
        ledger.migrate()
        yield ledger
        ledger.close()
        return
    with postgres_schema() as url:
        ledger = Ledger(url, cipher=cipher)
        ledger.migrate()
        yield ledger
        ledger.close()


@pytest.fixture()
def qbo_env(ledger: Ledger) -> Iterator[QboEnv]:
    clock, faults = SandboxClock(), FaultInjector()
    sandbox = QboSandbox(QboSandboxSettings(throttle=False), clock, faults)
    server = ServedApp(sandbox.app, name="qbo").start()
    try:
        with httpx.Client(timeout=10) as http:
            yield QboEnv(
                sandbox, clock, faults, server.base_url, ledger, sandbox.authority.issue_refresh_token(), http
            )
    finally:
        server.stop()
        sandbox.close()


@pytest.fixture()
def qbo(qbo_env: QboEnv) -> QboClient:
    return qbo_env.client()
