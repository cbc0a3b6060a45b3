"""The SPS client against the SPS sandbox over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from qbsps_orchestration.lib.sps import SpsClient, SpsError
from qbsps_orchestration.lib.sps.client import HistoryItem
from qbsps_orchestration.lib.sps.token import SpsTokenSource
from qbsps_orchestration.sandbox.faults import FaultRule
from qbsps_tests.lib.sps.conftest import NO_WAIT, Sps


def test_token_is_fetched_once_and_reused(sps: Sps) -> None:
    sps.sandbox.put_file("out/PO/a.json", b"{}")
    client = sps.client()
    for _ in range(5):
        client.download("out/PO/a.json")
    assert client.tokens.fetch_count == 1


def test_token_is_renewed_shortly_before_it_expires(sps: Sps) -> None:
    now = [0.0]
    with httpx.Client() as http:
        source = SpsTokenSource(
            http,
            f"{sps.base_url}/oauth/token",
            sps.settings.client_id,
            sps.settings.client_secret,
            monotonic=lambda: now[0],
        )
        first = source.token()
        now[0] = 3600 - 61  # more than a minute left: cached
        assert source.token() == first and source.fetch_count == 1
        now[0] = 3600 - 59  # inside the last minute: renewed ahead of expiry
        assert source.token() != first and source.fetch_count == 2


def test_an_expired_token_is_refetched_once_on_401(sps: Sps) -> None:
    sps.sandbox.put_file("out/PO/a.json", b"{}")
    client = sps.client()
    client.download("out/PO/a.json")
    sps.clock.advance(3600)  # the server now refuses the cached token
    assert client.download("out/PO/a.json") == b"{}"
    assert client.tokens.fetch_count == 2


def test_bad_credentials_raise_without_echoing_the_secret(sps: Sps) -> None:
    client = SpsClient(
        sps.base_url, f"{sps.base_url}/oauth/token", sps.settings.client_id, "wrong-secret", retry=NO_WAIT
    )
    with pytest.raises(SpsError) as caught:
        client.download("out/PO/a.json")
    assert caught.value.status == 401 and "wrong-secret" not in str(caught.value)


def test_iter_files_follows_cursors_across_pages(sps: Sps) -> None:
    names = [f"PO{n:04d}-v7.7.json" for n in range(25)]
    for name in names:
        sps.sandbox.put_file(f"out/PO/{name}", b"{}")
    sps.sandbox.put_file("out/PO/IN0001.json", b"{}")
    client = sps.client()
    listed = [entry.name for entry in client.iter_files("out/PO/", prefix="PO", page_size=7)]
    assert listed == sorted(names)
    first = client.list_page("out/PO/", limit=7)
    assert len(first.entries) == 7 and first.next_cursor
    with pytest.raises(ValueError):
        client.list_page("out/PO/", limit=1001)


def test_upload_download_delete_round_trip(sps: Sps) -> None:
    client = sps.client()
    content = (
        b"<Order><Header><OrderHeader><TradingPartnerId>X</TradingPartnerId></OrderHeader></Header></Order>"
    )
    reply = client.upload("out/PO/new.xml", content, meta={"description": "test"})
    assert reply["path"].endswith("/out/PO/new.xml")
    assert client.download("/out/PO/new.xml") == content
    client.delete("out/PO/new.xml")
    with pytest.raises(SpsError) as caught:
        client.download("out/PO/new.xml")
    assert caught.value.status == 404


@pytest.mark.parametrize("shape", ["problem", "legacy"])
def test_both_error_shapes_are_understood(sps: Sps, shape: str) -> None:
    httpx.post(f"{sps.base_url}/_sandbox/sps/error-shape", json={"shape": shape})
    with pytest.raises(SpsError) as caught:
        sps.client().list_page("nowhere/")
    assert caught.value.status == 404 and "not found" in caught.value.detail.lower()


def test_throttling_and_server_errors_are_retried(sps: Sps) -> None:
    sps.sandbox.put_file("out/PO/a.json", b"{}")
    client = sps.client()
    client.tokens.token()
    sps.faults.add(FaultRule(status=429, count=2, path_prefix="/transactions"))
    sps.faults.add(FaultRule(status=503, count=1, path_prefix="/transactions"))
    assert client.download("out/PO/a.json") == b"{}"


def test_persistent_failure_surfaces_as_an_error(sps: Sps) -> None:
    client = sps.client()
    client.tokens.token()
    sps.faults.add(FaultRule(status=500, count=None, rate=1.0, path_prefix="/transactions"))
    with pytest.raises(SpsError) as caught:
        client.list_page("out/PO/")
    assert caught.value.status == 500


def test_auth_check(sps: Sps) -> None:
    assert sps.client().auth_check()


def test_history_items_carry_when_sps_first_recorded_the_file(sps: Sps) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    sps.sandbox.put_file("out/PO/dated.json", b"{}")  # SPS delivers an order file
    body = sps.client().history(limit=100, offset=0, after=before)
    item = next(HistoryItem.of(r) for r in body["results"] if r["path"].endswith("/dated.json"))
    assert (item.direction, item.statuses) == ("outbound", ("delivered",))
    assert item.first_at is not None and before <= item.first_at <= datetime.now(UTC) + timedelta(seconds=5)


def test_a_history_timestamp_without_a_zone_is_utc_and_an_unreadable_one_is_none() -> None:
    zoneless = HistoryItem.of(
        {"path": "/in/a", "status_log": [{"status": "received", "timestamp": "2026-12-01T10:00:00"}]}
    )
    assert zoneless.first_at == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    garbled = HistoryItem.of({"path": "/in/a", "status_log": [{"status": "received", "timestamp": "soon"}]})
    assert (garbled.statuses, garbled.first_at) == (("received",), None)
