"""Running the inbound definitions the way the daemon and the UI do."""

from __future__ import annotations

import json

import dagster as dg

from qbsps_orchestration.definitions import defs
from qbsps_orchestration.defs.inbound.partitions import purchase_order_files
from qbsps_orchestration.defs.inbound.sensors import sps_purchase_order_sensor
from qbsps_orchestration.resources import LedgerResource, QboResource, QbspsConfigResource, SpsResource
from qbsps_tests.sandboxed import SandboxedConnector

SPS_KEY, QBO_KEY = dg.AssetKey("sps_purchase_orders"), dg.AssetKey("qbo_purchase_orders")
ACK_KEY = dg.AssetKey("sps_order_acks")
GOOD_LINE = {
    "BuyerPartNumber": "SPSBuyerItem1",
    "ConsumerPackageCode": "859563003863",
    "OrderQty": 4,
    "PurchasePrice": "20.00",
}


def order(po: str, lines: list[dict] | None = None) -> bytes:
    return json.dumps(
        {
            "Header": {
                "OrderHeader": {
                    "TradingPartnerId": "SPSALLTESTID",
                    "PurchaseOrderNumber": po,
                    "TsetPurposeCode": "00",
                    "PurchaseOrderDate": "2026-11-20",
                }
            },
            "LineItem": [{"OrderLine": line} for line in (lines or [GOOD_LINE])],
        }
    ).encode()


def resources(c: SandboxedConnector) -> dict[str, object]:
    config = QbspsConfigResource(path=str(c.config_path))
    return {
        "qbsps_config": config,
        "ledger": LedgerResource(config=config),
        "sps": SpsResource(config=config),
        "qbo": QboResource(config=config),
    }


def tick(instance: dg.DagsterInstance, c: SandboxedConnector, cursor: str | None) -> dg.SensorResult:
    """One evaluation of sps_purchase_order_sensor, with its partition requests applied as the
    daemon would before launching runs."""
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources(c)) as context:
        result = sps_purchase_order_sensor(context)
    assert isinstance(result, dg.SensorResult)
    for request in result.dynamic_partitions_requests or []:  # the daemon applies these first
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def launch(instance: dg.DagsterInstance, request: dg.RunRequest) -> dg.ExecuteInProcessResult:
    """What the daemon does with a sensor's run request: run the job with the request's tags."""
    job = defs().resolve_job_def("inbound_purchase_orders_job")
    if request.partition_key:
        return job.execute_in_process(
            instance=instance, partition_key=request.partition_key, tags=request.tags, raise_on_error=False
        )
    return job.execute_in_process(instance=instance, tags=request.tags, raise_on_error=False)


def statuses(instance: dg.DagsterInstance, key: dg.AssetKey, partitions: list[str]) -> dict[str, str | None]:
    found = instance.get_status_by_partition(key, partitions, purchase_order_files)
    return {k: (v.value if v else None) for k, v in (found or {}).items()}


def latest_metadata(instance: dg.DagsterInstance, key: dg.AssetKey, partition: str) -> dict[str, object]:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[partition]), limit=1
    ).records
    assert records, f"no materialization of {key.to_user_string()}[{partition}]"
    materialization = records[0].asset_materialization
    assert materialization is not None
    return {name: value.value for name, value in materialization.metadata.items()}
