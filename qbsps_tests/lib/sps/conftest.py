"""The SPS sandbox served over real HTTP, for the SPS client's tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from qbsps_orchestration.lib.http import RetryPolicy
from qbsps_orchestration.lib.sps import SpsClient
from qbsps_orchestration.sandbox.clock import SandboxClock
from qbsps_orchestration.sandbox.faults import FaultInjector
from qbsps_orchestration.sandbox.server import ServedApp
from qbsps_orchestration.sandbox.settings import SpsSandboxSettings
from qbsps_orchestration.sandbox.sps.app import SpsSandbox

NO_WAIT = RetryPolicy(max_attempts=4, sleep=lambda _: None)


@dataclass
class Sps:
    sandbox: SpsSandbox
    clock: SandboxClock
    faults: FaultInjector
    base_url: str
    settings: SpsSandboxSettings

    def client(self, **kwargs: object) -> SpsClient:
        return SpsClient(
            self.base_url,
            f"{self.base_url}/oauth/token",
            self.settings.client_id,
            self.settings.client_secret,
            retry=NO_WAIT,
            **kwargs,
        )  # type: ignore[arg-type]


@pytest.fixture()
def sps() -> Iterator[Sps]:
    settings = SpsSandboxSettings(seed=False)
    clock, faults = SandboxClock(), FaultInjector()
    sandbox = SpsSandbox(settings, clock, faults)
    server = ServedApp(sandbox.app, name="sps").start()
    sandbox.base_url = server.base_url
    yield Sps(sandbox, clock, faults, server.base_url, settings)
    server.stop()
