"""The SPS sandbox's usage report (GET /_sandbox/sps/usage): Transaction API calls by kind, and the
tokens issued; a call without a live token is not counted."""

from __future__ import annotations

from qbsps_tests.sandbox.sps.conftest import DATA, RunningSps


def test_calls_are_counted_by_kind(sps: RunningSps) -> None:
    sps.sandbox.put_file("out/PO/a.json", b"{}")  # SPS delivering: not an API call
    assert sps.api.get(DATA + "out/PO/").status_code == 200
    assert sps.api.get(DATA + "out/PO/a.json").status_code == 200
    assert sps.api.delete(DATA + "out/PO/a.json").status_code == 204
    assert sps.upload("in/x.json", b"{}").status_code == 201
    assert sps.api.get("/transactions/v5/history").status_code == 200
    assert sps.http.get(DATA + "out/PO/").status_code == 401  # no token: not counted

    usage = sps.http.get("/_sandbox/sps/usage").json()
    assert usage == {
        "lists": 1,
        "downloads": 1,
        "uploads": 1,
        "deletes": 1,
        "history": 1,
        "tokens": 1,
        "total": 6,
    }
