"""sps_item_registries per trading partner, through real Dagster runs against the sandbox: the
schedules keep one partition per configured partner and run over all of them; re-materializing one
partner's partition sends only that partner's catalog; each partition's data version is the sha256 of
the catalog the SPS sandbox accepted, unchanged while the catalog is, new when it changes."""

from __future__ import annotations

import dagster as dg
import yaml

from qbsps_orchestration.dagster_support.lineage import DATA_VERSION_TAG, INPUT_VERSION_PREFIX
from qbsps_orchestration.definitions import defs
from qbsps_orchestration.defs.reference.assets import qbo_reference_cdc_schedule
from qbsps_orchestration.defs.reference.partitions import item_registry_partners
from qbsps_orchestration.defs.reference.registries import SPS_ITEM_REGISTRIES
from qbsps_tests.sandboxed import SandboxedConnector

from ..inbound.helpers import resources

PARTNERS = ["SPSALLTESTID", "525GROMM"]


def _schedule_run(instance: dg.DagsterInstance, c: SandboxedConnector) -> dg.ExecuteInProcessResult:
    """What the 15-minute schedule asks for, run as the daemon would."""
    with dg.build_schedule_context(instance=instance, resources=resources(c)) as context:
        request = qbo_reference_cdc_schedule(context)
    assert isinstance(request, dg.RunRequest)
    job = defs().resolve_job_def("qbo_reference_job")
    return job.execute_in_process(
        instance=instance, tags=request.tags, asset_selection=request.asset_selection
    )


def _one_partner(instance: dg.DagsterInstance, partner: str) -> dg.ExecuteInProcessResult:
    job = defs().resolve_job_def("item_registries_job")
    return job.execute_in_process(
        instance=instance, partition_key=partner, asset_selection=[SPS_ITEM_REGISTRIES]
    )


def _catalogs(c: SandboxedConnector) -> dict[str, int]:
    """Accepted ItemRegistry uploads per trading partner, counted on the SPS side."""
    counts = dict.fromkeys(PARTNERS, 0)
    for entry in c.box.sps.history():
        if entry["direction"] == "inbound" and entry["document_type"] == "ItemRegistry":
            partner = next(p for p in PARTNERS if f"-{p}-" in entry["path"])
            counts[partner] += entry["status_log"][-1]["status"] == "accepted"
    return counts


def _version(instance: dg.DagsterInstance, partner: str) -> tuple[str, dg.AssetMaterialization]:
    record = instance.get_latest_data_version_record(SPS_ITEM_REGISTRIES, False, partner)
    assert record is not None and record.asset_materialization is not None
    return record.asset_materialization.tags[DATA_VERSION_TAG], record.asset_materialization


def _upstream_versions(instance: dg.DagsterInstance) -> dict[str, str]:
    """The data versions of qbo_items and item_cross_reference (of their content, not of a run)."""
    found = {}
    for key in ("qbo_items", "item_cross_reference"):
        record = instance.get_latest_data_version_record(dg.AssetKey(key), False)
        assert record is not None and record.asset_materialization is not None
        found[key] = record.asset_materialization.tags[DATA_VERSION_TAG]
    return found


def test_one_partners_catalog_is_sent_alone_and_versions_follow_the_accepted_bytes(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    assert _schedule_run(instance, c).success
    assert instance.get_dynamic_partitions(item_registry_partners.name) == PARTNERS
    assert _catalogs(c) == {"SPSALLTESTID": 1, "525GROMM": 1}
    first = {}
    upstream = _upstream_versions(instance)
    for partner in PARTNERS:
        version, event = _version(instance, partner)
        assert (
            version
            == c.accepted_sha(event.metadata["sps_path"].value)
            == event.metadata["content_sha256"].value
        )
        assert {key: event.tags[INPUT_VERSION_PREFIX + key] for key in upstream} == upstream
        first[partner] = version

    # Another refresh with nothing changed in QBO: the same items, the same cross-reference versions.
    assert _schedule_run(instance, c).success
    assert _upstream_versions(instance) == upstream
    assert _catalogs(c) == {"SPSALLTESTID": 1, "525GROMM": 1}

    # Unchanged items: re-materializing a partner sends nothing and keeps its version.
    assert _one_partner(instance, "525GROMM").success
    assert _catalogs(c) == {"SPSALLTESTID": 1, "525GROMM": 1}
    assert _version(instance, "525GROMM")[0] == first["525GROMM"]

    # A price changes in QBO: one partner's partition re-sends that partner's catalog only.
    item = c.box.qbo.find("Item", Name="HD-20 Sample Item 1")[0]
    c.qbo().sparse_update("Item", item["Id"], {"UnitPrice": "24.50"}, request_id="new-price")
    assert _one_partner(instance, "SPSALLTESTID").success
    assert _catalogs(c) == {"SPSALLTESTID": 2, "525GROMM": 1}
    version, event = _version(instance, "SPSALLTESTID")
    assert version != first["SPSALLTESTID"] and version == c.accepted_sha(event.metadata["sps_path"].value)
    assert _version(instance, "525GROMM")[0] == first["525GROMM"]


def test_the_partition_list_follows_the_config(
    instance: dg.DagsterInstance, inbound: SandboxedConnector
) -> None:
    c = inbound
    assert _schedule_run(instance, c).success
    data = yaml.safe_load(c.config_path.read_text())
    data["trading_partners"][1]["item_registries"] = []  # The Grommet no longer gets catalogs
    c.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = _schedule_run(instance, c)
    assert result.success
    assert instance.get_dynamic_partitions(item_registry_partners.name) == ["SPSALLTESTID"]
    sent = [
        e.partition for e in result.get_asset_materialization_events() if e.asset_key == SPS_ITEM_REGISTRIES
    ]
    assert sent == ["SPSALLTESTID"]

    # No partner gets registries any more: the refresh still runs, without them.
    data["trading_partners"][0]["item_registries"] = []
    c.config_path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = _schedule_run(instance, c)
    assert result.success and instance.get_dynamic_partitions(item_registry_partners.name) == []
    refreshed = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "qbo_items" in refreshed and "sps_item_registries" not in refreshed
