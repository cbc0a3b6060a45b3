"""The receiver served on loopback by uvicorn, spoken to over real HTTP, storing into a real SQLite ledger."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.secrets import SecretCipher
from qbsps_orchestration.lib.webhooks import signature_of, webhook_app
from qbsps_orchestration.sandbox.server import ServedApp

TOKEN = "receiver-test-verifier-token"
REALM, OTHER_REALM = "9341455130298576", "4620816365037572"


def cloudevents(*ids: str, realm: str = REALM, entity: str = "invoice") -> bytes:
    return json.dumps(
        [
            {
                "specversion": "1.0",
                "id": f"ev-{entity}-{entity_id}",
                "source": "intuit.test",
                "type": f"qbo.{entity}.updated.v1",
                "datacontenttype": "application/json",
                "time": "2026-03-02T15:30:07.123Z",
                "intuitentityid": entity_id,
                "intuitaccountid": realm,
                "data": {},
            }
            for entity_id in ids
        ]
    ).encode()


def legacy(*ids: str, realm: str = REALM) -> bytes:
    entities = [
        {"name": "Invoice", "id": i, "operation": "Create", "lastUpdated": "2026-03-02T15:30:07.000Z"}
        for i in ids
    ]
    return json.dumps(
        {"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": entities}}]}
    ).encode()


@dataclass
class Receiver:
    http: httpx.Client
    ledger: Ledger  # a second connection to the receiver's ledger, for assertions
    app: object

    def post(self, body: bytes, signature: str | None = "sign", **headers: str) -> httpx.Response:
        if signature == "sign":
            signature = signature_of(body, TOKEN)
        if signature is not None:
            headers["intuit-signature"] = signature
        return self.http.post(
            "/webhooks/qbo", content=body, headers={"content-type": "application/json", **headers}
        )

    @property
    def stats(self) -> dict:
        return self.http.get("/health").json()


def _ledger(url: str, cipher: SecretCipher) -> Ledger:
    ledger = Ledger(url, cipher=cipher)
    ledger.migrate()
    return ledger


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    url, cipher = f"sqlite:///{tmp_path / 'ledger.sqlite'}", SecretCipher([SecretCipher.generate_key()])
    app = webhook_app(lambda: _ledger(url, cipher), TOKEN, [REALM])
    served = ServedApp(app, name="webhook-receiver").start()
    observer = _ledger(url, cipher)
    try:
        with httpx.Client(base_url=served.base_url, trust_env=False, timeout=10) as http:
            yield Receiver(http, observer, app)
    finally:
        served.stop()
        observer.close()


@pytest.mark.parametrize("content_type", ["application/json", "application/cloudevents+json"])
def test_signed_cloudevents_are_stored_and_answered_quickly(receiver: Receiver, content_type: str) -> None:
    body = cloudevents("145", "146")
    started = time.perf_counter()
    answer = receiver.post(body, **{"content-type": content_type})
    elapsed_ms = (time.perf_counter() - started) * 1000
    print(
        f"\nwebhook POST answered in {elapsed_ms:.1f} ms (ledger write {receiver.stats['last_store_ms']} ms)"
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"received": 2, "new": 2, "ignored": 0}
    rows = receiver.ledger.pending_changes("Invoice")
    assert [(r.entity_id, r.operation, r.source, r.event_id) for r in rows] == [
        ("145", "Update", "webhook", "ev-invoice-145"),
        ("146", "Update", "webhook", "ev-invoice-146"),
    ]


def test_signed_legacy_body_is_stored_and_a_retry_adds_nothing(receiver: Receiver) -> None:
    body = legacy("145")
    assert receiver.post(body).json() == {"received": 1, "new": 1, "ignored": 0}
    assert receiver.post(body).json() == {"received": 1, "new": 0, "ignored": 0}  # Intuit re-sent it
    # The CloudEvents report of the same change (same entity and LastUpdatedTime second) collapses too.
    assert receiver.post(cloudevents("145")).json()["new"] == 0
    (row,) = receiver.ledger.pending_changes()
    assert (row.entity_id, row.operation, row.event_id) == ("145", "Create", None)


@pytest.mark.parametrize(
    "signature",
    [
        None,  # unsigned
        "",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "signed-with-another-token",
        "signature-of-another-body",
        "ünïcode",
    ],
)
def test_unsigned_or_forged_posts_get_401_and_nothing_is_stored(
    receiver: Receiver, signature: str | None
) -> None:
    body = cloudevents("145")
    if signature == "signed-with-another-token":
        signature = signature_of(body, TOKEN + "-old")
    elif signature == "signature-of-another-body":
        signature = signature_of(cloudevents("999"), TOKEN)
    # Raw UTF-8 bytes on the wire: a header is not guaranteed to be ASCII.
    headers = {} if signature is None else {"intuit-signature": signature.encode()}
    answer = receiver.http.post("/webhooks/qbo", content=body, headers=headers)
    assert answer.status_code == 401 and "intuit-signature" in answer.json()["error"]
    assert receiver.ledger.pending_changes() == []
    assert receiver.stats["rejected_signatures"] == 1 and receiver.stats["events_received"] == 0


def test_a_signed_but_reformatted_body_is_refused(receiver: Receiver) -> None:
    body = cloudevents("145")
    reformatted = json.dumps(json.loads(body), indent=2).encode()
    assert receiver.post(reformatted, signature=signature_of(body, TOKEN)).status_code == 401
    assert receiver.ledger.pending_changes() == []


def test_signed_but_unreadable_body_is_400_with_the_reason_and_nothing_stored(receiver: Receiver) -> None:
    answer = receiver.post(b'{"hello": "world"}')
    assert answer.status_code == 400
    assert "neither a CloudEvents array nor a legacy eventNotifications object" in answer.json()["error"]
    half_good = json.loads(cloudevents("1", "2"))
    half_good[1]["time"] = "soon"
    answer = receiver.post(json.dumps(half_good).encode())
    assert answer.status_code == 400 and "event 2 (id ev-invoice-2).time: 'soon'" in answer.json()["error"]
    assert receiver.ledger.pending_changes() == []  # all or nothing: the retry re-sends all of it


def test_other_companies_events_are_acknowledged_but_not_stored(receiver: Receiver) -> None:
    body = json.dumps(json.loads(cloudevents("1")) + json.loads(cloudevents("2", realm=OTHER_REALM))).encode()
    assert receiver.post(body).json() == {"received": 2, "new": 1, "ignored": 1}
    assert [r.realm_id for r in receiver.ledger.pending_changes()] == [REALM]


def test_health_methods_and_oversized_bodies(receiver: Receiver) -> None:
    assert receiver.stats["status"] == "ok"
    assert receiver.http.get("/webhooks/qbo").status_code == 405
    huge = b"[" + b" " * (4 * 1024 * 1024) + b"]"
    assert receiver.post(huge).status_code == 413

    def chunked() -> Iterator[bytes]:  # no Content-Length: the cap applies while streaming
        yield b"["
        for _ in range(5):
            yield b" " * (1024 * 1024)
        yield b"]"

    assert receiver.http.post("/webhooks/qbo", content=chunked()).status_code == 413
    assert receiver.ledger.pending_changes() == []


def test_ledger_failure_answers_503_so_intuit_retries(tmp_path: Path) -> None:
    # A ledger never migrated has no inbox table: storing fails, and the POST must not claim success.
    app = webhook_app(lambda: Ledger(f"sqlite:///{tmp_path / 'empty.sqlite'}"), TOKEN, [REALM])
    served = ServedApp(app, name="webhook-receiver-broken").start()
    try:
        body = cloudevents("145")
        answer = httpx.post(
            f"{served.base_url}/webhooks/qbo",
            content=body,
            headers={"intuit-signature": signature_of(body, TOKEN)},
            trust_env=False,
        )
    finally:
        served.stop()
    assert answer.status_code == 503 and "nothing was stored" in answer.json()["error"]


def test_the_app_refuses_to_start_without_a_token_or_realm() -> None:
    with pytest.raises(ValueError, match="verifier token is empty"):
        webhook_app(lambda: Ledger("sqlite://"), "", [REALM])
    with pytest.raises(ValueError, match="at least one QBO realm id"):
        webhook_app(lambda: Ledger("sqlite://"), TOKEN, [])
