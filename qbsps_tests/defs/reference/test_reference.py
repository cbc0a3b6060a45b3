"""Reference snapshots, item registries and the cross-reference check through real Dagster runs."""

from __future__ import annotations

import contextlib

import dagster as dg
import yaml

from qbsps_orchestration.defs.reference.assets import qbo_reference_data
from qbsps_orchestration.defs.reference.crossref import item_cross_reference, open_orders_map_to_qbo_items
from qbsps_orchestration.defs.reference.partitions import all_partners_tags, sync_partner_partitions
from qbsps_orchestration.defs.reference.registries import sps_item_registries
from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.inbound import InboundDocumentError, fetch_order_file, sync_order_file
from qbsps_tests.sandboxed import SandboxedConnector

from ..inbound.helpers import order, resources

VENDORS, ITEMS = dg.AssetKey("qbo_vendors"), dg.AssetKey("qbo_items")


def _materialize(c: SandboxedConnector, instance: dg.DagsterInstance, assets: list, **kwargs: object):
    return dg.materialize(assets, instance=instance, resources=resources(c), **kwargs)


def _metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict:
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == key]
    return {k: v.value for k, v in event.event_specific_data.materialization.metadata.items()}


def _cells(table: dg.TableMetadataValue) -> str:
    """Every cell of a table shown in the UI, as one text to search."""
    return " | ".join(str(value) for record in table.records for value in record.data.values())


def test_snapshots_show_rows_preview_and_what_changed(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    first = _materialize(c, instance, [qbo_reference_data])
    vendors = _metadata(first, VENDORS)
    assert vendors["rows"] == len(c.box.qbo.find("Vendor")) and vendors["refresh"] == "full"
    assert "SPS All Test Retail" in _cells(vendors["preview"])
    vendor = c.box.qbo.find("Vendor", DisplayName="SPS All Test Retail")[0]
    c.qbo().sparse_update(
        "Vendor", vendor["Id"], {"DisplayName": "SPS All Test Retail Co"}, request_id="rename"
    )
    second = _materialize(c, instance, [qbo_reference_data])
    changed = _metadata(second, VENDORS)
    assert changed["refresh"].startswith("CDC since") and changed["changes"].startswith(
        "0 added, 1 changed (DisplayName)"
    )
    assert (
        c.ledger.reference.by_id("Vendor", vendor["Id"], c.config.qbo.realm_id)["DisplayName"]
        == "SPS All Test Retail Co"
    )


def test_item_registries_are_sent_once_and_accepted(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    keys = sync_partner_partitions(instance, c.config)
    assert keys == [p.trading_partner_id for p in c.config.trading_partners]
    tags = all_partners_tags(keys)
    assert _materialize(c, instance, [sps_item_registries], tags=tags).success
    uploads = [h for h in c.box.sps.history() if h["direction"] == "inbound"]
    assert {h["document_type"] for h in uploads} == {"ItemRegistry"}
    assert len(uploads) == len(c.config.trading_partners) and all(
        h["status_log"][-1]["status"] == "accepted" for h in uploads
    )
    again = _materialize(c, instance, [sps_item_registries], tags=tags)
    outcomes = [
        e.event_specific_data.materialization.metadata["outcome"].value
        for e in again.get_asset_materialization_events()
    ]
    assert outcomes == ["unchanged"] * len(keys)
    assert len([h for h in c.box.sps.history() if h["direction"] == "inbound"]) == len(uploads)


def test_cross_reference_check_lists_unmapped_lines_of_open_orders(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    _materialize(c, instance, [qbo_reference_data])
    c.box.sps.put_file(
        c.orders_folder + "PO1.json",
        order("PO1", [{"BuyerPartNumber": "NOT-MAPPED", "OrderQty": 1, "PurchasePrice": "2.00"}]),
    )
    fetch_order_file(c.config, c.ledger, c.sps(), "PO1.json")
    with contextlib.suppress(InboundDocumentError):  # quarantined: exactly what the check must report
        sync_order_file(c.config, c.ledger, c.qbo(), "PO1.json")
    assets = [qbo_reference_data, item_cross_reference, open_orders_map_to_qbo_items]
    result = dg.materialize(assets, instance=instance, resources=resources(c))
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and check.metadata["unmapped_lines"].value == 1
    assert "NOT-MAPPED" in check.metadata["lines"].value
    table = _metadata(result, dg.AssetKey("item_cross_reference"))
    assert table["unmapped_codes"] == 1 and "SPSALLTESTID buyer NOT-MAPPED" in _cells(table["table"])

    # The operator maps the code; the order lands on replay; the check passes.
    item = c.box.qbo.find("Item", Name="HD-20 Sample Item 1")[0]
    data = yaml.safe_load(c.config_path.read_text())
    data["items"].append({"qbo_item": {"id": item["Id"]}, "buyer_part_number": "NOT-MAPPED"})
    c.config_path.write_text(yaml.safe_dump(data))
    sync_order_file(load_config(c.config_path), c.ledger, c.qbo(), "PO1.json")
    again = dg.materialize(assets, instance=instance, resources=resources(c))
    [check] = again.get_asset_check_evaluations()
    assert check.passed and check.metadata["unmapped_lines"].value == 0
    table = _metadata(again, dg.AssetKey("item_cross_reference"))
    assert f"HD-20 Sample Item 1 ({item['Id']})" in _cells(
        table["table"]
    ) and "SPSALLTESTID buyer NOT-MAPPED" in _cells(table["table"])


def test_vendor_changes_in_qbo_reach_the_routing_profile(
    instance: dg.DagsterInstance, inbound: SandboxedConnector, tmp_path
) -> None:
    import yaml

    from qbsps_orchestration.lib.config import load_config
    from qbsps_orchestration.lib.documents.schemas import RsxSchemas
    from qbsps_orchestration.lib.outbound.flow import OutboundContext, partner_for_invoice
    from qbsps_orchestration.lib.reference.profiles import load_profile

    c = inbound
    data = yaml.safe_load(c.config_path.read_text())  # the customer referred to by name, as users do
    data["trading_partners"][0]["qbo_customer"] = {"name": "SPS All Test Retail (Customer)"}
    c.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    _materialize(c, instance, [qbo_reference_data])
    vendor = c.box.qbo.find("Vendor", DisplayName="SPS All Test Retail")[0]
    customer = c.box.qbo.find("Customer", DisplayName="SPS All Test Retail (Customer)")[0]
    c.qbo().sparse_update(
        "Vendor",
        vendor["Id"],
        {"DisplayName": "SPS Retail Group", "AcctNum": "VEND9000"},
        request_id="vendor-change",
    )
    c.qbo().sparse_update(
        "Customer",
        customer["Id"],
        {"DisplayName": "SPS Retail Group (Customer)"},
        request_id="customer-rename",
    )
    result = _materialize(c, instance, [qbo_reference_data])
    profiles = _metadata(result, VENDORS)["partner_profiles"]
    assert "vendor name 'SPS All Test Retail' -> 'SPS Retail Group'" in profiles
    assert "vendor number 'VEND6174' -> 'VEND9000'" in profiles
    profile = load_profile(c.ledger, "SPSALLTESTID")
    assert profile.customer_id == customer["Id"] and profile.vendor_number == "VEND9000"
    # Routing: the invoice's customer still finds the partner, now carrying the QBO vendor number.
    config = load_config(c.config_path)
    ctx = OutboundContext(config, c.ledger, c.qbo(), None, RsxSchemas(None))
    partner = partner_for_invoice(ctx, {"Id": "1", "CustomerRef": {"value": customer["Id"]}})
    assert (partner.trading_partner_id, partner.vendor_number) == ("SPSALLTESTID", "VEND9000")
