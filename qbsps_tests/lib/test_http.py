"""The shared retry policy, against a real loopback server with injected faults."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from qbsps_orchestration.lib.http import RetryPolicy, retry_after_seconds
from qbsps_orchestration.sandbox.faults import FaultInjector, FaultMiddleware, FaultRule
from qbsps_orchestration.sandbox.server import ServedApp


@pytest.fixture()
def server() -> Iterator[tuple[str, FaultInjector]]:
    faults = FaultInjector()

    async def ok(_: Request) -> Response:
        return PlainTextResponse("ok")

    def body(_: Request, status: int, __: int | None) -> Response:
        return PlainTextResponse("fault", status_code=status)

    served = ServedApp(FaultMiddleware(Starlette(routes=[Route("/r", ok)]), faults, body)).start()
    yield served.base_url, faults
    served.stop()


def _policy(waits: list[float], attempts: int = 6) -> RetryPolicy:
    return RetryPolicy(max_attempts=attempts, base_seconds=0.5, max_wait_seconds=30, sleep=waits.append)


def test_retries_429_and_5xx_until_success(server) -> None:
    base, faults = server
    faults.add(FaultRule(status=429, count=2))
    faults.add(FaultRule(status=503, count=1))
    waits: list[float] = []
    with httpx.Client() as http:
        response = _policy(waits).send(lambda: http.get(f"{base}/r"))
    assert response.status_code == 200 and len(waits) == 3
    assert all(0 <= w <= 30 for w in waits)


def test_full_jitter_grows_exponentially_but_is_bounded() -> None:
    waits: list[float] = []
    calls = 0

    def refused() -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("refused")

    with pytest.raises(httpx.ConnectError):
        RetryPolicy(max_attempts=8, base_seconds=1, max_wait_seconds=10, sleep=waits.append).send(refused)
    assert calls == 8 and len(waits) == 7
    # full jitter: each wait is uniform in [0, min(cap, base * 2**n)]
    assert all(0 <= w <= min(10, 2 ** (n + 1)) for n, w in enumerate(waits))


def test_retry_after_is_honoured(server) -> None:
    base, faults = server
    faults.add(FaultRule(status=429, count=1, retry_after=7))
    waits: list[float] = []
    with httpx.Client() as http:
        assert _policy(waits).send(lambda: http.get(f"{base}/r")).status_code == 200
    assert waits == [7.0]


def test_gives_up_after_bounded_attempts_and_returns_the_last_answer(server) -> None:
    base, faults = server
    faults.add(FaultRule(status=500, count=None, rate=1.0))
    waits: list[float] = []
    with httpx.Client() as http:
        response = _policy(waits, attempts=3).send(lambda: http.get(f"{base}/r"))
    assert response.status_code == 500 and len(waits) == 2


def test_client_errors_are_not_retried(server) -> None:
    base, faults = server
    faults.add(FaultRule(status=400, count=1))
    waits: list[float] = []
    with httpx.Client() as http:
        assert _policy(waits).send(lambda: http.get(f"{base}/r")).status_code == 400
    assert waits == []


def test_connection_errors_are_retried() -> None:
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    waits: list[float] = []
    with httpx.Client() as http, pytest.raises(httpx.ConnectError):
        _policy(waits, attempts=3).send(lambda: http.get(f"http://127.0.0.1:{port}/r"))
    assert len(waits) == 2


def test_retry_after_parses_seconds_and_dates() -> None:
    request = httpx.Request("GET", "http://x/")
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "12"}, request=request)) == 12
    dated = httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, request=request)
    assert retry_after_seconds(dated) == 0.0  # in the past
    assert retry_after_seconds(httpx.Response(429, request=request)) is None
