"""A trading partner's `deadlines:` block through the real loader: Decimal money, the tagged
chargeback rules, and every mistake a ConfigError naming its key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from qbsps_orchestration.lib.config import ConfigError, load_config
from qbsps_orchestration.lib.config.deadlines import FlatChargeback, PerCartonChargeback, PercentChargeback
from qbsps_orchestration.lib.config.starter import starter_config
from qbsps_tests.lib.config.conftest import SAMPLE_YAML

FULL = {
    "timezone": "America/Chicago",
    "near_hours": 6,
    "ship_notice": {"hours_after_ship": 24, "chargeback": {"kind": "per_carton", "amount": 2.5}},
    "invoice": {"days_after_shipment": 3, "chargeback": {"kind": "percent", "percent": "2", "minimum": 25}},
    "acknowledgment": {"hours_after_order": 24, "chargeback": {"kind": "flat", "amount": "50.00"}},
}


def _load(tmp_path: Path, deadlines: object, **partner: object) -> object:
    data = yaml.safe_load(SAMPLE_YAML)
    data["trading_partners"][0] |= {"deadlines": deadlines, "send_order_acks": True, **partner}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return load_config(path)


def test_a_full_block_loads_with_exact_money(tmp_path: Path) -> None:
    deadlines = _load(tmp_path, FULL).trading_partners[0].deadlines
    assert deadlines.near_hours == 6 and str(deadlines.zone) == "America/Chicago"
    assert deadlines.ship_notice.before_delivery is True  # the default
    assert deadlines.ship_notice.chargeback == PerCartonChargeback(kind="per_carton", amount=Decimal("2.5"))
    invoice = deadlines.invoice.chargeback
    assert isinstance(invoice, PercentChargeback) and invoice.percent == Decimal("2")
    assert invoice.minimum == Decimal("25") and isinstance(invoice.minimum, Decimal)
    assert deadlines.acknowledgment.chargeback == FlatChargeback(kind="flat", amount=Decimal("50.00"))


def test_absent_means_no_deadline(tmp_path: Path) -> None:
    data = yaml.safe_load(SAMPLE_YAML)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    assert all(p.deadlines is None for p in load_config(path).trading_partners)
    partial = _load(tmp_path, {"invoice": {"days_after_shipment": 5}}).trading_partners[0].deadlines
    assert partial.ship_notice is None and partial.acknowledgment is None and partial.near_hours == 4


@pytest.mark.parametrize(
    ("deadlines", "partner", "message"),
    [
        ({"ship_notice": {"hours_after_shipp": 24}}, {}, "deadlines.ship_notice.hours_after_shipp"),
        ({"ship_notice": {"hours_after_ship": 0}}, {}, "deadlines.ship_notice.hours_after_ship"),
        ({"invoice": {"days_after_shipment": 3, "chargeback": {"kind": "fine", "amount": 1}}}, {}, "kind"),
        (
            {"invoice": {"days_after_shipment": 3, "chargeback": {"kind": "flat", "amount": "-5"}}},
            {},
            "must be a positive amount",
        ),
        (
            {"invoice": {"days_after_shipment": 3, "chargeback": {"kind": "flat", "amount": "1.005"}}},
            {},
            "more than 2 decimal places",
        ),
        (
            {"invoice": {"days_after_shipment": 3, "chargeback": {"kind": "percent", "percent": 150}}},
            {},
            "deadlines.invoice.chargeback.percent.percent",
        ),
        ({"timezone": "Mars/Olympus"}, {}, "is not an IANA time zone"),
        ({"acknowledgment": {"hours_after_order": 24}}, {"send_order_acks": False}, "send_order_acks"),
    ],
)
def test_mistakes_name_the_key(tmp_path: Path, deadlines: object, partner: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, deadlines, **partner)
    text = str(caught.value)
    assert message in text
    assert "trading_partners" in text


def test_the_starters_commented_example_is_valid(tmp_path: Path) -> None:
    """`qbsps init` writes the block commented out: as written it loads, and uncommented too."""
    text = starter_config(tmp_path, date(2026, 12, 1))
    assert load_config(_write(tmp_path, text)).trading_partners[0].deadlines is None
    lines = text.splitlines()
    start = lines.index("    # deadlines:")
    block = [line.replace("    # ", "    ", 1) for line in lines[start : start + 5]]
    uncommented = "\n".join([*lines[:start], *block, *lines[start + 5 :]])
    deadlines = load_config(_write(tmp_path, uncommented)).trading_partners[0].deadlines
    assert deadlines.ship_notice.hours_after_ship == 24 and deadlines.invoice.days_after_shipment == 3
    assert deadlines.invoice.chargeback.minimum == Decimal("25.00")


def _write(folder: Path, text: str) -> Path:
    path = folder / "config.yaml"
    path.write_text(text)
    return path
