from __future__ import annotations

import base64

from .conftest import DATA, RunningSps


def test_client_credentials_json_body_gives_bearer_token(sps: RunningSps) -> None:
    response = sps.token_request()
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert len(body["access_token"]) > 20
    assert response.headers["cache-control"] == "no-store"
    check = sps.http.get("/auth-check", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert check.status_code == 204


def test_form_body_and_old_audience_are_accepted(sps: RunningSps) -> None:
    response = sps.http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": sps.settings.client_id,
            "client_secret": sps.settings.client_secret,
            "audience": "api://api.spscommerce.com/",
        },
    )
    assert response.status_code == 200 and response.json()["token_type"] == "Bearer"


def test_http_basic_client_authentication(sps: RunningSps) -> None:
    basic = base64.b64encode(f"{sps.settings.client_id}:{sps.settings.client_secret}".encode()).decode()
    response = sps.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "audience": "https://spscommerce.com"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200


def test_bad_credentials_are_401_without_echoing_the_secret(sps: RunningSps) -> None:
    wrong = sps.token_request(client_secret="not-the-secret")
    assert wrong.status_code == 401
    assert wrong.json() == {"error": "access_denied", "error_description": "Unauthorized"}
    unknown = sps.token_request(client_id="someone-else")
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
    assert sps.settings.client_secret not in wrong.text + unknown.text


def test_audience_and_grant_type_rules(sps: RunningSps) -> None:
    wrong = sps.token_request(audience="https://example.com")
    assert wrong.status_code == 403 and wrong.json()["error"] == "access_denied"
    assert "Service not found" in wrong.json()["error_description"]
    missing = sps.token_request(audience="")
    assert missing.status_code == 403 and "No audience" in missing.json()["error_description"]
    interactive = sps.token_request(grant_type="authorization_code")
    assert interactive.status_code == 403 and interactive.json()["error"] == "unauthorized_client"
    odd = sps.token_request(grant_type="magic")
    assert odd.status_code == 400 and odd.json()["error"] == "unsupported_grant_type"
    no_body = sps.http.post("/oauth/token", content=b"x", headers={"Content-Type": "text/plain"})
    assert no_body.status_code == 400 and no_body.json()["error"] == "invalid_request"


def test_token_endpoint_is_rate_limited_per_minute(start_sps) -> None:
    sps = start_sps(token_requests_per_minute=3)  # the fixture already used one request
    assert [sps.token_request().status_code for _ in range(2)] == [200, 200]
    limited = sps.token_request()
    assert limited.status_code == 429 and limited.json()["error"] == "too_many_requests"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert sps.token_request(client_secret="wrong").status_code == 429  # counted before checking
    sps.clock.advance(61)
    assert sps.token_request().status_code == 200


def test_rate_limit_and_lifetime_settable_through_control(sps: RunningSps) -> None:
    answer = sps.http.post("/_sandbox/sps/auth", json={"token_requests_per_minute": 1, "token_lifetime": 120})
    assert answer.status_code == 200
    assert answer.json()["token_requests_per_minute"] == 1 and answer.json()["token_lifetime"] == 120
    first = sps.token_request()
    assert first.status_code == 200 and first.json()["expires_in"] == 120
    assert sps.token_request().status_code == 429
    assert sps.http.post("/_sandbox/sps/auth", json={"token_lifetime": 0}).status_code == 400


def test_token_expires_on_the_sandbox_clock(start_sps) -> None:
    sps = start_sps(token_lifetime=300)
    assert sps.api.get("/auth-check").status_code == 204
    sps.clock.advance(299)
    assert sps.api.get(DATA).status_code == 200
    sps.clock.advance(2)
    expired = sps.api.get(DATA)
    assert expired.status_code == 401
    assert expired.headers["content-type"].startswith("application/problem+json")
    assert expired.json()["title"] == "Invalid Token"
    assert expired.json()["detail"] == "The access token provided is invalid or expired."


def test_every_api_call_needs_a_valid_token(sps: RunningSps) -> None:
    for response in (
        sps.http.get("/auth-check"),
        sps.http.get(DATA),
        sps.http.get("/transactions/v5/history"),
        sps.http.post(
            DATA + "in/x.json", content=b"{}", headers={"Content-Type": "application/octet-stream"}
        ),
        sps.http.delete(DATA + "out/PO/x.json"),
        sps.http.get(DATA, headers={"Authorization": "Bearer forged"}),
        sps.http.get(DATA, headers={"Authorization": "Basic abc"}),
    ):
        assert response.status_code == 401, response.request.url
        assert response.json()["title"] == "Invalid Token"


def test_revoking_tokens_forces_a_new_one(sps: RunningSps) -> None:
    assert sps.http.post("/_sandbox/sps/auth", json={"revoke_tokens": True}).json()["live_tokens"] == 0
    assert sps.api.get("/auth-check").status_code == 401
    fresh = sps.token_request().json()["access_token"]
    assert sps.http.get("/auth-check", headers={"Authorization": f"Bearer {fresh}"}).status_code == 204
