"""Chargeback estimates in Decimal: exact cents, rounded half up, floors, and None where the rule
needs a number the document lacks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qbsps_orchestration.lib.config.deadlines import FlatChargeback, PerCartonChargeback, PercentChargeback
from qbsps_orchestration.lib.deadlines import estimate
from qbsps_orchestration.lib.deadlines.chargeback import describe


def test_flat_is_the_amount_whatever_the_document() -> None:
    rule = FlatChargeback(kind="flat", amount="50.00")
    assert estimate(rule, amount=None, cartons=None) == Decimal("50.00")
    assert estimate(None, amount=Decimal("100"), cartons=3) is None


@pytest.mark.parametrize(
    ("percent", "amount", "expected"),
    [
        ("3.5", "123.45", "4.32"),  # 4.32075
        ("2.5", "0.30", "0.01"),  # 0.0075: half a cent and more rounds up
        ("1", "0.49", "0.00"),  # 0.0049
        ("0.1", "1234567.89", "1234.57"),  # 1234.56789, no float drift on large amounts
        ("100", "80.00", "80.00"),
    ],
)
def test_percent_rounds_to_the_cent_half_up(percent: str, amount: str, expected: str) -> None:
    rule = PercentChargeback(kind="percent", percent=percent)
    found = estimate(rule, amount=Decimal(amount), cartons=None)
    assert isinstance(found, Decimal) and found == Decimal(expected) and found.as_tuple().exponent == -2


def test_percent_floor_and_missing_amount() -> None:
    rule = PercentChargeback(kind="percent", percent="2", minimum="25")
    assert estimate(rule, amount=Decimal("80.00"), cartons=None) == Decimal("25")  # 1.60 < 25
    assert estimate(rule, amount=Decimal("2000.00"), cartons=None) == Decimal("40.00")
    assert estimate(rule, amount=None, cartons=None) is None
    assert describe(rule) == "2% of the amount, at least 25"


def test_per_carton_multiplies_exactly() -> None:
    rule = PerCartonChargeback(kind="per_carton", amount=0.1)  # YAML's float 0.1 read through its text
    assert rule.amount == Decimal("0.1")
    assert estimate(rule, amount=None, cartons=3) == Decimal("0.30")  # a float would say 0.30000000000000004
    assert estimate(PerCartonChargeback(kind="per_carton", amount="2.35"), amount=None, cartons=7) == Decimal(
        "16.45"
    )
    assert estimate(rule, amount=Decimal("10"), cartons=None) is None
    assert describe(rule) == "0.1 per carton"
