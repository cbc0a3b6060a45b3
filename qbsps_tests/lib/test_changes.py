"""Change events from CDC answers and sweep rows, and the identity that lets three paths collapse."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from qbsps_orchestration.lib.changes import (
    ChangeEvent,
    ChangeParseError,
    from_cdc,
    from_query_rows,
    parse_qbo_time,
)
from qbsps_tests.support import shared_dir

REALM = "9341455130298576"
PACIFIC = timezone(timedelta(hours=-8))


def _row(entity_id: str, created: str, updated: str) -> dict:
    return {
        "Id": entity_id,
        "SyncToken": "0",
        "MetaData": {"CreateTime": created, "LastUpdatedTime": updated},
    }


def test_cdc_rows_become_create_update_and_delete_events() -> None:
    answer = {
        "Invoice": [
            _row("145", "2025-01-15T10:45:00-08:00", "2025-01-15T10:45:00-08:00"),
            _row("146", "2025-01-15T10:45:00-08:00", "2025-01-16T09:00:01-08:00"),
            {"Id": "147", "status": "Deleted", "MetaData": {"LastUpdatedTime": "2025-01-16T17:12:00-08:00"}},
        ],
        "PurchaseOrder": [],
    }
    events = from_cdc(answer, REALM)
    assert [(e.entity, e.entity_id, e.operation, e.source) for e in events] == [
        ("Invoice", "145", "Create", "cdc"),
        ("Invoice", "146", "Update", "cdc"),
        ("Invoice", "147", "Delete", "cdc"),
    ]
    assert events[1].occurred_at == datetime(2025, 1, 16, 17, 0, 1, tzinfo=UTC)
    assert all(e.realm_id == REALM and e.event_id is None for e in events)


@pytest.mark.shared
def test_published_cdc_sample_is_read_including_its_deleted_stub() -> None:
    sample = json.loads((shared_dir() / "reference" / "qbo_samples" / "cdc_response.json").read_text())
    flattened: dict[str, list[dict]] = {}
    for block in sample["CDCResponse"]:
        for response in block["QueryResponse"]:
            for name, rows in response.items():
                if isinstance(rows, list):
                    flattened.setdefault(name, []).extend(rows)
    events = from_cdc(flattened, REALM)
    assert events and all(e.occurred_at.tzinfo is UTC for e in events)
    stubs = [row for rows in flattened.values() for row in rows if row.get("status") == "Deleted"]
    assert len([e for e in events if e.operation == "Delete"]) == len(stubs) > 0


def test_sweep_rows_are_marked_as_sweep() -> None:
    rows = [_row("9", "2025-01-15T10:45:00-08:00", "2025-01-15T11:00:00-08:00")]
    (event,) = from_query_rows("Invoice", rows, REALM)
    assert (event.source, event.operation, event.entity_id) == ("sweep", "Update", "9")


def test_identity_is_whole_utc_seconds_so_webhook_and_cdc_times_agree() -> None:
    webhook = ChangeEvent(REALM, "Invoice", "145", "Create", datetime(2025, 1, 16, 18, 45, 0, 891000, UTC))
    (cdc,) = from_cdc(
        {"Invoice": [_row("145", "2025-01-16T10:45:00-08:00", "2025-01-16T10:45:00-08:00")]}, REALM
    )
    assert webhook.identity == cdc.identity
    assert webhook.occurred_at == datetime(2025, 1, 16, 18, 45, tzinfo=UTC)
    later = ChangeEvent(REALM, "Invoice", "145", "Update", datetime(2025, 1, 16, 18, 45, 1, tzinfo=UTC))
    assert later.identity != webhook.identity


def test_timestamps_accept_offsets_z_and_epoch_millis_but_not_naive() -> None:
    expected = datetime(2025, 1, 16, 16, 0, tzinfo=UTC)
    assert parse_qbo_time("2025-01-16T16:00:00.000Z", "t") == expected
    assert parse_qbo_time("2025-01-16T08:00:00-08:00", "t") == expected
    assert parse_qbo_time(1737043200000, "t") == expected
    assert parse_qbo_time("1737043200000", "t") == expected
    with pytest.raises(ChangeParseError, match="lastUpdated: '2025-01-16T16:00:00' has no UTC offset"):
        parse_qbo_time("2025-01-16T16:00:00", "lastUpdated")
    with pytest.raises(ChangeParseError, match="when: 'yesterday' is not an ISO 8601"):
        parse_qbo_time("yesterday", "when")
    with pytest.raises(ChangeParseError, match="when: missing timestamp"):
        parse_qbo_time(None, "when")


def test_bad_rows_name_the_entity_row_and_field() -> None:
    with pytest.raises(ChangeParseError, match="cdc Invoice row 2: missing Id"):
        from_cdc(
            {"Invoice": [_row("1", "2025-01-16T10:45:00Z", "2025-01-16T10:45:00Z"), {"MetaData": {}}]}, REALM
        )
    with pytest.raises(ChangeParseError, match=r"sweep Invoice row 1 \(Id 4\) MetaData.LastUpdatedTime"):
        from_query_rows("Invoice", [{"Id": "4", "MetaData": {"CreateTime": "2025-01-16T10:45:00Z"}}], REALM)
    with pytest.raises(ChangeParseError, match=r"sweep Vendor row 1 \(Id 5\): missing MetaData"):
        from_query_rows("Vendor", [{"Id": "5"}], REALM)
    with pytest.raises(ChangeParseError, match="CDC response for Item: expected a list"):
        from_cdc({"Item": {"Id": "1"}}, REALM)  # type: ignore[dict-item]


def test_change_event_refuses_naive_times_unknown_operations_and_sources() -> None:
    with pytest.raises(ChangeParseError, match="occurred_at must be timezone-aware"):
        ChangeEvent(REALM, "Invoice", "1", "Create", datetime(2025, 1, 1))
    with pytest.raises(ChangeParseError, match="operation 'Created'"):
        ChangeEvent(REALM, "Invoice", "1", "Created", datetime(2025, 1, 1, tzinfo=PACIFIC))
    with pytest.raises(ChangeParseError, match="source 'mail'"):
        ChangeEvent(REALM, "Invoice", "1", "Create", datetime(2025, 1, 1, tzinfo=UTC), source="mail")  # type: ignore[arg-type]
    with pytest.raises(ChangeParseError, match="entity_id must be a non-empty string"):
        ChangeEvent(REALM, "Invoice", " ", "Create", datetime(2025, 1, 1, tzinfo=UTC))
