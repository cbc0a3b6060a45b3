from __future__ import annotations

from pathlib import Path

import yaml

from qbsps_orchestration.lib.config import dump_config, load_config

from .conftest import SAMPLE_YAML, WriteConfig

SECRET = "sandbox-secret-value"


def test_round_trip_is_equal(write_config: WriteConfig, tmp_path: Path) -> None:
    original = load_config(write_config(text=SAMPLE_YAML))
    copy_path = tmp_path / "copy.yaml"
    copy_path.write_text(dump_config(original), encoding="utf-8")
    assert load_config(copy_path).model_dump() == original.model_dump()  # SecretStr compares by value
    assert dump_config(load_config(copy_path)) == dump_config(original)


def test_literal_credentials_are_written_in_clear_and_read_back(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    def literal(data: dict) -> None:
        data["sps"]["client_secret"] = {"value": SECRET}
        data["items"][0]["verify_check_digit"] = False

    original = load_config(write_config(literal))
    text = dump_config(original)
    dumped = yaml.safe_load(text)
    assert dumped["sps"]["client_secret"] == {"value": SECRET}
    assert dumped["qbo"]["client_id"] == {"env": "QBSPS_QBO_CLIENT_ID"}
    assert "name" not in dumped["accounts"]["ap_account"]  # unset optionals are left out, not null
    assert dumped["items"][0]["verify_check_digit"] is False
    assert SECRET not in repr(original)  # only the dump reveals it

    copy_path = tmp_path / "copy.yaml"
    copy_path.write_text(text, encoding="utf-8")
    assert load_config(copy_path).sps.client_secret.resolve() == SECRET


def test_default_check_digit_flag_is_not_written(write_config: WriteConfig) -> None:
    dumped = yaml.safe_load(dump_config(load_config(write_config())))
    assert dumped["items"] == [
        {
            "qbo_item": {"id": "19"},
            "vendor_part_number": "SPSSupplierHD-20",
            "buyer_part_number": "SPSBuyerItem1",
            "upc": "859563003863",
            "trading_partner_id": "SPSALLTESTID",
        }
    ]


def test_items_csv_path_stays_as_written(write_config: WriteConfig, tmp_path: Path) -> None:
    (tmp_path / "items.csv").write_text("qbo_item_id,buyer_part_number\n7,B-1\n", encoding="utf-8")
    original = load_config(write_config(lambda d: d.update(items_csv="items.csv")))
    copy_path = tmp_path / "copy.yaml"
    copy_path.write_text(dump_config(original), encoding="utf-8")
    reloaded = load_config(copy_path)
    assert reloaded.items_csv == "items.csv"
    assert len(reloaded.item_crossref) == 2
