"""A served QBO sandbox per test module, a fresh company file per test, and a small API client that
authenticates through the sandbox's real token endpoint (refresh grant)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from qbsps_orchestration.sandbox.clock import SandboxClock
from qbsps_orchestration.sandbox.faults import FaultInjector
from qbsps_orchestration.sandbox.qbo.app import QboSandbox
from qbsps_orchestration.sandbox.server import ServedApp
from qbsps_orchestration.sandbox.settings import QboSandboxSettings

TOKEN_PATH = "/oauth2/v1/tokens/bearer"


def bearer_token(base_url: str, sandbox: QboSandbox) -> str:
    settings = sandbox.settings
    response = httpx.post(
        base_url + TOKEN_PATH,
        data={"grant_type": "refresh_token", "refresh_token": sandbox.authority.issue_refresh_token()},
        auth=(settings.client_id, settings.client_secret),
        headers={"Accept": "application/json"},
        trust_env=False,
    )
    response.raise_for_status()
    return response.json()["access_token"]


@dataclass
class Qbo:
    """What a test needs: the sandbox object, its clock and faults, and an authenticated client."""

    sandbox: QboSandbox
    clock: SandboxClock
    faults: FaultInjector
    base_url: str
    http: httpx.Client  # base URL = /v3/company/{realmId}

    @property
    def realm_id(self) -> str:
        return self.sandbox.settings.realm_id

    def create(self, entity: str, body: dict, **params: str) -> httpx.Response:
        return self.http.post(f"/{entity.lower()}", json=body, params={"minorversion": "75", **params})

    def update(self, entity: str, body: dict, **params: str) -> httpx.Response:
        return self.http.post(f"/{entity.lower()}", json=body, params={"minorversion": "75", **params})

    def delete(self, entity: str, row: dict) -> httpx.Response:
        body = {"Id": row["Id"], "SyncToken": row["SyncToken"]}
        return self.http.post(f"/{entity.lower()}", json=body, params={"operation": "delete"})

    def read(self, entity: str, entity_id: str) -> httpx.Response:
        return self.http.get(f"/{entity.lower()}/{entity_id}", params={"minorversion": "75"})

    def query(self, statement: str) -> httpx.Response:
        return self.http.get("/query", params={"query": statement, "minorversion": "75"})

    def made(self, entity: str, body: dict, **params: str) -> dict:
        """Create and return the entity, failing the test with QBO's Fault if it was refused."""
        response = self.create(entity, body, **params)
        assert response.status_code == 200, response.text
        return response.json()[entity]

    def reauthenticate(self) -> None:
        """A fresh access token, e.g. after moving the sandbox clock past the old one's expiry."""
        self.http.headers["Authorization"] = f"Bearer {bearer_token(self.base_url, self.sandbox)}"

    def one(self, entity: str, **equals: str) -> dict:
        rows = self.sandbox.find(entity, **equals)
        assert len(rows) == 1, f"expected one {entity} with {equals}, found {len(rows)}"
        return rows[0]


def fault_codes(response: httpx.Response) -> list[str]:
    return [error["code"] for error in response.json()["Fault"]["Error"]]


@pytest.fixture(scope="module")
def served_qbo() -> Iterator[tuple[QboSandbox, SandboxClock, FaultInjector, str, str]]:
    clock, faults = SandboxClock(), FaultInjector()
    sandbox = QboSandbox(QboSandboxSettings(throttle=False), clock, faults)
    served = ServedApp(sandbox.app, name="qbo-api-test").start()
    try:
        yield sandbox, clock, faults, served.base_url, bearer_token(served.base_url, sandbox)
    finally:
        served.stop()
        sandbox.close()


@pytest.fixture
def qbo(served_qbo: tuple[QboSandbox, SandboxClock, FaultInjector, str, str]) -> Iterator[Qbo]:
    sandbox, clock, faults, base_url, token = served_qbo
    sandbox.reset()
    clock.reset()
    faults.clear()
    sandbox.throttle.enabled = False
    sandbox.throttle.reset()
    sandbox.webhooks.url = None
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    api_base = f"{base_url}/v3/company/{sandbox.settings.realm_id}"
    with httpx.Client(base_url=api_base, headers=headers, trust_env=False, timeout=10) as http:
        yield Qbo(sandbox, clock, faults, base_url, http)
