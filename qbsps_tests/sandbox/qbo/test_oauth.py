"""The sandbox OAuth authority over real HTTP, driven by Intuit's own client and by raw requests."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from qbsps_orchestration.sandbox.clock import SandboxClock
from qbsps_orchestration.sandbox.qbo.oauth.authority import QboAuthority
from qbsps_orchestration.sandbox.server import ServedApp
from qbsps_orchestration.sandbox.settings import QboSandboxSettings

REDIRECT_URI = "http://localhost:5000/callback"
TOKEN_PATH = "/oauth2/v1/tokens/bearer"
FIVE_YEARS = 157_680_000


@dataclass
class Sandbox:
    base_url: str
    settings: QboSandboxSettings
    clock: SandboxClock
    authority: QboAuthority
    http: httpx.Client

    def auth_client(self, **kwargs: str) -> AuthClient:
        discovery = f"{self.base_url}/.well-known/openid_configuration/"
        s = self.settings
        return AuthClient(s.client_id, s.client_secret, REDIRECT_URI, discovery, **kwargs)

    def basic(self, secret: str | None = None) -> dict[str, str]:
        pair = f"{self.settings.client_id}:{secret if secret is not None else self.settings.client_secret}"
        return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}

    def token_call(self, form: dict[str, str], headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post(TOKEN_PATH, data=form, headers=headers if headers is not None else self.basic())

    def exchange(self, headers: dict[str, str] | None = None) -> dict:
        code = self.http.post("/_sandbox/qbo/oauth/code", json={"redirect_uri": REDIRECT_URI}).json()["code"]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
        response = self.token_call(form, headers)
        assert response.status_code == 200, response.text
        return response.json()

    def refresh(self, refresh_token: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.token_call({"grant_type": "refresh_token", "refresh_token": refresh_token}, headers)

    def api_status(self, access_token: str) -> int:
        """What a QBO API route sees: the authority's verdict on the bearer token."""
        return self.http.get("/whoami", headers={"Authorization": f"Bearer {access_token}"}).status_code


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    # Auto-consent: Intuit's client follows the authorize URL without a person to click Connect.
    settings, clock = QboSandboxSettings(auto_consent=True), SandboxClock()
    authority = QboAuthority(settings, clock)

    async def whoami(request: Request) -> Response:
        grant = authority.authenticate(request.headers.get("authorization"))
        if grant is None:
            return JSONResponse({"fault": {"type": "AUTHENTICATION"}}, status_code=401)
        return JSONResponse({"realm_id": grant.realm_id, "client_id": grant.client_id})

    app = Starlette(routes=[*authority.routes(), Route("/whoami", whoami)])
    served = ServedApp(app, name="qbo-oauth-test").start()
    try:
        with httpx.Client(base_url=served.base_url, trust_env=False) as http:
            yield Sandbox(served.base_url, settings, clock, authority, http)
    finally:
        served.stop()


def test_discovery_document_names_this_server_on_every_path(sandbox: Sandbox) -> None:
    for path in ("/.well-known/openid_configuration", "/.well-known/openid-configuration/"):
        doc = sandbox.http.get(path).json()
        assert doc["authorization_endpoint"] == f"{sandbox.base_url}/connect/oauth2"
        assert doc["token_endpoint"] == f"{sandbox.base_url}{TOKEN_PATH}"
        assert doc["revocation_endpoint"] == f"{sandbox.base_url}/v2/oauth2/tokens/revoke"
        assert doc["issuer"].startswith(sandbox.base_url)
        assert sandbox.http.get(doc["jwks_uri"]).json() == {"keys": []}
        assert set(doc["token_endpoint_auth_methods_supported"]) == {
            "client_secret_post",
            "client_secret_basic",
        }


def test_intuit_client_connects_refreshes_and_revokes(sandbox: Sandbox) -> None:
    client = sandbox.auth_client()
    assert client.token_endpoint == f"{sandbox.base_url}{TOKEN_PATH}"
    consent = sandbox.http.get(client.get_authorization_url([Scopes.ACCOUNTING]))
    assert consent.status_code == 302
    callback = parse_qs(urlsplit(consent.headers["location"]).query)
    assert consent.headers["location"].startswith(REDIRECT_URI)
    assert callback["state"] == [client.state_token]
    assert callback["realmId"] == [sandbox.settings.realm_id]

    client.get_bearer_token(callback["code"][0], realm_id=callback["realmId"][0])
    assert client.expires_in == 3600
    assert client.x_refresh_token_expires_in == pytest.approx(sandbox.settings.refresh_token_lifetime, abs=2)
    first_access, first_refresh = client.access_token, client.refresh_token
    assert sandbox.api_status(first_access) == 200

    client.refresh()
    assert client.refresh_token == first_refresh  # younger than the rotation age: same value
    assert client.access_token != first_access
    assert sandbox.api_status(first_access) == 200  # old access tokens live to their own expiry
    assert sandbox.api_status(client.access_token) == 200

    with pytest.raises(AuthClientError) as used_twice:
        client.get_bearer_token(callback["code"][0])
    assert used_twice.value.status_code == 400 and b"invalid_grant" in used_twice.value.content
    assert used_twice.value.intuit_tid

    assert client.revoke() is True
    assert sandbox.api_status(client.access_token) == 401
    assert sandbox.api_status(first_access) == 401
    with pytest.raises(AuthClientError) as revoked:
        client.refresh()
    assert revoked.value.status_code == 400 and b"invalid_grant" in revoked.value.content


def test_client_secret_post_and_client_errors(sandbox: Sandbox) -> None:
    post_auth = {"client_id": sandbox.settings.client_id, "client_secret": sandbox.settings.client_secret}
    code = sandbox.http.post("/_sandbox/qbo/oauth/code", json={}).json()["code"]
    by_post = sandbox.token_call(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, **post_auth},
        headers={},
    )
    assert by_post.status_code == 200 and by_post.headers["intuit_tid"]
    refresh_token = by_post.json()["refresh_token"]
    refreshed = sandbox.token_call(
        {"grant_type": "refresh_token", "refresh_token": refresh_token, **post_auth}, {}
    )
    assert refreshed.status_code == 200

    wrong_basic = sandbox.refresh(refresh_token, headers=sandbox.basic("not-the-secret"))
    wrong_post = sandbox.token_call(
        {"grant_type": "refresh_token", "refresh_token": refresh_token, **post_auth, "client_secret": "x"}, {}
    )
    anonymous = sandbox.refresh(refresh_token, headers={})
    for response in (wrong_basic, wrong_post, anonymous):
        assert response.status_code == 401
        assert response.json() == {"error": "invalid_client"}
        assert response.headers["intuit_tid"]

    unsupported = sandbox.token_call({"grant_type": "client_credentials"})
    assert (unsupported.status_code, unsupported.json()["error"]) == (400, "unsupported_grant_type")
    unknown = sandbox.refresh("AB11-never-issued")
    assert (unknown.status_code, unknown.json()["error"]) == (400, "invalid_grant")


def test_code_is_bound_to_its_redirect_uri(sandbox: Sandbox) -> None:
    code = sandbox.http.post("/_sandbox/qbo/oauth/code", json={"redirect_uri": REDIRECT_URI}).json()["code"]
    other = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost:1/elsewhere"}
    assert sandbox.token_call(other).json() == {"error": "invalid_grant"}


def test_authorize_rejects_unknown_app_and_redirects_protocol_errors(sandbox: Sandbox) -> None:
    params = {
        "client_id": "someone-else",
        "response_type": "code",
        "scope": "com.intuit.quickbooks.accounting",
        "redirect_uri": REDIRECT_URI,
        "state": "s1",
    }
    assert sandbox.http.get("/connect/oauth2", params=params).status_code == 400
    params.update(client_id=sandbox.settings.client_id, response_type="token")
    answer = sandbox.http.get("/connect/oauth2", params=params)
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer.headers["location"]).query) == {
        "error": ["unsupported_response_type"],
        "state": ["s1"],
    }


def test_refresh_token_rotates_after_the_rotation_age(sandbox: Sandbox) -> None:
    tokens = sandbox.exchange()
    sandbox.clock.advance(3600)
    same = sandbox.refresh(tokens["refresh_token"]).json()
    assert same["refresh_token"] == tokens["refresh_token"]

    sandbox.clock.advance(sandbox.settings.refresh_rotation_age)  # the value is now a day old
    rotated = sandbox.refresh(tokens["refresh_token"]).json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    # Rolling: the refresh a day later restarts the full lifetime.
    assert rotated["x_refresh_token_expires_in"] == pytest.approx(
        sandbox.settings.refresh_token_lifetime, abs=2
    )

    superseded = sandbox.refresh(tokens["refresh_token"])
    assert superseded.status_code == 400
    assert superseded.json() == {
        "error": "invalid_grant",
        "error_description": "Incorrect or invalid refresh token",
    }
    assert sandbox.refresh(rotated["refresh_token"]).json()["refresh_token"] == rotated["refresh_token"]
    family = sandbox.http.get("/_sandbox/qbo/oauth").json()["families"][0]
    assert (family["refreshes"], family["rotations"]) == (3, 1)


def test_grace_window_keeps_a_superseded_value_working_for_a_while(sandbox: Sandbox) -> None:
    assert sandbox.http.post("/_sandbox/qbo/oauth", json={"refresh_grace_seconds": 600}).status_code == 200
    tokens = sandbox.exchange()
    sandbox.clock.advance(sandbox.settings.refresh_rotation_age)
    newest = sandbox.refresh(tokens["refresh_token"]).json()["refresh_token"]
    sandbox.clock.advance(300)
    within = sandbox.refresh(tokens["refresh_token"])
    assert within.status_code == 200 and within.json()["refresh_token"] == newest
    sandbox.clock.advance(301)
    assert sandbox.refresh(tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_access_token_expires_after_an_hour_of_sandbox_time(sandbox: Sandbox) -> None:
    access = sandbox.exchange()["access_token"]
    sandbox.clock.advance(3590)  # seconds short of the hour, so real time passing cannot flip it
    assert sandbox.api_status(access) == 200
    sandbox.clock.advance(11)
    assert sandbox.api_status(access) == 401
    assert sandbox.api_status("not-a-token") == 401


def test_hard_expiry_is_reported_on_request_and_caps_the_family(sandbox: Sandbox) -> None:
    ask = {**sandbox.basic(), "x-include-refresh-token-hard-expires-in": "true"}
    tokens = sandbox.exchange(headers=ask)
    assert tokens["x_refresh_token_hard_expires_in"] == pytest.approx(FIVE_YEARS, abs=2)
    assert "x_refresh_token_hard_expires_in" not in sandbox.refresh(tokens["refresh_token"]).json()

    refresh_token, elapsed, last = tokens["refresh_token"], 0, tokens
    while elapsed + 90 * 86_400 < FIVE_YEARS:  # a well-behaved client refreshing every 90 days
        sandbox.clock.advance(90 * 86_400)
        elapsed += 90 * 86_400
        last = sandbox.refresh(refresh_token, headers=ask).json()
        refresh_token = last["refresh_token"]
    remaining = FIVE_YEARS - elapsed
    assert last["x_refresh_token_hard_expires_in"] == pytest.approx(remaining, abs=2)
    # Near the cap the rolling expiry is clipped to it: the family cannot outlive five years.
    assert last["x_refresh_token_expires_in"] == pytest.approx(remaining, abs=2)
    assert remaining < sandbox.settings.refresh_token_lifetime
    sandbox.clock.advance(FIVE_YEARS - elapsed)
    assert sandbox.refresh(refresh_token).json()["error"] == "invalid_grant"


def test_rolling_expiry_kills_an_unused_refresh_token(sandbox: Sandbox) -> None:
    tokens = sandbox.exchange()
    sandbox.clock.advance(sandbox.settings.refresh_token_lifetime + 1)
    assert sandbox.refresh(tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_dropped_refresh_response_loses_the_rotated_token(sandbox: Sandbox) -> None:
    tokens = sandbox.exchange()
    sandbox.clock.advance(sandbox.settings.refresh_rotation_age)
    assert (
        sandbox.http.post("/_sandbox/qbo/oauth", json={"drop_next_refresh_response": True}).status_code == 200
    )
    lost = sandbox.refresh(tokens["refresh_token"])
    assert lost.status_code == 502
    # The rotation was committed server-side, so the only value the client has is now dead.
    assert sandbox.refresh(tokens["refresh_token"]).json()["error"] == "invalid_grant"
    state = sandbox.http.get("/_sandbox/qbo/oauth").json()
    assert state["dropped_refresh_responses"] == 1 and state["drop_next_refresh_response"] is False
    assert state["families"][0]["rotations"] == 1
    assert state["invalid_grants"] == {"refresh token was superseded by a newer value": 1}


def test_revoke_by_access_token_and_realm_disconnect(sandbox: Sandbox) -> None:
    first, second = sandbox.exchange(), sandbox.exchange()
    revoke = "/v2/oauth2/tokens/revoke"
    assert (
        sandbox.http.post(
            revoke, json={"token": first["access_token"]}, headers=sandbox.basic("x")
        ).status_code
        == 401
    )
    assert (
        sandbox.http.post(revoke, json={"token": first["access_token"]}, headers=sandbox.basic()).status_code
        == 200
    )
    assert sandbox.refresh(first["refresh_token"]).json()["error"] == "invalid_grant"
    assert sandbox.api_status(second["access_token"]) == 200  # other families are untouched

    answer = sandbox.http.post("/_sandbox/qbo/oauth", json={"revoke_realm": sandbox.settings.realm_id}).json()
    assert answer["revoked_families"] == 1
    assert sandbox.api_status(second["access_token"]) == 401


def test_issued_refresh_token_works_and_control_state_hides_secrets(sandbox: Sandbox) -> None:
    refresh_token = sandbox.authority.issue_refresh_token()
    answer = sandbox.refresh(refresh_token)
    assert answer.status_code == 200
    state = sandbox.http.get("/_sandbox/qbo/oauth")
    assert refresh_token not in state.text and answer.json()["access_token"] not in state.text
    assert sandbox.settings.client_secret not in state.text
    assert state.json()["families"][0]["live_access_tokens"] == 1
    bad = sandbox.http.post("/_sandbox/qbo/oauth", json={"refresh_rotation_age": -1, "colour": "red"})
    assert bad.status_code == 400 and "colour" in bad.json()["error"]
