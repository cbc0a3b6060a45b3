"""QBO webhooks: signature vectors, body shapes, and delivery to a real local receiver."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from qbsps_orchestration.sandbox.clock import SandboxClock
from qbsps_orchestration.sandbox.qbo.webhooks.emitter import WebhookEmitter
from qbsps_orchestration.sandbox.qbo.webhooks.payloads import (
    ChangeEvent,
    cloudevents_body,
    legacy_body,
    sign,
    verify,
)
from qbsps_orchestration.sandbox.server import ServedApp
from qbsps_orchestration.sandbox.settings import QboSandboxSettings
from qbsps_tests.support import shared_dir

REALM, OTHER_REALM = "9341455130298576", "4620816365037572"
WHEN = datetime(2025, 1, 16, 16, 0, tzinfo=UTC)
FAST_RETRIES = (0.05, 0.1)


@dataclass
class Receiver:
    """A webhook endpoint that answers scripted statuses (then 200) and keeps every raw request."""

    base_url: str
    statuses: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"{self.base_url}/hooks/qbo"


@dataclass
class Rig:
    receiver: Receiver
    settings: QboSandboxSettings
    emitter: WebhookEmitter
    control: httpx.Client  # the sandbox side, serving the emitter's control routes


@pytest.fixture
def rig() -> Iterator[Rig]:
    receiver = Receiver("")

    async def hook(request: Request) -> Response:
        body = await request.body()
        with receiver.lock:
            receiver.received.append((dict(request.headers), body))
            status = receiver.statuses.pop(0) if receiver.statuses else 200
        return Response(status_code=status)

    receiving = ServedApp(
        Starlette(routes=[Route("/hooks/qbo", hook, methods=["POST"])]), name="receiver"
    ).start()
    receiver.base_url = receiving.base_url
    settings = QboSandboxSettings(webhook_url=receiver.url)
    emitter = WebhookEmitter(settings, SandboxClock(), retry_delays=FAST_RETRIES, batch_window=0.05)
    sandbox = ServedApp(Starlette(routes=emitter.routes()), name="qbo-webhooks-test").start()
    try:
        with httpx.Client(base_url=sandbox.base_url, trust_env=False) as control:
            yield Rig(receiver, settings, emitter, control)
    finally:
        emitter.close()
        sandbox.stop()
        receiving.stop()


def _samples() -> Path:
    return shared_dir() / "reference" / "qbo_samples"


@pytest.mark.shared
def test_signature_matches_the_published_vectors() -> None:
    vectors = {
        "webhook_legacy.json": (495, "2mw4I5OG0Z6jwxMrTINJSnhByItWxEcRKsUnax7fXSY="),
        "webhook_cloudevents.json": (673, "m0rrQQAOxounOsMV3On8PI5DV0zaGvdiUmAKQ/heN8E="),
    }
    for name, (size, expected) in vectors.items():
        body = (_samples() / name).read_bytes()
        assert len(body) == size
        assert sign(body, "EXAMPLE-VERIFIER-TOKEN-0000") == expected
        assert verify(body, expected, "EXAMPLE-VERIFIER-TOKEN-0000")
        assert not verify(body + b" ", expected, "EXAMPLE-VERIFIER-TOKEN-0000")


@pytest.mark.shared
def test_bodies_have_the_published_shapes() -> None:
    realm = "9130357766900456"
    events = [
        ChangeEvent("88cd52aa-33b6-4351-9aa4-47572edbd068", realm, "PurchaseOrder", "154", "Update", WHEN),
        ChangeEvent(
            "0b9e4c1e-0000-4000-8000-000000000001",
            realm,
            "Invoice",
            "145",
            "Delete",
            datetime(2025, 1, 16, 17, 12, tzinfo=UTC),
        ),
    ]
    legacy = json.loads((_samples() / "webhook_legacy.json").read_text())
    cloudevents = json.loads((_samples() / "webhook_cloudevents.json").read_text())
    assert json.loads(legacy_body(events)) == legacy
    assert json.loads(cloudevents_body(events, "intuit.EXAMPLE-SOURCE")) == cloudevents


def test_change_event_rejects_unknown_operation_and_naive_time() -> None:
    with pytest.raises(ValueError, match="operation 'Created'"):
        ChangeEvent("e1", REALM, "Invoice", "1", "Created", WHEN)
    with pytest.raises(ValueError, match="timezone-aware"):
        ChangeEvent("e1", REALM, "Invoice", "1", "Create", datetime(2025, 1, 1))


def test_cloudevents_delivery_is_signed_batched_per_realm_and_logged(rig: Rig) -> None:
    rig.emitter.notify(REALM, "Invoice", "145", "Create", WHEN)
    rig.emitter.notify(REALM, "PurchaseOrder", "154", "Void", WHEN)
    rig.emitter.notify(OTHER_REALM, "Vendor", "56", "Merge", WHEN)
    rig.emitter.flush()

    assert len(rig.receiver.received) == 2  # one POST per realm, in occurrence order
    first_headers, first_body = rig.receiver.received[0]
    for headers, body in rig.receiver.received:
        assert headers["content-type"] == "application/json"
        assert verify(body, headers["intuit-signature"], rig.settings.webhook_verifier_token)
    events = json.loads(first_body)
    assert [e["type"] for e in events] == ["qbo.invoice.created.v1", "qbo.purchaseorder.voided.v1"]
    assert {e["intuitaccountid"] for e in events} == {REALM}
    assert events[0]["intuitentityid"] == "145" and events[0]["time"] == "2025-01-16T16:00:00.000Z"
    assert events[0]["specversion"] == "1.0" and events[0]["source"].startswith("intuit.")
    assert json.loads(rig.receiver.received[1][1])[0]["type"] == "qbo.vendor.merged.v1"

    state = rig.control.get("/_sandbox/qbo/webhooks").json()
    assert state["pending"] == 0 and state["url"] == rig.receiver.url
    assert [(d["outcome"], d["status_code"], d["attempts"]) for d in state["deliveries"]] == [
        ("delivered", 200, 1),
        ("delivered", 200, 1),
    ]
    assert state["deliveries"][0]["event_ids"] == [e["id"] for e in events]


def test_legacy_format_and_cloudevents_content_type_switch_at_run_time(rig: Rig) -> None:
    answer = rig.control.post("/_sandbox/qbo/webhooks", json={"format": "legacy"})
    assert answer.json()["format"] == "legacy"
    rig.emitter.notify(REALM, "Invoice", "145", "Emailed", WHEN)
    rig.emitter.flush()
    headers, body = rig.receiver.received[-1]
    assert verify(body, headers["intuit-signature"], rig.settings.webhook_verifier_token)
    notification = json.loads(body)["eventNotifications"][0]
    assert notification["realmId"] == REALM
    assert notification["dataChangeEvent"]["entities"] == [
        {"name": "Invoice", "id": "145", "operation": "Emailed", "lastUpdated": "2025-01-16T16:00:00.000Z"}
    ]

    switch = {"format": "cloudevents", "content_type": "application/cloudevents+json"}
    assert rig.control.post("/_sandbox/qbo/webhooks", json=switch).status_code == 200
    rig.emitter.notify(REALM, "Invoice", "145", "Update", WHEN)
    rig.emitter.flush()
    headers, body = rig.receiver.received[-1]
    assert headers["content-type"] == "application/cloudevents+json"
    assert json.loads(body)[0]["type"] == "qbo.invoice.updated.v1"


def test_failed_delivery_is_retried_with_the_same_bytes(rig: Rig) -> None:
    rig.receiver.statuses = [503, 500]
    rig.emitter.notify(REALM, "Invoice", "145", "Create", WHEN)
    rig.emitter.flush()
    bodies = [body for _, body in rig.receiver.received]
    assert len(bodies) == 3 and len(set(bodies)) == 1  # same event ids, same signature
    delivery = rig.emitter.deliveries()[0]
    assert (delivery["outcome"], delivery["attempts"]) == ("delivered", 3)
    assert [a["status_code"] for a in delivery["attempt_log"]] == [503, 500, 200]


def test_delivery_gives_up_then_later_events_still_flow(rig: Rig) -> None:
    rig.receiver.statuses = [500, 500, 500]
    rig.emitter.notify(REALM, "Invoice", "1", "Create", WHEN)
    rig.emitter.flush()
    rig.emitter.notify(REALM, "Invoice", "2", "Create", WHEN)
    rig.emitter.flush()
    failed, delivered = rig.emitter.deliveries()
    assert (failed["outcome"], failed["attempts"], failed["status_code"]) == ("failed", 3, 500)
    assert delivered["outcome"] == "delivered"


def test_unreachable_receiver_is_logged_as_an_error(rig: Rig) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on once the probe closes
        probe.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{probe.getsockname()[1]}/hooks/qbo"
    assert rig.control.post("/_sandbox/qbo/webhooks", json={"url": dead_url}).status_code == 200
    rig.emitter.notify(REALM, "Invoice", "145", "Create", WHEN)
    rig.emitter.flush()
    delivery = rig.emitter.deliveries()[0]
    assert (delivery["outcome"], delivery["attempts"], delivery["status_code"]) == ("failed", 3, None)
    assert {a["error"] for a in delivery["attempt_log"]} == {"ConnectError"}


def test_large_bursts_are_split_into_posts_of_at_most_100(rig: Rig) -> None:
    for n in range(150):
        rig.emitter.notify(REALM, "Invoice", str(n), "Update", WHEN)
    rig.emitter.flush()
    sizes = [len(json.loads(body)) for _, body in rig.receiver.received]
    assert sum(sizes) == 150 and max(sizes) == 100
    ids = [e["intuitentityid"] for _, body in rig.receiver.received for e in json.loads(body)]
    assert ids == [str(n) for n in range(150)]  # occurrence order is kept


def test_no_url_means_no_events_and_bad_control_input_is_named(rig: Rig) -> None:
    assert rig.control.post("/_sandbox/qbo/webhooks", json={"url": None}).json()["url"] is None
    rig.emitter.notify(REALM, "Invoice", "145", "Create", WHEN)
    rig.emitter.flush(timeout=1)
    assert rig.receiver.received == [] and rig.emitter.deliveries() == []
    for body, field_name in (
        ({"format": "xml"}, "format"),
        ({"url": "ftp://x"}, "url"),
        ({"retry_delays": [-1]}, "retry_delays"),
        ({"colour": 1}, "colour"),
    ):
        answer = rig.control.post("/_sandbox/qbo/webhooks", json=body)
        assert answer.status_code == 400 and field_name in answer.json()["error"]
