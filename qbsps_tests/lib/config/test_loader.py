from __future__ import annotations

from pathlib import Path

import pytest

from qbsps_orchestration.lib.config import (
    CONFIG_ENV,
    ConfigError,
    QboRef,
    UnknownTradingPartnerError,
    load_config,
)

from .conftest import SAMPLE_YAML, WriteConfig


def _error(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value


def test_loads_the_documented_shape(write_config: WriteConfig) -> None:
    path = write_config(text=SAMPLE_YAML)
    config = load_config(path)

    assert config.source_path == path.resolve()
    assert config.qbo.api_base_url == "http://127.0.0.1:8001"
    assert config.qbo.realm_id == "9341455130298576"
    assert config.qbo.minor_version == 75
    assert config.qbo.client_id.env == "QBSPS_QBO_CLIENT_ID"
    assert config.sps.folders.orders == "out/PO/"
    assert config.sps.folders.outbound == "in/"
    assert config.ledger.url == "sqlite:///.qbsps/ledger.db"
    assert config.polling.interval_minutes == 5
    assert config.accounts.ap_account == QboRef(id="33")
    first, second = config.trading_partners
    assert (first.rsx_format, first.inbound_target, first.vendor_number) == (
        "json",
        "PurchaseOrder",
        "VEND6174",
    )
    assert (second.rsx_format, second.inbound_target, second.vendor_number) == (
        "xml",
        "PurchaseOrder",
        "0042",
    )
    assert second.qbo_vendor == QboRef(name="Other Retailer")
    assert len(config.item_crossref) == 1


def test_path_comes_from_the_environment(write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config()
    monkeypatch.setenv(CONFIG_ENV, str(path))
    assert load_config().source_path == path.resolve()


def test_no_path_and_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    with pytest.raises(ConfigError, match="no config file given and QBSPS_CONFIG is not set"):
        load_config()


def test_defaults_fill_optional_sections(write_config: WriteConfig) -> None:
    def drop(data: dict) -> None:
        for key in ("ledger", "polling", "items"):
            del data[key]
        del data["sps"]["folders"], data["qbo"]["minor_version"], data["qbo"]["webhook_verifier_token"]
        del data["trading_partners"][0]["inbound_target"]

    config = load_config(write_config(drop))
    assert config.polling.interval_minutes == 5
    assert config.qbo.minor_version == 75
    assert config.qbo.webhook_verifier_token is None
    assert (config.sps.folders.orders, config.sps.folders.outbound) == ("out/PO/", "in/")
    assert config.trading_partners[0].inbound_target == "PurchaseOrder"
    assert config.ledger.url.startswith("sqlite:///")


def test_a_file_naming_no_ledger_takes_the_environments(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The qbsps commands and Dagster's config resource must open the same ledger."""

    def drop(data: dict) -> None:
        del data["ledger"]["url"]

    monkeypatch.delenv("QBSPS_LEDGER_URL", raising=False)
    assert load_config(write_config(drop)).ledger.url == "sqlite:///.qbsps/ledger.db"
    monkeypatch.setenv("QBSPS_LEDGER_URL", f"sqlite:///{tmp_path / 'shared.db'}")
    assert load_config(write_config(drop)).ledger.url == f"sqlite:///{tmp_path / 'shared.db'}"
    assert load_config(write_config()).ledger.url == "sqlite:///.qbsps/ledger.db"  # the file wins
    monkeypatch.setenv("QBSPS_LEDGER_URL", "not a url")
    with pytest.raises(ConfigError, match="ledger.url"):
        load_config(write_config(drop))


def test_missing_key_is_named(write_config: WriteConfig) -> None:
    path = write_config(lambda d: d["qbo"].pop("token_url"))
    assert str(_error(path)) == f"config file {path.resolve()}: qbo.token_url: missing required key"


def test_bad_enum_names_the_list_index(write_config: WriteConfig) -> None:
    path = write_config(lambda d: d["trading_partners"][1].update(rsx_format="csv"))
    error = _error(path)
    assert error.problems == [
        ("trading_partners[1].rsx_format", "Input should be 'json' or 'xml' (got 'csv')")
    ]
    assert str(error).startswith(f"config file {path.resolve()}: trading_partners[1].rsx_format: ")


def test_polling_interval_out_of_range(write_config: WriteConfig) -> None:
    path = write_config(lambda d: d["polling"].update(interval_minutes=20))
    assert _error(path).problems == [("polling.interval_minutes", "Input should be less than or equal to 15")]


def test_bad_upc_check_digit(write_config: WriteConfig) -> None:
    path = write_config(lambda d: d["items"][0].update(upc="859563003864"))
    ((key, reason),) = _error(path).problems
    assert key == "items[0].upc"
    assert reason.startswith("'859563003864' has a wrong check digit (if the retailer really sends this code")


def test_bad_gtin_shape(write_config: WriteConfig) -> None:
    path = write_config(lambda d: d["items"][0].update(gtin="0085956300386X", upc="12345"))
    assert dict(_error(path).problems) == {
        "items[0].upc": "'12345' has 5 digits; a UPC/EAN/GTIN has 8, 12, 13 or 14",
        "items[0].gtin": "'0085956300386X' must contain digits only",
    }


def test_a_known_wrong_check_digit_can_be_accepted(write_config: WriteConfig) -> None:
    # SPS's own sample order carries ConsumerPackageCode 043000186706, whose check digit is wrong.
    def add_row(data: dict) -> None:
        data["items"].append({"qbo_item": {"id": "21"}, "upc": "043000186706", "verify_check_digit": False})

    config = load_config(write_config(add_row))
    match = config.item_crossref.resolve("SPSALLTESTID", gtin="00043000186706")
    assert match is not None and match.qbo_item == QboRef(id="21")


def test_unquoted_upc_is_refused_rather_than_losing_zeros(write_config: WriteConfig) -> None:
    path = write_config(text=SAMPLE_YAML.replace('upc: "859563003863"', "upc: 859563003863"))
    ((key, reason),) = _error(path).problems
    assert key == "items[0].upc"
    assert "must be a quoted string" in reason


def test_duplicate_trading_partner_id(write_config: WriteConfig) -> None:
    path = write_config(lambda d: d["trading_partners"][1].update(trading_partner_id="SPSALLTESTID"))
    assert _error(path).problems == [
        (
            "trading_partners[1].trading_partner_id",
            "duplicate 'SPSALLTESTID', already used by trading_partners[0]",
        )
    ]


def test_item_row_for_an_unknown_partner(write_config: WriteConfig) -> None:
    path = write_config(lambda d: d["items"][0].update(trading_partner_id="NOSUCH"))
    ((key, reason),) = _error(path).problems
    assert key == "items[0].trading_partner_id"
    assert reason == "unknown partner 'NOSUCH'; configured: OTHERRETAILER, SPSALLTESTID"


def test_typo_is_caught_with_a_suggestion(write_config: WriteConfig) -> None:
    def typo(data: dict) -> None:
        data["qbo"]["clinet_secret"] = data["qbo"].pop("client_secret")

    problems = dict(_error(write_config(typo)).problems)
    assert problems == {"qbo.clinet_secret": "unknown key; did you mean 'client_secret'?"}


def test_unknown_key_without_close_match_lists_allowed(write_config: WriteConfig) -> None:
    path = write_config(lambda d: d["trading_partners"][0].update(colour="blue"))
    ((key, reason),) = _error(path).problems
    assert key == "trading_partners[0].colour"
    assert reason.startswith("unknown key; allowed here: trading_partner_id, name, vendor_number")


def test_several_problems_are_all_reported(write_config: WriteConfig) -> None:
    def break_three(data: dict) -> None:
        data["polling"]["interval_minutes"] = 2
        data["qbo"]["minor_version"] = 70
        data["sps"]["token_url"] = "ftp://example"

    error = _error(write_config(break_three))
    assert [key for key, _ in error.problems] == [
        "qbo.minor_version",
        "sps.token_url",
        "polling.interval_minutes",
    ]
    assert "3 problems:\n  - qbo.minor_version: Input should be greater than or equal to 75" in str(error)


def test_qbo_reference_needs_exactly_one_of_id_and_name(write_config: WriteConfig) -> None:
    path = write_config(lambda d: d["accounts"].update(ap_account={"id": "33", "name": "Accounts Payable"}))
    assert _error(path).problems == [
        ("accounts.ap_account", "a QBO reference needs exactly one of {id: ...} or {name: ...}")
    ]


def test_other_shape_errors(write_config: WriteConfig) -> None:
    def edit(data: dict) -> None:
        data["trading_partners"] = []
        data["ledger"]["url"] = "not a url"
        data["sps"]["folders"]["orders"] = "/out/PO"

    problems = dict(_error(write_config(edit)).problems)
    assert problems == {
        "ledger.url": "'not a url' is not a SQLAlchemy database URL",
        "trading_partners": "List should have at least 1 item after validation, not 0",
    }


def test_folder_is_normalised_to_a_relative_prefix(write_config: WriteConfig) -> None:
    config = load_config(write_config(lambda d: d["sps"]["folders"].update(orders="/out/PO")))
    assert config.sps.folders.orders == "out/PO/"


def test_file_level_errors(tmp_path: Path, write_config: WriteConfig) -> None:
    missing = tmp_path / "absent.yaml"
    assert str(_error(missing)) == f"config file {missing}: file not found"
    assert _error(write_config(text="")).problems == [
        ("", "the file is empty; expected a mapping with qbo, sps, accounts, …")
    ]
    assert _error(write_config(text="- a\n- b\n")).problems == [
        ("", "the top level must be a mapping, not a list")
    ]
    ((_, reason),) = _error(write_config(text="qbo:\n  realm_id: [1, 2\nsps: {}\n")).problems
    assert reason.startswith("not valid YAML at line 3")


def test_partner_lookup(write_config: WriteConfig) -> None:
    config = load_config(write_config())
    assert config.partner("OTHERRETAILER").name == "Other Retailer"
    with pytest.raises(UnknownTradingPartnerError) as caught:
        config.partner("spsalltestid")  # TradingPartnerId is matched exactly
    assert (
        str(caught.value) == "unknown trading partner 'spsalltestid'; configured: SPSALLTESTID, OTHERRETAILER"
    )
    assert isinstance(caught.value, LookupError)
