"""Both SPS error shapes, and injected faults answering in them."""

from __future__ import annotations

from .conftest import DATA, RunningSps


def test_problem_json_is_the_default_and_echoes_the_request_id(sps: RunningSps) -> None:
    response = sps.api.get(DATA + "nowhere/", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "title": "Not Found",
        "status": 404,
        "detail": "Directory '/nowhere/' not found.",
        "instance": "/transactions/v5/data/nowhere/",
        "requestId": "req-42",
    }
    assert response.headers["X-Request-ID"] == "req-42"
    generated = sps.api.get(DATA + "nowhere/").json()["requestId"]
    assert len(generated) == 36


def test_legacy_shape_can_be_switched_on_and_off(sps: RunningSps) -> None:
    assert sps.http.post("/_sandbox/sps/error-shape", json={"shape": "legacy"}).json() == {"shape": "legacy"}
    missing = sps.api.get(DATA + "nowhere/")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/json"
    assert missing.json() == {
        "error": {"errorDescription": "Directory '/nowhere/' not found.", "error": "not_found"},
        "status": "error",
    }
    unauthorized = sps.http.get(DATA)
    assert unauthorized.json()["error"]["error"] == "invalid_token"
    assert sps.upload("in/x", b"", **{"Content-Type": "text/plain"}).json()["error"]["error"] == (
        "unsupported_media_type"
    )
    assert sps.http.post("/_sandbox/sps/error-shape", json={"shape": "yaml"}).status_code == 400
    sps.http.post("/_sandbox/sps/error-shape", json={"shape": "problem"})
    assert sps.api.get(DATA + "nowhere/").json()["title"] == "Not Found"


def test_legacy_shape_from_settings(start_sps) -> None:
    sps = start_sps(error_shape="legacy")
    assert sps.http.get("/auth-check").json()["status"] == "error"


def test_unknown_routes_and_methods_answer_in_sps_shape(sps: RunningSps) -> None:
    unknown = sps.api.get("/transactions/v4/data/")
    assert unknown.status_code == 404 and unknown.json()["status"] == 404
    wrong_method = sps.api.put(DATA + "in/x.xml", content=b"<x/>")
    assert wrong_method.status_code == 405 and wrong_method.json()["title"] == "Method Not Allowed"
    history_delete = sps.api.delete("/transactions/v5/history")
    assert history_delete.status_code == 405 and "GET" in history_delete.headers["Allow"]


def test_injected_429_and_503_answer_in_sps_shape(sps: RunningSps) -> None:
    added = sps.http.post(
        "/_sandbox/faults",
        json={"status": 429, "count": 1, "retry_after": 7, "path_prefix": "/transactions/"},
    )
    assert added.status_code == 201
    throttled = sps.api.get(DATA + "out/PO/", headers={"X-Request-ID": "r-1"})
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "7"
    assert throttled.headers["content-type"] == "application/problem+json"
    assert throttled.json() == {
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Request for resource '/transactions/v5/data/out/PO/' has been rate-limited.",
        "instance": "/transactions/v5/data/out/PO/",
        "requestId": "r-1",
    }
    assert sps.api.get(DATA + "out/PO/").status_code == 200  # the scripted fault is used up
    sps.http.post("/_sandbox/sps/error-shape", json={"shape": "legacy"})
    sps.http.post("/_sandbox/faults", json={"status": 503, "count": 2, "method": "POST"})
    first = sps.upload("in/x.json", b"{}")
    assert first.status_code == 503 and first.json()["error"]["error"] == "server_error"
    assert sps.upload("in/x.json", b"{}").status_code == 503
    assert sps.upload("in/x.json", b"{}").status_code == 201
    assert len(sps.sandbox.history()) == 1  # the failed calls never reached the mailbox


def test_injected_fault_on_token_endpoint_uses_auth0_shape(sps: RunningSps) -> None:
    sps.http.post("/_sandbox/faults", json={"status": 429, "path_prefix": "/oauth/token"})
    response = sps.token_request()
    assert response.status_code == 429 and response.json()["error"] == "too_many_requests"
    assert sps.token_request().status_code == 200
