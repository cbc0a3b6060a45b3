"""`Sandbox.reset`: the same ports, everything else as if just started. The suite serves one sandbox
per test process and resets it before each test, so a test's company, mailbox, tokens, clock,
faults and control settings must never reach the next one."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.settings import QboSandboxSettings, SandboxSettings, SpsSandboxSettings
from qbsps_tests.sandboxed import SessionSandbox

AUDIENCE = "https://spscommerce.com"


def _settings(**qbo: object) -> SandboxSettings:
    return SandboxSettings(qbo=QboSandboxSettings(throttle=False, **qbo), sps=SpsSandboxSettings(seed=False))  # type: ignore[arg-type]


@pytest.fixture()
def box() -> Iterator[Sandbox]:
    with Sandbox(_settings()) as running:
        yield running


def _qbo_token(http: httpx.Client, box: Sandbox) -> httpx.Response:
    q = box.info()["qbo"]
    return http.post(
        q["token_url"],
        data={"grant_type": "refresh_token", "refresh_token": q["refresh_token"]},
        auth=(q["client_id"], q["client_secret"]),
    )


def _sps_token(http: httpx.Client, box: Sandbox) -> str:
    s = box.info()["sps"]
    body = {"grant_type": "client_credentials", "audience": AUDIENCE}
    answer = http.post(
        s["token_url"], json={**body, "client_id": s["client_id"], "client_secret": s["client_secret"]}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def test_a_reset_starts_every_part_over_on_the_same_ports(box: Sandbox) -> None:
    qbo_url, sps_url = box.qbo_url, box.sps_url
    first_refresh = box.refresh_token
    with httpx.Client(timeout=10) as http:
        old_access = _qbo_token(http, box).json()["access_token"]
        old_sps = _sps_token(http, box)
        box.qbo.service.create("Vendor", {"DisplayName": "Left Behind"})
        box.sps.put_file("out/PO/left-behind.json", b"{}")
        assert http.post(f"{qbo_url}/_sandbox/faults", json={"status": 503, "count": 5}).status_code == 201
        assert http.post(f"{sps_url}/_sandbox/latency", json={"latency_ms": 50}).status_code == 200
        assert http.post(f"{sps_url}/_sandbox/sps/history-lag", json={"seconds": 300}).status_code == 200
        assert http.post(
            f"{qbo_url}/_sandbox/qbo/query-paging", json={"ignore_start_position": True}
        ).is_success
        box.clock.advance(86_400)
        box.qbo.webhooks.url = "http://127.0.0.1:9/nowhere"

        box.reset(_settings())

        assert (box.qbo_url, box.sps_url) == (qbo_url, sps_url)
        assert box.qbo.find("Vendor", DisplayName="Left Behind") == []
        assert box.sps.list_files("out/PO/") == []
        assert abs(box.clock.offset_seconds) < 1e-6
        assert box.qbo_faults.rules == [] and box.sps_faults.latency_ms == 0
        assert http.get(f"{sps_url}/_sandbox/sps/history-lag").json()["seconds"] == 0
        assert http.get(f"{qbo_url}/_sandbox/qbo/query-paging").json() == {"ignore_start_position": False}
        assert box.qbo.webhooks.url is None

        # Tokens of before are gone with the old sandbox; the new refresh token works at once.
        assert box.refresh_token != first_refresh
        fresh = _qbo_token(http, box)
        assert fresh.status_code == 200, fresh.text
        realm = box.settings.qbo.realm_id
        query = {"query": "select * from Vendor", "minorversion": "75"}
        stale = http.get(
            f"{qbo_url}/v3/company/{realm}/query",
            params=query,
            headers={"Authorization": f"Bearer {old_access}"},
        )
        assert stale.status_code == 401
        listing = http.get(
            f"{sps_url}/transactions/v5/data/out/PO/", headers={"Authorization": f"Bearer {old_sps}"}
        )
        assert listing.status_code == 401
        current = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
        assert (
            http.get(f"{qbo_url}/v3/company/{realm}/query", params=query, headers=current).status_code == 200
        )


def test_a_reset_takes_new_settings_but_keeps_its_host_and_ports(box: Sandbox) -> None:
    ports = (box.qbo_url, box.sps_url)
    new = _settings(access_token_lifetime=60)
    new.qbo_port = new.sps_port = 1  # ignored: the servers stay where they listen
    box.reset(new)
    assert (box.qbo_url, box.sps_url) == ports
    assert box.settings.qbo.access_token_lifetime == 60 and box.settings.qbo_port != 1
    with httpx.Client(timeout=10) as http:
        assert _qbo_token(http, box).json()["expires_in"] == 60


def test_the_session_sandbox_is_reused_reset_and_replaced_when_it_cannot_be() -> None:
    session = SessionSandbox()
    try:
        with session.use(_settings()) as first:
            first.sps.put_file("out/PO/one.json", b"{}")
            with session.use(_settings()) as nested:  # wanted while in use: a sandbox of its own
                assert nested is not first and nested.qbo_url != first.qbo_url
            assert not nested.serving and first.serving
        with session.use(_settings()) as again:
            assert again is first and again.sps.list_files("out/PO/") == []
            again.stop()  # a test that stops its sandbox gets none back, the next one a new one
        with session.use(_settings()) as replaced:
            assert replaced is not first and replaced.serving
    finally:
        session.stop()
