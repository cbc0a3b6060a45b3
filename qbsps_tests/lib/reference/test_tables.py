"""The reference tables (pandas): text cells only, and the cross-reference exported as a CSV that
qbsps reads back as the same rows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from qbsps_orchestration.cli import main
from qbsps_orchestration.lib.items import read_item_csv
from qbsps_orchestration.lib.reference.crossref import CrossReferenceRow
from qbsps_orchestration.lib.reference.tables import cross_reference_frame, export_item_csv, preview_frame
from qbsps_tests.support import offline_config

PARTNER = {
    "trading_partner_id": "TP",
    "name": "T",
    "vendor_number": "V1",
    "rsx_format": "json",
    "qbo_vendor": {"id": "1"},
    "qbo_customer": {"id": "2"},
}
ITEMS = [
    {"qbo_item": {"id": "19"}, "buyer_part_number": "B-1", "upc": "012345678905"},  # a leading zero
    {"qbo_item": {"name": "Widget"}, "vendor_part_number": "W-9", "trading_partner_id": "TP"},
    {"qbo_item": {"id": "20"}, "upc": "043000186706", "verify_check_digit": False},
]


def test_previews_keep_every_value_as_qbo_wrote_it() -> None:
    rows = [
        {"Id": "19", "Name": "Box", "UnitPrice": Decimal("0.10"), "QtyOnHand": Decimal("12.5")},
        {"Id": "20"},
    ]
    frame = preview_frame(rows, ("Id", "Name", "UnitPrice", "QtyOnHand"), limit=1)
    assert frame.to_dict("records") == [{"Id": "19", "Name": "Box", "UnitPrice": "0.10", "QtyOnHand": "12.5"}]
    assert not any(pd.api.types.is_float_dtype(dtype) for dtype in frame.dtypes)  # never a float column


def test_the_cross_reference_table_joins_each_items_codes() -> None:
    rows = [CrossReferenceRow("Box (19)", {"TP buyer B-1", "TP upc 012345678905"}, {"TP buyer B-1"})]
    [record] = cross_reference_frame(rows).to_dict("records")
    assert record == {
        "QBO item": "Box (19)",
        "configured": "TP buyer B-1, TP upc 012345678905",
        "seen on orders": "TP buyer B-1",
        "bad check digits": "-",
    }


def test_exported_csv_reads_back_as_the_same_rows(tmp_path: Path) -> None:
    config = offline_config([PARTNER], ITEMS)
    target = tmp_path / "items.csv"
    assert export_item_csv(config, target) == 3
    assert "012345678905" in target.read_text()  # codes stay text: the leading zero survives
    assert [row for _, row in read_item_csv(target)] == [row for _, row in config.item_crossref.all_rows()]


def test_qbsps_items_export_writes_the_csv(tmp_path: Path) -> None:
    import yaml

    from qbsps_tests.support import offline_config_data

    config_path = tmp_path / "config.yaml"
    config_path.write_text(yaml.safe_dump(offline_config_data([PARTNER], ITEMS)))
    result = CliRunner().invoke(main, ["items", "export", "--config", str(config_path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("qbo_item_id,qbo_item_name,vendor_part_number") and len(lines) == 4
