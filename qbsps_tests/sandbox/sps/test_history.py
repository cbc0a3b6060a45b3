from __future__ import annotations

from datetime import UTC, datetime

import pytest

from .conftest import RunningSps

HISTORY = "/transactions/v5/history"


def test_history_pages_by_offset(sps: RunningSps) -> None:
    for n in range(7):
        sps.sandbox.put_file(f"out/PO/PO{n}.json", b"{}")
    first = sps.api.get(HISTORY, params={"limit": 3}).json()
    assert first["paging"]["offset"] == 0 and first["paging"]["limit"] == 3
    assert first["paging"]["total_count"] == 7 and first["paging"]["next"]["offset"] == 3
    seen = [r["path"] for r in first["results"]]
    url = first["paging"]["next"]["url"]
    while url:
        page = sps.api.get(url).json()
        seen += [r["path"] for r in page["results"]]
        url = page["paging"].get("next", {}).get("url")
    assert seen == [f"/out/PO/PO{n}.json" for n in range(7)]
    item = first["results"][0]
    assert set(item) >= {"id", "path", "url", "type", "direction", "store_mode", "status_log"}
    assert item["url"] == f"{sps.sandbox.base_url}/transactions/v5/data/out/PO/PO0.json"
    assert item["status_log"][0]["timestamp"].endswith("Z")


def test_history_default_limit_is_100(sps: RunningSps) -> None:
    for n in range(105):
        sps.sandbox.put_file(f"out/PO/PO{n:03d}.json", b"{}")
    body = sps.api.get(HISTORY).json()
    assert len(body["results"]) == 100 and body["paging"]["total_count"] == 105
    tail = sps.api.get(HISTORY, params={"offset": 100}).json()
    assert len(tail["results"]) == 5 and "next" not in tail["paging"]
    beyond = sps.api.get(HISTORY, params={"offset": 500}).json()
    assert beyond["results"] == [] and beyond["paging"]["total_count"] == 105


def test_history_after_and_until_use_sps_timestamps(sps: RunningSps) -> None:
    sps.clock.set(datetime(2025, 3, 1, 10, 0, 0, tzinfo=UTC))
    sps.sandbox.put_file("out/PO/early.json", b"{}")
    sps.clock.set(datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC))
    sps.sandbox.put_file("out/PO/late.json", b"{}")

    def paths(**params: str) -> list[str]:
        response = sps.api.get(HISTORY, params=params)
        assert response.status_code == 200, response.text
        return [r["path"] for r in response.json()["results"]]

    assert paths(after="2025-03-01T11:00:00") == ["/out/PO/late.json"]
    assert paths(until="2025-03-01T11:00:00") == ["/out/PO/early.json"]
    assert paths(after="2025-03-01T09:00:00", until="2025-03-01T13:00:00") == [
        "/out/PO/early.json",
        "/out/PO/late.json",
    ]
    filtered = sps.api.get(HISTORY, params={"after": "2025-03-01T09:00:00", "limit": 1}).json()
    assert "after=2025-03-01T09%3A00%3A00" in filtered["paging"]["next"]["url"]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "1001"},
        {"offset": "-1"},
        {"after": "yesterday"},
        {"until": "2025-13-01T00:00:00"},
    ],
)
def test_history_bad_parameters_are_400(sps: RunningSps, params: dict[str, str]) -> None:
    response = sps.api.get(HISTORY, params=params)
    assert response.status_code == 400 and response.json()["status"] == 400


def test_history_lag_hides_fresh_entries_from_the_public_api(sps: RunningSps) -> None:
    assert sps.http.post("/_sandbox/sps/history-lag", json={"seconds": 300}).json() == {"seconds": 300}
    sps.sandbox.put_file("out/PO/PO1.json", b"{}")
    assert sps.api.get(HISTORY).json()["results"] == []  # SPS has not published it yet
    assert (
        len(sps.http.get("/_sandbox/sps/history").json()["results"]) == 1
    )  # the control view is never lagged
    sps.clock.advance(301)
    (entry,) = sps.api.get(HISTORY).json()["results"]
    assert entry["path"] == "/out/PO/PO1.json"
    assert sps.http.post("/_sandbox/sps/history-lag", json={"seconds": -1}).status_code == 400
