"""The mailbox holds any bytes SPS could deliver and serves them back byte for byte; only the
check of uploads to in/ may refuse a file, and it never answers 500 or drops the connection."""

from __future__ import annotations

import base64

import pytest

from .conftest import DATA, RunningSps

HOSTILE = {
    "deep.json": b"[" * 20_000 + b"]" * 20_000,
    "deep-object.json": b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
    "deep.xml": b"<Order>" + b"<a>" * 20_000 + b"</a>" * 20_000 + b"</Order>",
    "binary.bin": bytes(range(256)) * 64,
    "latin1.json": '{"Header": "caf\u00e9"}'.encode("latin-1"),
    "empty.json": b"",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_out_holds_any_bytes_through_the_api_and_the_control_route(sps: RunningSps, name: str) -> None:
    content = HOSTILE[name]
    uploaded = sps.upload(f"out/PO/{name}", content)  # sandbox credentials may write out/
    assert uploaded.status_code == 201, uploaded.text
    delivered = sps.http.post(
        "/_sandbox/sps/deliver",
        json={"path": f"out/PO/again-{name}", "content_base64": base64.b64encode(content).decode()},
    )
    assert delivered.status_code == 201, delivered.text
    for path in (f"out/PO/{name}", f"out/PO/again-{name}"):
        assert sps.api.get(DATA + path).content == content
    listed = [r["path"] for r in sps.api.get(DATA + "out/PO/").json()["results"]]
    assert listed == sorted([f"/out/PO/{name}", f"/out/PO/again-{name}"])
    assert sps.api.delete(DATA + f"out/PO/{name}").status_code == 204


@pytest.mark.parametrize("name", ["deep.json", "deep-object.json", "deep.xml", "binary.bin"])
def test_a_hostile_upload_to_in_is_rejected_in_history_not_a_500(sps: RunningSps, name: str) -> None:
    response = sps.upload(f"in/{name}", HOSTILE[name])
    assert response.status_code < 500, response.text
    history = sps.http.get("/_sandbox/sps/history").json()["results"]
    [entry] = [e for e in history if e["path"] == f"/in/{name}"]
    assert [s["status"] for s in entry["status_log"]][-1] == "rejected", entry
    assert entry["status_log"][-1].get("reasons") or entry.get("reasons"), entry
    # A rejected file stays in in/, byte for byte, so the supplier can look at it.
    assert sps.api.get(DATA + f"in/{name}").content == HOSTILE[name]
