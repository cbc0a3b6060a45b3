"""The sandbox's per-company usage report (GET /_sandbox/qbo/usage): metered reads, writes, batch
calls and their operations, and throttled calls, counted per realm as QBO meters them; a company
reset starts the counts again."""

from __future__ import annotations

from datetime import timedelta

import httpx

from qbsps_tests.sandbox.qbo.conftest import Qbo

USAGE = "/_sandbox/qbo/usage"


def _usage(qbo: Qbo) -> dict:
    response = httpx.get(qbo.base_url + USAGE, trust_env=False)
    assert response.status_code == 200
    return response.json()


def _vendor(qbo: Qbo) -> dict:
    return qbo.one("Vendor", DisplayName="SPS All Test Retail")


def test_reads_writes_and_batches_are_counted_apart(qbo: Qbo) -> None:
    assert _usage(qbo) == {}
    vendor = _vendor(qbo)
    assert qbo.query("select * from Item where Sku = 'SPSSupplierHD-40'").status_code == 200
    assert qbo.read("Vendor", vendor["Id"]).status_code == 200
    since = (qbo.clock.now() - timedelta(days=1)).isoformat(timespec="seconds")
    assert qbo.http.get("/cdc", params={"entities": "Vendor", "changedSince": since}).status_code == 200
    created = qbo.made("Vendor", {"DisplayName": "Bench Vendor"})
    renamed = {"Id": created["Id"], "SyncToken": created["SyncToken"], "sparse": True, "CompanyName": "B"}
    assert qbo.update("Vendor", renamed).status_code == 200
    batch = [
        {"bId": "b1", "operation": "create", "Vendor": {"DisplayName": "Batch Vendor 1"}},
        {"bId": "b2", "operation": "create", "Vendor": {"DisplayName": "Batch Vendor 2"}},
        {"bId": "b3", "Query": "select * from Vendor"},
    ]
    assert qbo.http.post("/batch", json={"BatchItemRequest": batch}).status_code == 200
    # A call without a valid token never reaches the API: QBO does not count it.
    assert (
        httpx.get(qbo.http.base_url.join("query"), params={"query": "select * from Item"}).status_code == 401
    )

    counts = _usage(qbo)[qbo.realm_id]
    # query + read + CDC, and the batch's query item (data-out, metered)
    assert counts == {"reads": 4, "writes": 2, "batch_calls": 1, "batch_ops": 3, "throttled": 0}


def test_throttled_calls_are_counted_as_throttled_only(qbo: Qbo) -> None:
    qbo.sandbox.throttle.enabled = True
    qbo.sandbox.throttle.per_second = 2
    statuses = [qbo.query("select * from Vendor").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert _usage(qbo)[qbo.realm_id] == {
        "reads": 2,
        "writes": 0,
        "batch_calls": 0,
        "batch_ops": 0,
        "throttled": 1,
    }


def test_a_company_reset_starts_the_counts_again(qbo: Qbo) -> None:
    assert qbo.query("select * from Vendor").status_code == 200
    assert _usage(qbo)[qbo.realm_id]["reads"] == 1
    reset = httpx.post(qbo.base_url + "/_sandbox/qbo/reset", trust_env=False)
    assert reset.status_code == 200
    assert _usage(qbo) == {}
    assert qbo.query("select * from Vendor").status_code == 200
    assert _usage(qbo)[qbo.realm_id]["reads"] == 1
