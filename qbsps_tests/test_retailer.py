"""The retailer's PO numbers: readable, from the time, and never one SPS has delivered before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from qbsps_orchestration.retailer import fresh_po_number

NOON = datetime(2026, 12, 1, 12, 30, 5, tzinfo=UTC)


def test_the_number_comes_from_the_utc_time() -> None:
    assert fresh_po_number(NOON, []) == "PO1201123005"
    assert fresh_po_number(NOON.astimezone(timezone(timedelta(hours=-8))), []) == "PO1201123005"


def test_a_number_already_used_gets_a_suffix() -> None:
    assert fresh_po_number(NOON, ["PO1201123005"]) == "PO1201123005-2"
    assert fresh_po_number(NOON, ["PO1201123005", "PO1201123005-2"]) == "PO1201123005-3"
