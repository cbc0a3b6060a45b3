"""Reference snapshots refreshed from the QBO sandbox over HTTP: full by query, incremental by CDC."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from qbsps_orchestration.lib.ledger import ChangedEntity, Ledger
from qbsps_orchestration.lib.qbo import QboClient
from qbsps_orchestration.lib.reference import (
    REFERENCE_ENTITIES,
    ReferenceRefreshError,
    refresh_reference,
)
from qbsps_tests.lib.qbo.conftest import QboEnv


def test_a_full_refresh_of_all_four_entities_stores_every_row_and_a_second_changes_nothing(
    qbo_env: QboEnv, qbo: QboClient, ledger: Ledger
) -> None:
    realm = qbo_env.realm_id
    for entity in REFERENCE_ENTITIES:
        in_qbo = qbo_env.sandbox.find(entity)
        assert in_qbo, f"the seed company has {entity} rows"
        diff = refresh_reference(qbo, ledger, realm, entity)
        assert sorted(diff.added) == sorted(row["Id"] for row in in_qbo)
        assert diff.summary == f"{len(in_qbo)} added, 0 changed, 0 removed"
        stored = {row["Id"]: row for row in ledger.reference.rows(entity, realm)}
        assert {i: row["SyncToken"] for i, row in stored.items()} == {r["Id"]: r["SyncToken"] for r in in_qbo}

        again = refresh_reference(qbo, ledger, realm, entity)
        assert (again.counts["unchanged"], again.summary) == (len(in_qbo), "0 added, 0 changed, 0 removed")

    # Money comes back exactly as QBO holds it.
    for row in qbo_env.sandbox.find("Item"):
        stored_item = ledger.reference.by_id("Item", row["Id"], realm)
        assert stored_item is not None and Decimal(stored_item["UnitPrice"]) == row["UnitPrice"]
    partner_vendor = ledger.reference.by_name("Vendor", "SPS All Test Retail", realm)
    assert partner_vendor is not None and partner_vendor["AcctNum"] == "VEND6174"


def test_a_vendor_renamed_in_qbo_shows_as_changed_display_name_after_a_cdc_refresh(
    qbo_env: QboEnv, qbo: QboClient, ledger: Ledger
) -> None:
    realm = qbo_env.realm_id
    refresh_reference(qbo, ledger, realm, "Vendor")
    (grommet,) = qbo_env.sandbox.find("Vendor", DisplayName="The Grommet")
    since = qbo_env.clock.now() - timedelta(seconds=1)
    qbo.sparse_update("Vendor", grommet["Id"], {"DisplayName": "Grommet Inc"}, request_id="rename-grommet")

    diff = refresh_reference(qbo, ledger, realm, "Vendor", since=since, now=qbo_env.clock.now)
    assert diff.changed == (ChangedEntity(grommet["Id"], ("DisplayName",)),)
    assert diff.summary == "0 added, 1 changed (DisplayName), 0 removed"
    renamed = ledger.reference.by_name("Vendor", "Grommet Inc", realm)
    assert renamed is not None and (renamed["Id"], renamed["SyncToken"]) == (grommet["Id"], "1")
    assert ledger.reference.by_name("Vendor", "The Grommet", realm) is None

    # A later CDC window that overlaps the first reports nothing new.
    repeat = refresh_reference(qbo, ledger, realm, "Vendor", since=since, now=qbo_env.clock.now)
    assert (repeat.unchanged, repeat.changed) == ((grommet["Id"],), ())


def test_an_item_deactivated_in_qbo_leaves_the_active_rows_but_stays_readable_by_id(
    qbo_env: QboEnv, qbo: QboClient, ledger: Ledger
) -> None:
    realm = qbo_env.realm_id
    refresh_reference(qbo, ledger, realm, "Item")
    (item,) = qbo_env.sandbox.find("Item", Name="HD-40 Sample Item 2")
    since = qbo_env.clock.now() - timedelta(seconds=1)
    qbo.sparse_update("Item", item["Id"], {"Active": False}, request_id="retire-hd40-2")
    created = qbo.create("Vendor", {"DisplayName": "New Retailer"}, request_id="new-retailer")

    diff = refresh_reference(qbo, ledger, realm, "Item", since=since, now=qbo_env.clock.now)
    assert (diff.deactivated, diff.summary) == ((item["Id"],), "0 added, 0 changed, 1 removed")
    assert item["Id"] not in [row["Id"] for row in ledger.reference.rows("Item", realm)]
    assert item["Id"] in [row["Id"] for row in ledger.reference.rows("Item", realm, active_only=False)]
    stored = ledger.reference.by_id("Item", item["Id"], realm)
    assert stored is not None and stored["Active"] is False

    vendors = refresh_reference(qbo, ledger, realm, "Vendor", since=since, now=qbo_env.clock.now)
    assert (vendors.added, vendors.summary) == ((created["Id"],), "1 added, 0 changed, 0 removed")


def test_a_since_beyond_cdc_reach_refreshes_fully_instead(
    qbo_env: QboEnv, qbo: QboClient, ledger: Ledger
) -> None:
    realm = qbo_env.realm_id
    refresh_reference(qbo, ledger, realm, "Customer")
    (customer, *_) = qbo_env.sandbox.find("Customer")
    qbo.sparse_update("Customer", customer["Id"], {"CompanyName": "Renamed Co"}, request_id="cust-co")
    # QBO refuses CDC more than 30 days back; the refresh must not fail but read everything.
    long_ago = qbo_env.clock.now() - timedelta(days=40)
    diff = refresh_reference(qbo, ledger, realm, "Customer", since=long_ago, now=qbo_env.clock.now)
    assert diff.changed == (ChangedEntity(customer["Id"], ("CompanyName",)),)
    assert diff.counts["unchanged"] == len(qbo_env.sandbox.find("Customer")) - 1


def test_refusals_name_the_problem(qbo_env: QboEnv, qbo: QboClient, ledger: Ledger) -> None:
    with pytest.raises(ReferenceRefreshError, match="not 999: refusing to mix snapshots"):
        refresh_reference(qbo, ledger, "999", "Vendor")
    with pytest.raises(ReferenceRefreshError, match="one of Vendor, Customer, Item, Account, got 'Bill'"):
        refresh_reference(qbo, ledger, qbo_env.realm_id, "Bill")
    naive = qbo_env.clock.now().replace(tzinfo=None)
    with pytest.raises(ValueError, match="since must be timezone-aware"):
        refresh_reference(qbo, ledger, qbo_env.realm_id, "Vendor", since=naive)


def test_name_lookups_use_the_snapshot_not_qbo(qbo: QboClient, ledger: Ledger) -> None:
    from qbsps_orchestration.lib.config import QboRef
    from qbsps_orchestration.lib.qbo.refs import QboRefResolver

    refresh_reference(qbo, ledger, qbo.realm_id, "Vendor")
    vendor = ledger.reference.rows("Vendor", qbo.realm_id)[0]
    queries: list[str] = []
    original = qbo.query
    qbo.query = lambda statement: queries.append(statement) or original(statement)  # type: ignore[method-assign]
    assert QboRefResolver(qbo, ledger)("Vendor", QboRef(name=vendor["DisplayName"])) == str(vendor["Id"])
    assert queries == []  # answered from the ledger
    assert QboRefResolver(qbo)("Vendor", QboRef(name=vendor["DisplayName"])) == str(vendor["Id"])
    assert len(queries) == 1  # without a snapshot: one QBO query
