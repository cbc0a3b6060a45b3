from __future__ import annotations

from pathlib import Path

import pytest

from qbsps_orchestration.lib.config import ConfigError, QboRef, load_config

from .conftest import WriteConfig

GOOD_CSV = """\
qbo_item_id,qbo_item_name,vendor_part_number,buyer_part_number,upc,gtin,trading_partner_id,verify_check_digit
20,,SPSSupplierHD-40,SPSBuyerItem2,884502115161,,,
,HD-40 Sample Item 3,SPSSupplierHD-40,SPSBuyerItem3,,00043000186706,,false

21,,OTHER-1,,,,OTHERRETAILER,
"""


def _with_csv(write_config: WriteConfig, tmp_path: Path, text: str, name: str = "items.csv") -> Path:
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / name).write_text(text, encoding="utf-8")
    return write_config(lambda d: d.update(items_csv=f"data/{name}"))


def _problems(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.problems


def test_csv_rows_join_the_inline_rows(write_config: WriteConfig, tmp_path: Path) -> None:
    config = load_config(_with_csv(write_config, tmp_path, GOOD_CSV))
    crossref = config.item_crossref
    assert len(crossref) == 4  # one inline row, three CSV rows (the blank line is skipped)
    by_name = crossref.resolve("SPSALLTESTID", gtin="00043000186706")
    assert by_name is not None
    assert (by_name.qbo_item, by_name.source) == (QboRef(name="HD-40 Sample Item 3"), "items.csv line 3")
    partner_only = crossref.resolve("OTHERRETAILER", vendor_part_number="OTHER-1")
    assert partner_only is not None and partner_only.source == "items.csv line 5"
    assert crossref.resolve("SPSALLTESTID", vendor_part_number="OTHER-1") is None


def test_excel_bom_and_column_subset(write_config: WriteConfig, tmp_path: Path) -> None:
    text = "\ufeffbuyer_part_number,qbo_item_id\nB-1,7\n"
    config = load_config(_with_csv(write_config, tmp_path, text))
    match = config.item_crossref.resolve("SPSALLTESTID", buyer_part_number="B-1")
    assert match is not None and match.qbo_item == QboRef(id="7")


def test_unknown_column(write_config: WriteConfig, tmp_path: Path) -> None:
    path = _with_csv(write_config, tmp_path, "qbo_item_id,vendor_part_no\n1,X\n")
    ((key, reason),) = _problems(path)
    assert key == "items_csv"
    assert reason.startswith(
        "items.csv header: unknown column 'vendor_part_no'; allowed: qbo_item_id, qbo_item_name"
    )


def test_header_without_an_item_column(write_config: WriteConfig, tmp_path: Path) -> None:
    path = _with_csv(write_config, tmp_path, "vendor_part_number\nX\n")
    assert _problems(path) == [
        ("items_csv", "items.csv header: needs a qbo_item_id or a qbo_item_name column")
    ]


def test_bad_rows_are_named_by_line(write_config: WriteConfig, tmp_path: Path) -> None:
    text = (
        "qbo_item_id,qbo_item_name,upc,vendor_part_number,trading_partner_id\n"
        "1,,859563003863,A,\n"
        "2,,859563003864,B,\n"  # wrong check digit
        ",,,C,\n"  # no item
        "4,,,,\n"  # no identifier
        "5,,,E,,extra\n"  # surplus cell
        "6,,,F,NOSUCH\n"
    )
    path = _with_csv(write_config, tmp_path, text)
    assert _problems(path) == [
        (
            "items_csv",
            "items.csv line 3: upc: '859563003864' has a wrong check digit (if the retailer "
            "really sends this code, set verify_check_digit: false on the row)",
        ),
        (
            "items_csv",
            "items.csv line 4: qbo_item_id/name: "
            "a QBO reference needs exactly one of {id: ...} or {name: ...}",
        ),
        (
            "items_csv",
            "items.csv line 5: "
            "an item row needs at least one of vendor_part_number, buyer_part_number, upc, gtin",
        ),
        ("items_csv", "items.csv line 6: more cells than the 5 header columns"),
    ]


def test_csv_row_for_an_unknown_partner(write_config: WriteConfig, tmp_path: Path) -> None:
    path = _with_csv(
        write_config, tmp_path, "qbo_item_id,vendor_part_number,trading_partner_id\n6,F,NOSUCH\n"
    )
    assert _problems(path) == [
        (
            "items_csv",
            "items.csv line 2: trading_partner_id: "
            "unknown partner 'NOSUCH'; configured: OTHERRETAILER, SPSALLTESTID",
        )
    ]


def test_missing_csv_file(write_config: WriteConfig, tmp_path: Path) -> None:
    path = write_config(lambda d: d.update(items_csv="absent.csv"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert (
        str(caught.value)
        == f"config file {path.resolve()}: items_csv: {tmp_path / 'absent.csv'}: file not found"
    )
