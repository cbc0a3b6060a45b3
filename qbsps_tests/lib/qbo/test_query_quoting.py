from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qbsps_orchestration.lib.qbo.query import quote, select


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
