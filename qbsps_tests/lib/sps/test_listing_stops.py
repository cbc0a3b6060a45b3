"""iter_files stops on a repeated cursor or the page limit instead of listing forever."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from qbsps_orchestration.lib.http import RetryPolicy
from qbsps_orchestration.lib.sps.client import ListingLoopError, SpsClient
from qbsps_orchestration.sandbox.clock import SandboxClock
from qbsps_orchestration.sandbox.faults import FaultInjector
from qbsps_orchestration.sandbox.server import ServedApp
from qbsps_orchestration.sandbox.settings import SpsSandboxSettings
from qbsps_orchestration.sandbox.sps.app import SpsSandbox

FILES = [f"out/PO/PO{n:03d}.json" for n in range(7)]


@pytest.fixture()
def served() -> Iterator[tuple[str, SpsClient]]:
    settings = SpsSandboxSettings(seed=False)
    sandbox = SpsSandbox(settings, SandboxClock(), FaultInjector())
    server = ServedApp(sandbox.app, name="sps").start()
    sandbox.base_url = server.base_url
    for path in FILES:
        sandbox.put_file(path, b"{}")
    client = SpsClient(
        server.base_url,
        f"{server.base_url}/oauth/token",
        settings.client_id,
        settings.client_secret,
        retry=RetryPolicy(max_attempts=2, sleep=lambda _: None),
    )
    yield server.base_url, client
    client.close()
    server.stop()


def test_every_file_is_listed_once_across_pages(served: tuple[str, SpsClient]) -> None:
    _, client = served
    assert [e.relative_path for e in client.iter_files("out/PO/", page_size=2)] == FILES


def test_a_repeated_cursor_stops_the_listing_naming_it(served: tuple[str, SpsClient]) -> None:
    base_url, client = served
    assert httpx.post(f"{base_url}/_sandbox/sps/listing", json={"repeat_cursor": True}).json() == {
        "repeat_cursor": True
    }
    listed: list[str] = []
    with pytest.raises(ListingLoopError, match=r"repeated cursor '.+' after 2 page\(s\)"):
        listed.extend(e.relative_path for e in client.iter_files("out/PO/", page_size=2))
    assert listed == FILES[:4]  # pages one and two, and never the second page again


def test_the_page_limit_stops_the_listing(served: tuple[str, SpsClient]) -> None:
    _, client = served
    with pytest.raises(ListingLoopError, match=r"still had more after 3 pages of 2 \(next cursor '.+'\)"):
        list(client.iter_files("out/PO/", page_size=2, max_pages=3))
