"""The concurrent-edit fault: someone saves the object an update names just before the update
arrives, so the update meets QBO's own 5010 and the other person's save is kept."""

from __future__ import annotations

from .conftest import Qbo, fault_codes


def test_an_update_after_a_concurrent_save_is_refused_stale_and_succeeds_on_a_fresh_read(qbo: Qbo) -> None:
    vendor = qbo.made("Vendor", {"DisplayName": "Acme Supply"})
    assert (
        qbo.http.post(
            qbo.base_url + "/_sandbox/faults", json={"concurrent_edit": True, "path_prefix": "/v3/company/"}
        ).status_code
        == 201
    )

    stale = qbo.update(
        "Vendor", {"Id": vendor["Id"], "SyncToken": vendor["SyncToken"], "sparse": True, "CompanyName": "A"}
    )
    assert stale.status_code == 400 and fault_codes(stale) == ["5010"]
    saved = qbo.read("Vendor", vendor["Id"]).json()["Vendor"]
    assert int(saved["SyncToken"]) == int(vendor["SyncToken"]) + 1  # the other person's save
    assert saved.get("CompanyName") != "A"

    fresh = qbo.update(
        "Vendor", {"Id": vendor["Id"], "SyncToken": saved["SyncToken"], "sparse": True, "CompanyName": "A"}
    )
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["Vendor"]["CompanyName"] == "A"


def test_a_create_under_a_concurrent_edit_rule_goes_through(qbo: Qbo) -> None:
    assert qbo.http.post(qbo.base_url + "/_sandbox/faults", json={"concurrent_edit": True}).status_code == 201
    assert qbo.create("Vendor", {"DisplayName": "Nobody Edits Me"}).status_code == 200
