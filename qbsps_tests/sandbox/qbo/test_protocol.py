"""Wire-protocol behaviour around the entities: auth shapes, realm checks, requestid, minorversion,
intuit_tid, throttling, injected faults, webhooks on writes and the control routes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from xml.etree import ElementTree

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from qbsps_orchestration.sandbox.qbo.webhooks.payloads import verify
from qbsps_orchestration.sandbox.server import ServedApp

from .conftest import Qbo, fault_codes

INTUIT_NS = {"i": "http://schema.intuit.com/finance/v3"}


def test_missing_or_bad_token_gets_the_gateway_401_shape(qbo: Qbo) -> None:
    url = f"{qbo.base_url}/v3/company/{qbo.realm_id}/vendor/1"
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
        response = httpx.get(url, headers=headers, trust_env=False)
        assert response.status_code == 401
        assert response.headers["intuit_tid"]
        body = response.json()
        assert "Fault" not in body and body["fault"]["type"] == "AUTHENTICATION"
        assert body["fault"]["error"][0]["code"] == "3200"
        assert "errorCode=003200" in body["fault"]["error"][0]["message"]
        assert isinstance(body["time"], int)  # epoch milliseconds at the gateway


def test_a_token_only_opens_its_own_company(qbo: Qbo) -> None:
    other = qbo.http.get(f"{qbo.base_url}/v3/company/123456789/vendor/1")
    assert other.status_code == 403
    assert other.json()["Fault"]["type"] == "AuthorizationFault"


def test_requestid_repeats_return_the_first_answer(qbo: Qbo) -> None:
    body = {"DisplayName": "Idempotent Supply"}
    first = qbo.create("Vendor", body, requestid="vendor-create-0001")
    again = qbo.create("Vendor", body, requestid="vendor-create-0001")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert len(qbo.sandbox.find("Vendor", DisplayName="Idempotent Supply")) == 1
    fresh = qbo.create("Vendor", body, requestid="vendor-create-0002")
    assert fault_codes(fresh) == ["6240"]  # a new requestid really runs, and meets the duplicate
    too_long = qbo.create("Vendor", {"DisplayName": "Long Id"}, requestid="r" * 51)
    assert fault_codes(too_long) == ["6000"]


@pytest.mark.parametrize("minor", [None, "4", "75", "80"])
def test_minorversion_is_served_as_75_and_up(qbo: Qbo, minor: str | None) -> None:
    params = {} if minor is None else {"minorversion": minor}
    response = qbo.http.get("/query", params={"query": "select count(*) from Item", **params})
    assert response.status_code == 200 and response.json()["QueryResponse"]["totalCount"] == 4


def test_every_answer_has_a_transaction_id_and_time(qbo: Qbo) -> None:
    answers = [qbo.query("select * from Vendor"), qbo.read("Vendor", "99999"), qbo.query("select")]
    tids = {response.headers["intuit_tid"] for response in answers}
    assert len(tids) == 3
    assert all("time" in response.json() for response in answers)


def test_throttle_answers_429_with_the_xml_body(qbo: Qbo) -> None:
    qbo.sandbox.throttle.enabled = True
    statuses = [qbo.query("select count(*) from Item").status_code for _ in range(12)]
    assert statuses[:10] == [200] * 10 and 429 in statuses[10:]
    throttled = qbo.query("select count(*) from Item")
    assert throttled.status_code == 429 and throttled.headers["intuit_tid"]
    fault = ElementTree.fromstring(throttled.content).find("i:Fault/i:Error", INTUIT_NS)
    assert fault is not None and fault.get("code") == "3001"
    qbo.clock.advance(61)
    qbo.reauthenticate()
    assert qbo.query("select count(*) from Item").status_code == 200


def test_injected_faults_use_qbo_shapes(qbo: Qbo) -> None:
    qbo.faults.latency_ms = 0
    control = f"{qbo.base_url}/_sandbox/faults"
    httpx.post(control, json={"status": 429, "count": 1, "path_prefix": "/v3/"}, trust_env=False)
    throttled = qbo.query("select count(*) from Item")
    assert throttled.status_code == 429 and b"ThrottleExceeded" in throttled.content
    httpx.post(control, json={"status": 503, "count": 1, "path_prefix": "/v3/"}, trust_env=False)
    unavailable = qbo.query("select count(*) from Item")
    assert unavailable.status_code == 503 and unavailable.json()["Fault"]["type"] == "SystemFault"
    assert qbo.query("select count(*) from Item").status_code == 200


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[bytes, dict]]]]:
    received: list[tuple[bytes, dict]] = []
    lock = threading.Lock()

    async def hook(request: Request) -> Response:
        body = await request.body()
        with lock:
            received.append((body, dict(request.headers)))
        return Response(status_code=200)

    served = ServedApp(Starlette(routes=[Route("/hook", hook, methods=["POST"])]), name="qbo-hook").start()
    try:
        yield served.base_url + "/hook", received
    finally:
        served.stop()


def test_every_write_fires_a_signed_webhook(qbo: Qbo, receiver: tuple[str, list[tuple[bytes, dict]]]) -> None:
    url, received = receiver
    qbo.sandbox.webhooks.url = url
    vendor = qbo.made("Vendor", {"DisplayName": "Hooked Vendor"})
    qbo.update("Vendor", {"Id": vendor["Id"], "SyncToken": "0", "sparse": True, "AcctNum": "H1"})
    item = qbo.one("Item", Sku="SPSSupplierHD-20")
    line = {
        "DetailType": "ItemBasedExpenseLineDetail",
        "Amount": 12,
        "ItemBasedExpenseLineDetail": {"ItemRef": {"value": item["Id"]}},
    }
    po = qbo.made("PurchaseOrder", {"VendorRef": {"value": vendor["Id"]}, "Line": [line]})
    qbo.delete("PurchaseOrder", po)
    qbo.create("Vendor", {"DisplayName": "Hooked Vendor"})  # refused: no event
    qbo.sandbox.webhooks.flush(timeout=10)
    events = []
    for body, headers in received:
        assert verify(body, headers["intuit-signature"], qbo.sandbox.settings.webhook_verifier_token)
        events += json.loads(body)
    seen = [(event["type"], event["intuitentityid"]) for event in events]
    assert seen == [
        ("qbo.vendor.created.v1", vendor["Id"]),
        ("qbo.vendor.updated.v1", vendor["Id"]),
        ("qbo.purchaseorder.created.v1", po["Id"]),
        ("qbo.purchaseorder.deleted.v1", po["Id"]),
    ]
    assert all(event["intuitaccountid"] == qbo.realm_id for event in events)


def test_control_routes_list_entities_and_reset(qbo: Qbo) -> None:
    qbo.made("Vendor", {"DisplayName": "Before Reset"})
    listing = httpx.get(f"{qbo.base_url}/_sandbox/qbo/entities/Vendor", trust_env=False).json()["Vendor"]
    assert "Before Reset" in [row["DisplayName"] for row in listing]
    assert httpx.get(f"{qbo.base_url}/_sandbox/qbo/entities/Spaceship", trust_env=False).status_code == 404
    reset = httpx.post(f"{qbo.base_url}/_sandbox/qbo/reset", trust_env=False)
    assert reset.status_code == 200
    assert qbo.sandbox.find("Vendor", DisplayName="Before Reset") == []
    assert len(qbo.sandbox.find("Vendor")) == 2  # the seed company is back
    assert qbo.query("select count(*) from Vendor").status_code == 200  # tokens survive a reset
