"""A fresh SPS sandbox per test, served on loopback, with a client that holds a valid token."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from qbsps_orchestration.sandbox.clock import SandboxClock
from qbsps_orchestration.sandbox.faults import FaultInjector
from qbsps_orchestration.sandbox.server import ServedApp
from qbsps_orchestration.sandbox.settings import SpsSandboxSettings
from qbsps_orchestration.sandbox.sps.app import SpsSandbox
from qbsps_orchestration.sandbox.sps.rsx_schema import SCHEMA_DIR_ENV

DATA = "/transactions/v5/data/"
AUDIENCE = "https://spscommerce.com"


@dataclass
class RunningSps:
    sandbox: SpsSandbox
    settings: SpsSandboxSettings
    clock: SandboxClock
    faults: FaultInjector
    http: httpx.Client  # no credentials
    api: httpx.Client  # carries a valid bearer token

    def token_request(self, **overrides: str) -> httpx.Response:
        body = {
            "grant_type": "client_credentials",
            "client_id": self.settings.client_id,
            "client_secret": self.settings.client_secret,
            "audience": AUDIENCE,
            **overrides,
        }
        return self.http.post("/oauth/token", json=body)

    def upload(self, path: str, content: bytes, **headers: str) -> httpx.Response:
        return self.api.post(
            DATA + path, content=content, headers={"Content-Type": "application/octet-stream", **headers}
        )


@pytest.fixture()
def start_sps(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., RunningSps]]:
    """Start a sandbox; keyword arguments override SpsSandboxSettings (seed off by default)."""
    monkeypatch.delenv(SCHEMA_DIR_ENV, raising=False)
    started: list[tuple[ServedApp, RunningSps]] = []

    def start(**overrides: object) -> RunningSps:
        settings = SpsSandboxSettings(**{"seed": False, **overrides})  # type: ignore[arg-type]
        clock, faults = SandboxClock(), FaultInjector()
        sandbox = SpsSandbox(settings, clock, faults)
        server = ServedApp(sandbox.app, name="sps").start()
        sandbox.base_url = server.base_url
        http = httpx.Client(base_url=server.base_url, timeout=10)
        running = RunningSps(sandbox, settings, clock, faults, http, api=http)
        token = running.token_request().json()["access_token"]
        running.api = httpx.Client(
            base_url=server.base_url, timeout=10, headers={"Authorization": f"Bearer {token}"}
        )
        started.append((server, running))
        return running

    yield start
    for server, running in started:
        running.http.close()
        running.api.close()
        server.stop()


@pytest.fixture()
def sps(start_sps: Callable[..., RunningSps]) -> RunningSps:
    return start_sps()


def schema_dir(shared: Path) -> Path:
    return shared / "sps_samples" / "schemas"
