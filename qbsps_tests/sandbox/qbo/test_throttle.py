"""QBO throttles over real HTTP: per-second, per-minute and batch limits, 429 body, recovery."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree import ElementTree

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from qbsps_orchestration.sandbox.clock import SandboxClock
from qbsps_orchestration.sandbox.qbo.oauth.authority import TokenGrant
from qbsps_orchestration.sandbox.qbo.throttle import QboThrottle
from qbsps_orchestration.sandbox.server import ServedApp

REALM, OTHER_REALM = "9341455130298576", "4620816365037572"
APP, OTHER_APP = "ABapp-one", "ABapp-two"
NS = {"i": "http://schema.intuit.com/finance/v3"}


@dataclass
class Api:
    http: httpx.Client
    clock: SandboxClock
    throttle: QboThrottle

    def call(self, realm: str = REALM, app: str = APP, *, batch: bool = False) -> httpx.Response:
        path = f"/v3/company/{realm}/{'batch' if batch else 'query'}"
        return self.http.post(path, headers={"X-App": app})

    def calls(self, n: int, **kwargs: object) -> list[int]:
        return [self.call(**kwargs).status_code for _ in range(n)]  # type: ignore[arg-type]


@pytest.fixture
def api() -> Iterator[Api]:
    clock = SandboxClock()
    throttle = QboThrottle(clock)

    async def endpoint(request: Request) -> Response:
        # Stands in for the QBO API: the grant would come from the bearer token there.
        grant = TokenGrant(request.path_params["realm"], request.headers["X-App"])
        if not throttle.admit(grant, batch=request.path_params["op"] == "batch"):
            return throttle.throttled_response()
        return JSONResponse({"ok": True})

    app = Starlette(
        routes=[*throttle.routes(), Route("/v3/company/{realm}/{op}", endpoint, methods=["POST"])]
    )
    served = ServedApp(app, name="qbo-throttle-test").start()
    try:
        with httpx.Client(base_url=served.base_url, trust_env=False) as http:
            yield Api(http, clock, throttle)
    finally:
        served.stop()


def test_per_second_limit_is_per_realm_and_app_with_the_xml_fault(api: Api) -> None:
    assert api.calls(10) == [200] * 10
    refused = api.call()
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/xml")
    assert refused.headers["intuit_tid"]
    assert "Retry-After" not in refused.headers
    root = ElementTree.fromstring(refused.content)
    error = root.find("i:Fault/i:Error", NS)
    assert root.find("i:Fault", NS).get("type") == "SERVICE"
    assert error.get("code") == "3001"
    assert (
        error.findtext("i:Message", namespaces=NS)
        == "message=ThrottleExceeded; errorCode=003001; statusCode=429"
    )
    assert root.get("time")

    assert api.call(app=OTHER_APP).status_code == 200  # another app on the same realm has its own second
    api.clock.advance(1.001)
    assert api.calls(10) == [200] * 10


def test_per_minute_limit_counts_every_app_of_the_realm(api: Api) -> None:
    for second in range(50):  # 10 calls a second stays under the per-second limit
        assert api.calls(10, app=APP if second % 2 else OTHER_APP) == [200] * 10
        api.clock.advance(1)
    assert api.call(app=APP).status_code == 429
    assert api.call(app="ABapp-three").status_code == 429  # the 500/min budget is the realm's
    assert api.call(realm=OTHER_REALM).status_code == 200
    api.clock.advance(61)
    assert api.calls(10) == [200] * 10


def test_sliding_window_frees_slots_as_calls_age_and_refusals_do_not_count(api: Api) -> None:
    api.throttle.per_minute = 20  # a small budget leaves wide margins against real time passing
    assert api.calls(10) == [200] * 10
    api.clock.advance(30)
    assert api.calls(10) == [200] * 10
    api.clock.advance(1)
    assert api.calls(2) == [429, 429]
    api.clock.advance(29.5)  # the first ten are a minute old now; the second ten are not
    assert api.calls(11) == [200] * 10 + [429]
    assert api.throttle.describe()["refused"] == {"requests_per_realm_minute": 3}


def test_batch_limit_is_separate_from_plain_requests(api: Api) -> None:
    for _ in range(4):
        assert api.calls(10, batch=True) == [200] * 10
        api.clock.advance(1)
    assert api.call(batch=True).status_code == 429
    assert api.call().status_code == 200  # plain requests are still within their budget
    assert api.call(app=OTHER_APP, batch=True).status_code == 200
    api.clock.advance(57)
    assert api.call(batch=True).status_code == 200


def test_control_api_disables_and_tunes_the_throttle(api: Api) -> None:
    state = api.http.post("/_sandbox/qbo/throttle", json={"per_second": 2, "retry_after": 60}).json()
    assert state["per_second"] == 2 and state["per_minute"] == 500
    assert api.calls(3) == [200, 200, 429]
    assert api.call().headers["Retry-After"] == "60"

    assert api.http.post("/_sandbox/qbo/throttle", json={"enabled": False}).json()["enabled"] is False
    assert api.calls(20) == [200] * 20
    state = api.http.post("/_sandbox/qbo/throttle", json={"enabled": True, "reset": True}).json()
    assert state["admitted"] == 0 and state["windows"] == []
    assert api.calls(2) == [200, 200]
    windows = api.http.get("/_sandbox/qbo/throttle").json()["windows"]
    assert {"window": "requests_per_app_second", "key": [REALM, APP], "calls": 2} in windows

    bad = api.http.post("/_sandbox/qbo/throttle", json={"per_minute": 0})
    assert bad.status_code == 400 and "per_minute" in bad.json()["error"]
