"""Signature vectors and body parsing, on Intuit's published shapes (qbo_samples) and broken ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from qbsps_orchestration.lib.webhooks import (
    WebhookPayloadError,
    is_valid_signature,
    parse_webhook_body,
    signature_of,
)
from qbsps_tests.support import shared_dir

TOKEN = "EXAMPLE-VERIFIER-TOKEN-0000"
VECTORS = {
    "webhook_legacy.json": (495, "2mw4I5OG0Z6jwxMrTINJSnhByItWxEcRKsUnax7fXSY="),
    "webhook_cloudevents.json": (673, "m0rrQQAOxounOsMV3On8PI5DV0zaGvdiUmAKQ/heN8E="),
}


def sample(name: str) -> bytes:
    return (shared_dir() / "reference" / "qbo_samples" / name).read_bytes()


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(VECTORS))
def test_signature_matches_the_published_vectors(name: str) -> None:
    size, expected = VECTORS[name]
    body = sample(name)
    assert len(body) == size
    assert signature_of(body, TOKEN) == expected
    assert is_valid_signature(body, expected, TOKEN)
    assert not is_valid_signature(body.rstrip(b"\n"), expected, TOKEN)  # any byte changed: refused
    reformatted = json.dumps(json.loads(body)).encode()
    assert not is_valid_signature(reformatted, expected, TOKEN)
    assert not is_valid_signature(body, expected, TOKEN + "x")


def test_missing_garbage_and_non_ascii_signatures_are_refused_not_raised() -> None:
    body = b'{"eventNotifications": []}'
    good = signature_of(body, "k")
    for bad in (None, "", "not base64 at all", good[:-2], good + "A", "ünïcode", good.lower()):
        assert not is_valid_signature(body, bad, "k")
    assert not is_valid_signature(body, good, "")  # an empty verifier token verifies nothing
    assert is_valid_signature(body, f" {good} ", "k")  # header whitespace is not part of the value


@pytest.mark.shared
def test_legacy_sample_parses_into_events() -> None:
    events = parse_webhook_body(sample("webhook_legacy.json"))
    assert [(e.realm_id, e.entity, e.entity_id, e.operation, e.event_id) for e in events] == [
        ("9130357766900456", "PurchaseOrder", "154", "Update", None),
        ("9130357766900456", "Invoice", "145", "Delete", None),
    ]
    assert events[1].occurred_at == datetime(2025, 1, 16, 17, 12, tzinfo=UTC)
    assert {e.source for e in events} == {"webhook"}


@pytest.mark.shared
def test_cloudevents_sample_parses_into_the_same_changes_with_event_ids() -> None:
    events = parse_webhook_body(sample("webhook_cloudevents.json"))
    assert [(e.entity, e.entity_id, e.operation, e.event_id) for e in events] == [
        ("PurchaseOrder", "154", "Update", "88cd52aa-33b6-4351-9aa4-47572edbd068"),
        ("Invoice", "145", "Delete", "0b9e4c1e-0000-4000-8000-000000000001"),
    ]
    legacy = parse_webhook_body(sample("webhook_legacy.json"))
    assert [e.identity for e in events] == [e.identity for e in legacy]


def test_legacy_epoch_millis_several_realms_and_all_operations() -> None:
    body = {
        "eventNotifications": [
            {
                "realmId": "111",
                "dataChangeEvent": {
                    "entities": [
                        {"name": "Invoice", "id": "1", "operation": op, "lastUpdated": 1737043200000}
                        for op in ("Create", "Update", "Delete", "Merge", "Void", "Emailed")
                    ]
                },
            },
            {
                "realmId": "222",
                "dataChangeEvent": {
                    "entities": [
                        {"name": "Vendor", "id": 7, "operation": "Merge", "lastUpdated": "1737043200000"}
                    ]
                },
            },
        ]
    }
    events = parse_webhook_body(json.dumps(body).encode())
    assert [e.operation for e in events[:6]] == ["Create", "Update", "Delete", "Merge", "Void", "Emailed"]
    assert (events[6].realm_id, events[6].entity, events[6].entity_id) == ("222", "Vendor", "7")
    assert {e.occurred_at for e in events} == {datetime(2025, 1, 16, 16, 0, tzinfo=UTC)}


def test_cloudevents_entity_names_and_verbs_map_back_to_qbo_names() -> None:
    def event(event_type: str) -> dict:
        return {
            "specversion": "1.0",
            "id": "e-" + event_type,
            "source": "intuit.x",
            "type": event_type,
            "time": "2025-01-16T16:00:00.000Z",
            "intuitentityid": "9",
            "intuitaccountid": "111",
            "data": {},
        }

    types = ["qbo.purchaseorder.voided.v1", "qbo.VendorCredit.Created.v1", "qbo.newthing.emailed.v1"]
    events = parse_webhook_body(json.dumps([event(t) for t in types]).encode())
    assert [(e.entity, e.operation) for e in events] == [
        ("PurchaseOrder", "Void"),
        ("VendorCredit", "Create"),
        ("newthing", "Emailed"),  # unknown to qbsps: stored under Intuit's name, never guessed
    ]
    assert parse_webhook_body(b"[]") == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\xff\xfe", "not JSON"),
        (b"{not json", "not JSON"),
        (b'{"events": []}', "neither a CloudEvents array nor a legacy eventNotifications object"),
        (b'"hello"', "neither a CloudEvents array"),
        (b'{"eventNotifications": {}}', "eventNotifications must be a list"),
        (
            b'{"eventNotifications": [{"realmId": "1", "dataChangeEvent": {}}]}',
            r"eventNotifications\[1\]: dataChangeEvent.entities must be a list",
        ),
        (
            b'{"eventNotifications": [{"dataChangeEvent": {"entities": []}}]}',
            r"eventNotifications\[1\].realmId: missing",
        ),
        (
            b'{"eventNotifications": [{"realmId": "1", "dataChangeEvent": {"entities": '
            b'[{"name": "Invoice", "id": "4", "operation": "Created",'
            b' "lastUpdated": "2025-01-16T16:00:00Z"}]}}]}',
            r"entities\[1\].operation: 'Created' is not one of",
        ),
        (
            b'{"eventNotifications": [{"realmId": "1", "dataChangeEvent": {"entities": '
            b'[{"name": "Invoice", "id": "4", "operation": "Create"}]}}]}',
            r"entities\[1\].lastUpdated: missing timestamp",
        ),
        (b'[{"specversion": "1.0", "type": "qbo.invoice.created.v1"}]', r"event 1.id: missing"),
        (b'[{"specversion": "0.3", "id": "a"}]', r"event 1 \(id a\).specversion: '0.3'"),
        (
            b'[{"specversion": "1.0", "id": "a", "type": "invoice.created"}]',
            r"type: 'invoice.created' is not",
        ),
        (b'[{"specversion": "1.0", "id": "a", "type": "qbo.invoice.restored.v1"}]', "verb 'restored'"),
        (
            b'[{"specversion": "1.0", "id": "a", "type": "qbo.invoice.created.v1", "intuitaccountid": "1",'
            b' "intuitentityid": "2", "time": "2025-01-16T16:00:00"}]',
            r"\(id a\).time: '2025-01-16T16:00:00' has no UTC offset",
        ),
        (
            b'[{"specversion": "1.0", "id": "a", "type": "qbo.invoice.created.v1", "intuitaccountid": "1",'
            b' "time": "2025-01-16T16:00:00Z"}]',
            r"\(id a\).intuitentityid: missing",
        ),
    ],
)
def test_unreadable_bodies_name_the_event_and_field(body: bytes, message: str) -> None:
    with pytest.raises(WebhookPayloadError, match=message):
        parse_webhook_body(body)


def test_sample_folder_is_only_read_never_copied() -> None:
    repo = Path(__file__).resolve().parents[3]
    assert not list(repo.glob("**/webhook_cloudevents.json"))
