"""Reference-data snapshots (QBO Vendor, Customer, Item, Account) in the ledger, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from qbsps_orchestration.lib.ledger import ChangedEntity, Ledger, LedgerInputError, ReferenceDiff

REALM = "9341455130298576"
OTHER_REALM = "1234567890"
T0 = datetime(2026, 3, 2, 15, 30, 7, tzinfo=UTC)


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def vendor(qbo_id: str, name: str, token: str = "0", at: datetime = T0, **fields: Any) -> dict[str, Any]:
    return {
        "Id": qbo_id,
        "SyncToken": token,
        "DisplayName": name,
        "FullyQualifiedName": name,
        "Active": True,
        "domain": "QBO",
        "MetaData": {"CreateTime": stamp(T0), "LastUpdatedTime": stamp(at)},
        **fields,
    }


def item(qbo_id: str, name: str, price: str, token: str = "0", at: datetime = T0, **fields: Any) -> dict:
    row = vendor(qbo_id, name, token, at, UnitPrice=Decimal(price), Type="NonInventory", **fields)
    del row["DisplayName"]
    return {**row, "Name": name}


def stub(qbo_id: str, at: datetime) -> dict[str, Any]:
    return {"Id": qbo_id, "domain": "QBO", "status": "Deleted", "MetaData": {"LastUpdatedTime": stamp(at)}}


def test_first_load_adds_and_a_second_identical_load_changes_nothing(ledger: Ledger) -> None:
    rows = [vendor("56", "SPS All Test Retail"), vendor("57", "The Grommet")]
    first = ledger.reference.upsert("Vendor", rows, REALM)
    assert (first.added, first.changed, first.unchanged, first.removed) == (("56", "57"), (), (), ())
    assert first.summary == "2 added, 0 changed, 0 removed"
    again = ledger.reference.upsert("Vendor", rows, REALM, complete=True)
    assert again.counts == {"added": 0, "changed": 0, "unchanged": 2, "deactivated": 0, "deleted": 0}
    assert [r["DisplayName"] for r in ledger.reference.rows("Vendor", REALM)] == [
        "SPS All Test Retail",
        "The Grommet",
    ]


def test_a_new_sync_token_is_a_change_named_by_field_and_an_older_copy_never_wins(ledger: Ledger) -> None:
    ledger.reference.upsert("Vendor", [vendor("56", "SPS All Test Retail", AcctNum="VEND6174")], REALM)
    later = T0 + timedelta(minutes=5)
    renamed = vendor("56", "SPS Retail", "1", later, AcctNum="VEND6174")
    diff = ledger.reference.upsert("Vendor", [renamed], REALM)
    # FullyQualifiedName follows DisplayName in QBO: one change, reported once.
    assert diff.changed == (ChangedEntity("56", ("DisplayName",)),)
    assert diff.summary == "0 added, 1 changed (DisplayName), 0 removed"

    stale = ledger.reference.upsert("Vendor", [vendor("56", "SPS All Test Retail", "0", T0)], REALM)
    assert stale.unchanged == ("56",) and not stale.changed
    stored = ledger.reference.by_id("Vendor", "56", REALM)
    assert stored is not None and (stored["DisplayName"], stored["SyncToken"]) == ("SPS Retail", "1")
    assert ledger.reference.by_name("Vendor", "SPS Retail") == stored
    assert ledger.reference.by_name("Vendor", "SPS All Test Retail") is None


def test_deactivation_removes_a_row_from_active_lookups_but_keeps_it(ledger: Ledger) -> None:
    ledger.reference.upsert("Item", [item("11", "HD-20", "20.00"), item("12", "HD-40", "10.00")], REALM)
    off = item("12", "HD-40 (deleted)", "10.00", "1", T0 + timedelta(hours=1), Active=False)
    diff = ledger.reference.upsert("Item", [off], REALM)
    assert (diff.deactivated, diff.changed, diff.summary) == (("12",), (), "0 added, 0 changed, 1 removed")
    assert [r["Id"] for r in ledger.reference.rows("Item", REALM)] == ["11"]
    assert [r["Id"] for r in ledger.reference.rows("Item", REALM, active_only=False)] == ["11", "12"]
    assert ledger.reference.by_id("Item", "12", REALM) is not None  # old documents still resolve it

    back = item("12", "HD-40", "10.00", "2", T0 + timedelta(hours=2), Active=True)
    reactivated = ledger.reference.upsert("Item", [back], REALM)
    assert reactivated.changed == (ChangedEntity("12", ("Active", "Name")),)


def test_deleted_stubs_and_rows_missing_from_a_complete_refresh_are_marked_deleted(ledger: Ledger) -> None:
    rows = [vendor("1", "A"), vendor("2", "B"), vendor("3", "C")]
    ledger.reference.upsert("Customer", rows, REALM)
    diff = ledger.reference.upsert("Customer", [stub("2", T0 + timedelta(days=1)), stub("99", T0)], REALM)
    assert (diff.deleted, diff.added, diff.unchanged) == (("2",), (), ())  # 99 was never known
    assert ledger.reference.upsert("Customer", [stub("2", T0 + timedelta(days=1))], REALM).unchanged == ("2",)
    assert ledger.reference.by_id("Customer", "2", REALM) is None

    full = ledger.reference.upsert("Customer", [vendor("1", "A")], REALM, complete=True)
    assert (full.unchanged, full.deleted) == (("1",), ("3",))
    assert full.summary == "0 added, 0 changed, 1 removed"
    assert [r["Id"] for r in ledger.reference.rows("Customer", REALM, active_only=False)] == ["1"]


def test_money_is_stored_exactly_and_integers_stay_numbers(ledger: Ledger) -> None:
    price = "12345678901234.5678901"  # more digits than a float holds
    ledger.reference.upsert("Item", [item("11", "HD-20", price, QtyOnHand=100)], REALM)
    (stored,) = ledger.reference.rows("Item", REALM)
    assert stored["UnitPrice"] == price and Decimal(stored["UnitPrice"]) == Decimal(price)
    assert stored["QtyOnHand"] == 100
    with pytest.raises(LedgerInputError, match=r"Item 13\.UnitPrice: float 1\.5 is not exact"):
        ledger.reference.upsert("Item", [{**item("13", "X", "1"), "UnitPrice": 1.5}], REALM)


def test_realms_are_separate_and_a_name_in_two_realms_needs_a_realm(ledger: Ledger) -> None:
    ledger.reference.upsert("Account", [{**item("33", "Accounts Payable (A/P)", "0"), "UnitPrice": 0}], REALM)
    ledger.reference.upsert(
        "Account", [{**item("33", "Accounts Payable (A/P)", "0"), "UnitPrice": 0}], OTHER_REALM
    )
    assert ledger.reference.rows("Account", REALM) != [] and ledger.reference.rows("Vendor", REALM) == []
    with pytest.raises(LedgerInputError, match=r"several QBO companies \(1234567890, 9341455130298576\)"):
        ledger.reference.by_name("Account", "Accounts Payable (A/P)")
    found = ledger.reference.by_name("Account", "Accounts Payable (A/P)", realm_id=OTHER_REALM)
    assert found is not None and found["Id"] == "33"


def test_the_active_row_wins_a_name_shared_with_an_inactive_one(ledger: Ledger) -> None:
    ledger.reference.upsert(
        "Vendor",
        [vendor("5", "Acme", at=T0 + timedelta(days=2), Active=False), vendor("6", "Acme", at=T0)],
        REALM,
    )
    found = ledger.reference.by_name("Vendor", "Acme", REALM)
    assert found is not None and found["Id"] == "6"


@pytest.mark.parametrize(
    ("entity", "row", "message"),
    [
        ("Bill", vendor("1", "A"), "reference entity must be one of Vendor, Customer, Item, Account"),
        ("Vendor", {"SyncToken": "0"}, "Vendor row 1: Id must be 1-64 characters"),
        ("Vendor", {**vendor("7", "A"), "MetaData": {}}, "Vendor 7 MetaData.LastUpdatedTime: missing"),
        ("Vendor", {**vendor("7", "A"), "SyncToken": None}, "Vendor 7: missing SyncToken"),
        ("Vendor", {**vendor("7", "A"), "DisplayName": " "}, "Vendor 7: missing DisplayName"),
        ("Item", vendor("7", "A"), "Item 7: missing Name"),
        ("Vendor", {**vendor("7", "A"), "Active": "no"}, "Vendor 7: Active must be true or false"),
    ],
)
def test_bad_rows_are_refused_naming_the_row_and_field(
    ledger: Ledger, entity: str, row: dict, message: str
) -> None:
    with pytest.raises(LedgerInputError, match=message):
        ledger.reference.upsert(entity, [row], REALM)
    assert ledger.reference.rows("Vendor", REALM) == []  # nothing half-written


def test_diffs_of_consecutive_pages_merge_into_one_story() -> None:
    first = ReferenceDiff(REALM, "Vendor", added=("1",), changed=(ChangedEntity("2", ("DisplayName",)),))
    second = ReferenceDiff(
        REALM,
        "Vendor",
        changed=(ChangedEntity("1", ("AcctNum",)), ChangedEntity("2", ("AcctNum",))),
        unchanged=("3",),
        deactivated=("4",),
    )
    merged = first.merge(second)
    assert merged.added == ("1",) and merged.deactivated == ("4",) and merged.unchanged == ("3",)
    assert merged.changed == (ChangedEntity("2", ("AcctNum", "DisplayName")),)
    assert merged.summary == "1 added, 1 changed (AcctNum, DisplayName), 1 removed"
    with pytest.raises(ValueError, match="cannot merge a Item diff"):
        first.merge(ReferenceDiff(REALM, "Item"))
