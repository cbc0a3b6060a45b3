from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from qbsps_orchestration.sandbox.clock import SandboxClock
from qbsps_orchestration.sandbox.control import common_control_routes
from qbsps_orchestration.sandbox.faults import FaultInjector, FaultMiddleware, FaultRule
from qbsps_orchestration.sandbox.server import ServedApp


def _fault_body(_: Request, status: int, retry_after: int | None) -> Response:
    return JSONResponse({"injected": status, "retry_after": retry_after}, status_code=status)


@pytest.fixture()
def served() -> Iterator[tuple[str, SandboxClock, FaultInjector]]:
    clock, faults = SandboxClock(), FaultInjector()

    async def ok(_: Request) -> Response:
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[Route("/api/{rest:path}", ok, methods=["GET", "POST"]), *common_control_routes(clock, faults)]
    )
    server = ServedApp(FaultMiddleware(app, faults, _fault_body)).start()
    yield server.base_url, clock, faults
    server.stop()


def test_scripted_faults_fail_exactly_count_calls_then_clear(served) -> None:
    base, _, _ = served
    with httpx.Client(base_url=base) as http:
        assert (
            http.post("/_sandbox/faults", json={"status": 429, "count": 2, "retry_after": 3}).status_code
            == 201
        )
        first, second, third = (http.get("/api/x") for _ in range(3))
    assert [first.status_code, second.status_code, third.status_code] == [429, 429, 200]
    assert first.headers["Retry-After"] == "3" and first.json() == {"injected": 429, "retry_after": 3}


def test_fault_scoped_by_path_and_method(served) -> None:
    base, _, faults = served
    faults.add(FaultRule(status=503, count=5, path_prefix="/api/orders", method="POST"))
    with httpx.Client(base_url=base) as http:
        assert http.get("/api/orders").status_code == 200
        assert http.post("/api/other").status_code == 200
        assert http.post("/api/orders/1").status_code == 503
    assert faults.describe()["rules"][0]["count"] == 4


def test_rate_faults_are_random_but_seedable(served) -> None:
    base, _, faults = served
    faults.seed(7)
    faults.add(FaultRule(status=500, count=None, rate=0.5))
    with httpx.Client(base_url=base) as http:
        statuses = [http.get("/api/r").status_code for _ in range(40)]
    assert 5 < statuses.count(500) < 35 and statuses.count(200) == 40 - statuses.count(500)


def test_control_api_is_never_failed(served) -> None:
    base, _, faults = served
    faults.add(FaultRule(status=500, count=None, rate=1.0))
    with httpx.Client(base_url=base) as http:
        assert http.get("/api/x").status_code == 500
        assert http.get("/_sandbox/health").status_code == 200
        assert http.delete("/_sandbox/faults").status_code == 204
        assert http.get("/api/x").status_code == 200


def test_bad_fault_requests_are_rejected(served) -> None:
    base, _, _ = served
    with httpx.Client(base_url=base) as http:
        assert http.post("/_sandbox/faults", json={"status": 200}).status_code == 400
        assert http.post("/_sandbox/faults", json={"status": 500, "rate": 2}).status_code == 400
        assert http.post("/_sandbox/faults", json={}).status_code == 400


def test_clock_control_moves_time(served) -> None:
    base, clock, _ = served
    before = clock.now()
    with httpx.Client(base_url=base) as http:
        reply = http.post("/_sandbox/clock", json={"advance_seconds": 3600}).json()
        assert reply["offset_seconds"] == pytest.approx(3600, abs=1)
        assert (clock.now() - before).total_seconds() >= 3600
        http.post("/_sandbox/clock", json={"set": "2030-01-01T00:00:00+00:00"})
        assert clock.now().year == 2030
        assert http.post("/_sandbox/clock", json={"set": "2030-01-01T00:00:00"}).status_code == 400
        http.post("/_sandbox/clock", json={"reset": True})
    assert abs(clock.offset_seconds) < 1


def test_latency_is_added(served) -> None:
    base, _, faults = served
    with httpx.Client(base_url=base) as http:
        http.post("/_sandbox/latency", json={"latency_ms": 150})
        assert faults.latency_ms == 150
        reply = http.get("/api/slow")
    assert reply.status_code == 200 and reply.elapsed.total_seconds() >= 0.15


@pytest.fixture()
def counted() -> Iterator[tuple[str, FaultInjector, list[str]]]:
    """A server that records every call it applies, behind the fault middleware."""
    faults, applied = FaultInjector(), []

    async def write(request: Request) -> Response:
        applied.append(request.url.path)
        return JSONResponse({"written": request.url.path}, status_code=201)

    app = Starlette(
        routes=[
            Route("/api/{rest:path}", write, methods=["POST"]),
            *common_control_routes(SandboxClock(), faults),
        ]
    )
    server = ServedApp(FaultMiddleware(app, faults, _fault_body)).start()
    yield server.base_url, faults, applied
    server.stop()


def test_after_apply_status_applies_the_call_then_fails_its_answer(counted) -> None:
    base, _, applied = counted
    with httpx.Client(base_url=base) as http:
        assert http.post("/_sandbox/faults", json={"after_apply": 503, "count": 1}).status_code == 201
        lost = http.post("/api/orders/1")
        kept = http.post("/api/orders/2")
    assert lost.status_code == 503 and lost.json() == {"injected": 503, "retry_after": None}
    assert kept.status_code == 201
    assert applied == ["/api/orders/1", "/api/orders/2"]  # the failed answer's call landed all the same


def test_after_apply_drop_applies_the_call_then_cuts_the_connection(counted) -> None:
    base, _, applied = counted
    with httpx.Client(base_url=base) as http:
        assert (
            http.post("/_sandbox/faults", json={"after_apply": "drop", "method": "POST"}).status_code == 201
        )
        with pytest.raises(httpx.RemoteProtocolError):
            http.post("/api/orders/1")
    with httpx.Client(base_url=base) as http:
        assert http.post("/api/orders/2").status_code == 201
    assert applied == ["/api/orders/1", "/api/orders/2"]


def test_drop_before_apply_never_reaches_the_server(counted) -> None:
    base, faults, applied = counted
    with httpx.Client(base_url=base) as http:
        assert http.post("/_sandbox/faults", json={"drop": True}).status_code == 201
        with pytest.raises(httpx.RemoteProtocolError):
            http.post("/api/orders/1")
    assert applied == [] and faults.describe()["rules"] == []


def test_after_apply_rules_need_drop_or_an_error_status(counted) -> None:
    base, _, _ = counted
    with httpx.Client(base_url=base) as http:
        assert http.post("/_sandbox/faults", json={"after_apply": 200}).status_code == 400
        assert http.post("/_sandbox/faults", json={"after_apply": "later"}).status_code == 400


def test_a_slow_answer_is_applied_at_once_and_lost_to_a_client_that_gave_up(counted) -> None:
    base, faults, applied = counted
    faults.add(FaultRule(delay_ms=800, count=1))
    with httpx.Client(base_url=base, timeout=0.2) as http, pytest.raises(httpx.ReadTimeout):
        http.post("/api/orders/1")
    assert applied == ["/api/orders/1"]  # it landed although the client heard nothing
    with httpx.Client(base_url=base, timeout=5) as http:
        faults.add(FaultRule(delay_ms=300, count=1))
        slow = http.post("/api/orders/2")
    assert slow.status_code == 201 and slow.elapsed.total_seconds() >= 0.3


def test_a_server_without_objects_refuses_a_concurrent_edit(counted) -> None:
    base, _, _ = counted
    with httpx.Client(base_url=base) as http:
        refused = http.post("/_sandbox/faults", json={"concurrent_edit": True})
    assert refused.status_code == 400 and "edit" in refused.json()["error"]


def test_the_same_seed_fails_the_same_calls(served) -> None:
    base, _, _ = served

    def statuses() -> list[int]:
        with httpx.Client(base_url=base) as http:
            http.delete("/_sandbox/faults")
            assert http.post("/_sandbox/faults/seed", json={"seed": 42}).status_code == 204
            http.post("/_sandbox/faults", json={"status": 503, "rate": 0.5})
            return [http.get("/api/r").status_code for _ in range(30)]

    first = statuses()
    assert first == statuses() and 503 in first and 200 in first
    with httpx.Client(base_url=base) as http:
        assert http.post("/_sandbox/faults/seed", json={"seed": "x"}).status_code == 400
