from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qbsps_orchestration.lib.qbo.query import quote, select, updated_between


def test_quotes_and_backslashes_are_escaped() -> None:
    assert quote("O'Brien") == "'O\\'Brien'"
    assert quote("a\\' OR 1=1") == "'a\\\\\\' OR 1=1'"


def test_select_quotes_every_value() -> None:
    statement = select(
        "PurchaseOrder", {"DocNumber": "PO'1", "Metadata.LastUpdatedTime": datetime(2026, 1, 1, tzinfo=UTC)}
    )
    assert statement == (
        "SELECT * FROM PurchaseOrder WHERE DocNumber = 'PO\\'1' "
        "AND Metadata.LastUpdatedTime = '2026-01-01T00:00:00+00:00'"
    )


def test_names_are_not_injectable() -> None:
    with pytest.raises(ValueError):
        select("Vendor; DROP", None)
    with pytest.raises(ValueError):
        select("Vendor", {"DisplayName = 'x' OR Id": "1"})
    with pytest.raises(ValueError):
        quote(datetime(2026, 1, 1))


def test_updated_between_is_a_half_open_window_of_aware_times() -> None:
    start, end = datetime(2026, 1, 1, 10, tzinfo=UTC), datetime(2026, 1, 1, 11, tzinfo=UTC)
    assert updated_between("Invoice", start, end) == (
        "SELECT * FROM Invoice WHERE Metadata.LastUpdatedTime >= '2026-01-01T10:00:00+00:00' "
        "AND Metadata.LastUpdatedTime < '2026-01-01T11:00:00+00:00'"
    )
    with pytest.raises(ValueError):
        updated_between("Invoice; DROP", start, end)
    with pytest.raises(ValueError):
        updated_between("Invoice", datetime(2026, 1, 1, 10), end)
