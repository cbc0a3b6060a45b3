"""One refresher at a time across real OS processes, without holding a database lock across the
HTTP call: four processes refreshing at once make exactly one call to the token endpoint per expiry,
and another process writes to the ledger while a (slow) refresh is in flight. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qbsps_orchestration.lib.changes import ChangeEvent
from qbsps_orchestration.lib.ledger import Ledger, SecretNotFoundError
from qbsps_orchestration.lib.secrets import SECRET_KEYS_ENV, SecretCipher
from qbsps_orchestration.sandbox.clock import SandboxClock
from qbsps_orchestration.sandbox.faults import FaultInjector
from qbsps_orchestration.sandbox.qbo.app import QboSandbox
from qbsps_orchestration.sandbox.server import ServedApp
from qbsps_orchestration.sandbox.settings import QboSandboxSettings
from qbsps_tests.support import postgres_schema, wait_for

REPO = Path(__file__).parents[3]

# One process of the connector: waits for the start signal, gets an access token through the
# ledger vault and proves it on the Accounting API. Prints a fingerprint, never the token.
REFRESHER = """
import hashlib, json, os, sys, time
from datetime import UTC, datetime, timedelta
from qbsps_orchestration.lib.http import ApiSession, RetryPolicy
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.qbo import QboClient, QboTokenSource
from qbsps_orchestration.lib.qbo.vault import LedgerTokenVault

job = json.loads(sys.argv[1])
http = ApiSession(30)
offset = timedelta(seconds=http.get(job["base_url"] + "/_sandbox/clock").json()["offset_seconds"])
ledger = Ledger(job["ledger_url"])
vault = LedgerTokenVault(ledger, job["realm_id"], os.environ["QBSPS_TEST_REFRESH_TOKEN"])
retry = RetryPolicy(max_attempts=3, base_seconds=0.01, max_wait_seconds=0.05)
secret = os.environ["QBSPS_TEST_CLIENT_SECRET"]
token_url = job["base_url"] + "/oauth2/v1/tokens/bearer"
tokens = QboTokenSource(
    http, token_url, job["client_id"], secret, vault, retry=retry, now=lambda: datetime.now(UTC) + offset
)
print("ready", flush=True)
while not os.path.exists(job["start_file"]):
    time.sleep(0.01)
access = tokens.access_token()
client = QboClient(job["base_url"], job["realm_id"], tokens, http=http, retry=retry)
vendors = client.query("SELECT * FROM Vendor")["Vendor"]
fingerprint = hashlib.sha256(access.encode()).hexdigest()[:12]
result = {"fingerprint": fingerprint, "refreshes": tokens.refresh_count, "vendors": len(vendors)}
print(json.dumps(result), flush=True)
"""


@dataclass
class TokenWorld:
    sandbox: QboSandbox
    clock: SandboxClock
    faults: FaultInjector
    base_url: str
    ledger_url: str
    secret_key: str
    refresh_token: str
    tmp_path: Path

    @property
    def realm_id(self) -> str:
        return self.sandbox.settings.realm_id

    def refresh_calls(self) -> int:
        """Refresh grants that reached the token endpoint, counted by the sandbox."""
        issued = sum(f["refreshes"] for f in self.sandbox.authority.store.describe()["families"])
        return issued + sum(self.sandbox.authority.invalid_grants.values())

    def start_refreshers(self, count: int, start_file: Path) -> list[subprocess.Popen[str]]:
        settings = self.sandbox.settings
        job = {
            "base_url": self.base_url,
            "ledger_url": self.ledger_url,
            "realm_id": self.realm_id,
            "client_id": settings.client_id,
            "start_file": str(start_file),
        }
        env = {
            **os.environ,
            SECRET_KEYS_ENV: self.secret_key,
            "QBSPS_TEST_REFRESH_TOKEN": self.refresh_token,
            "QBSPS_TEST_CLIENT_SECRET": settings.client_secret,
        }
        children = [
            subprocess.Popen(
                [sys.executable, "-c", REFRESHER, json.dumps(job)],
                env=env,
                cwd=REPO,
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(count)
        ]
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        return children


def finished(child: subprocess.Popen[str]) -> dict:
    out, err = child.communicate(timeout=120)
    assert "database is locked" not in err
    assert child.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture
def world(ledger_url: str, tmp_path: Path) -> Iterator[TokenWorld]:
    key = SecretCipher.generate_key()
    ledger = Ledger(ledger_url, cipher=SecretCipher([key]))
    ledger.migrate()
    ledger.close()
    clock, faults = SandboxClock(), FaultInjector()
    sandbox = QboSandbox(QboSandboxSettings(throttle=False), clock, faults)
    server = ServedApp(sandbox.app, name="qbo").start()
    try:
        refresh_token = sandbox.authority.issue_refresh_token()
        yield TokenWorld(sandbox, clock, faults, server.base_url, ledger_url, key, refresh_token, tmp_path)
    finally:
        server.stop()
        sandbox.close()


def test_four_processes_refreshing_at_once_make_one_refresh_per_expiry(world: TokenWorld) -> None:
    world.faults.latency_ms = 300  # every refresh overlaps the others' attempts
    for expiry in (1, 2):
        start = world.tmp_path / f"start-{expiry}"
        children = world.start_refreshers(4, start)
        start.touch()
        results = [finished(child) for child in children]
        assert len({r["fingerprint"] for r in results}) == 1  # all four use the one new token
        assert all(r["vendors"] > 0 for r in results)  # and it works on the Accounting API
        assert sum(r["refreshes"] for r in results) == 1
        assert world.refresh_calls() == expiry  # counted by the sandbox: one per expiry
        world.clock.advance(3600)  # the next round's processes find the access token expired


def test_another_process_writes_to_the_ledger_while_a_refresh_is_in_flight(world: TokenWorld) -> None:
    world.faults.latency_ms = 3000  # a slow token endpoint
    start = world.tmp_path / "start"
    [child] = world.start_refreshers(1, start)
    start.touch()
    # A writer that gives up after 1 s on a locked database, as a webhook receiver would fail.
    writer = Ledger(world.ledger_url, cipher=SecretCipher([world.secret_key]), busy_timeout_seconds=1)
    name = f"qbo.tokens.{world.realm_id}"

    def refresh_in_flight() -> bool:
        try:
            return writer.credentials.state(name).leased_until is not None
        except SecretNotFoundError:
            return False

    wait_for(refresh_in_flight, 20, "the refresh lease to be claimed", every=0.05)
    began = time.monotonic()
    event = ChangeEvent(world.realm_id, "Invoice", "42", "Update", datetime.now(UTC))
    assert writer.record_changes([event]) == 1
    assert writer.pending_changes("Invoice")
    took = time.monotonic() - began
    assert child.poll() is None  # the refresh is still waiting for the token endpoint
    assert took < 1.0
    result = finished(child)
    assert result["refreshes"] == 1 and world.refresh_calls() == 1
    assert writer.credentials.state(name).leased_until is None  # the lease ended with the stored result
    writer.close()
