"""The shared HTTP session and retry policy, against a real loopback server with injected faults."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from qbsps_orchestration.lib.http import (
    TRANSPORT_ERRORS,
    ApiSession,
    RetryPolicy,
    never_sent,
    retry_after_seconds,
)
from qbsps_orchestration.sandbox.faults import FaultInjector, FaultMiddleware, FaultRule
from qbsps_orchestration.sandbox.server import ServedApp


@pytest.fixture()
def server() -> Iterator[tuple[str, FaultInjector]]:
    faults = FaultInjector()

    async def ok(_: Request) -> Response:
        return PlainTextResponse("ok")

    async def moved(_: Request) -> Response:
        return RedirectResponse("/r")

    def body(_: Request, status: int, __: int | None) -> Response:
        return PlainTextResponse("fault", status_code=status)

    served = ServedApp(
        FaultMiddleware(Starlette(routes=[Route("/r", ok), Route("/moved", moved)]), faults, body)
    ).start()
    yield served.base_url, faults
    served.stop()


def _policy(waits: list[float], attempts: int = 6) -> RetryPolicy:
    return RetryPolicy(max_attempts=attempts, base_seconds=0.5, max_wait_seconds=30, sleep=waits.append)


def test_retries_429_and_5xx_until_success(server) -> None:
    base, faults = server
    faults.add(FaultRule(status=429, count=2))
    faults.add(FaultRule(status=503, count=1))
    waits: list[float] = []
    with ApiSession(10) as http:
        response = _policy(waits).send(lambda: http.get(f"{base}/r"))
    assert response.status_code == 200 and len(waits) == 3
    assert all(0 <= w <= 30 for w in waits)


def test_full_jitter_grows_exponentially_but_is_bounded() -> None:
    waits: list[float] = []
    calls = 0

    def refused() -> requests.Response:
        nonlocal calls
        calls += 1
        raise requests.ConnectionError("refused")

    with pytest.raises(requests.ConnectionError):
        RetryPolicy(max_attempts=8, base_seconds=1, max_wait_seconds=10, sleep=waits.append).send(refused)
    assert calls == 8 and len(waits) == 7
    # full jitter: each wait is uniform in [0, min(cap, base * 2**n)]
    assert all(0 <= w <= min(10, 2 ** (n + 1)) for n, w in enumerate(waits))


def test_retry_after_is_honoured(server) -> None:
    base, faults = server
    faults.add(FaultRule(status=429, count=1, retry_after=7))
    waits: list[float] = []
    with ApiSession(10) as http:
        assert _policy(waits).send(lambda: http.get(f"{base}/r")).status_code == 200
    assert waits == [7.0]


def test_gives_up_after_bounded_attempts_and_returns_the_last_answer(server) -> None:
    base, faults = server
    faults.add(FaultRule(status=500, count=None, rate=1.0))
    waits: list[float] = []
    with ApiSession(10) as http:
        response = _policy(waits, attempts=3).send(lambda: http.get(f"{base}/r"))
    assert response.status_code == 500 and len(waits) == 2


def test_client_errors_are_not_retried(server) -> None:
    base, faults = server
    faults.add(FaultRule(status=400, count=1))
    waits: list[float] = []
    with ApiSession(10) as http:
        assert _policy(waits).send(lambda: http.get(f"{base}/r")).status_code == 400
    assert waits == []


def test_connection_errors_are_retried() -> None:
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    waits: list[float] = []
    with ApiSession(10) as http, pytest.raises(requests.ConnectionError) as caught:
        _policy(waits, attempts=3).send(lambda: http.get(f"http://127.0.0.1:{port}/r"))
    assert len(waits) == 2
    assert never_sent(caught.value)  # refused: the request cannot have reached anyone


def _answer(status: int, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code, response.headers = status, requests.structures.CaseInsensitiveDict(headers or {})
    return response


def test_retry_after_parses_seconds_and_dates() -> None:
    assert retry_after_seconds(_answer(429, {"Retry-After": "12"})) == 12
    assert retry_after_seconds(_answer(429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0  # past
    assert retry_after_seconds(_answer(429)) is None


def test_a_dropped_or_slow_answer_may_have_landed_and_redirects_are_not_followed(server) -> None:
    base, faults = server
    faults.add(FaultRule(drop=True, after_apply=True, count=1))
    with ApiSession(10) as http, pytest.raises(TRANSPORT_ERRORS) as dropped:
        http.get(f"{base}/r")
    assert not never_sent(dropped.value)  # the server had the request: it may have acted
    faults.add(FaultRule(delay_ms=1500, count=1))
    with ApiSession(0.3) as http, pytest.raises(requests.Timeout) as slow:
        http.get(f"{base}/r")  # the session's default timeout, without passing one
    assert not never_sent(slow.value)
    with ApiSession(10) as http:
        assert http.get(f"{base}/moved").status_code == 307  # an API's answer is the answer
