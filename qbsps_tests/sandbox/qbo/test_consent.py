"""The sandbox's authorization endpoint as a person meets it: a consent page with Connect and
Cancel, then the redirect back to the app; codes that work once and expire on the sandbox clock."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from qbsps_tests.consent_browser import consent_form, decide

from .conftest import TOKEN_PATH, Qbo

REDIRECT_URI = "http://localhost:8714/callback"
ACCOUNTING = "com.intuit.quickbooks.accounting"


@pytest.fixture
def browser(qbo: Qbo) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=qbo.base_url, trust_env=False, timeout=10) as http:
        yield http


def _authorize_url(qbo: Qbo, **overrides: str) -> str:
    params = {
        "client_id": qbo.sandbox.settings.client_id,
        "response_type": "code",
        "scope": ACCOUNTING,
        "redirect_uri": REDIRECT_URI,
        "state": "state-123",
        **overrides,
    }
    return f"{qbo.base_url}/connect/oauth2?{urlencode(params)}"


def _callback(location: str) -> dict[str, list[str]]:
    assert location.startswith(REDIRECT_URI + "?"), location
    return parse_qs(urlsplit(location).query)


def _exchange(qbo: Qbo, code: str) -> httpx.Response:
    settings = qbo.sandbox.settings
    return httpx.post(
        qbo.base_url + TOKEN_PATH,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        auth=(settings.client_id, settings.client_secret),
        trust_env=False,
    )


def test_consent_page_connect_sends_code_state_and_realm(qbo: Qbo, browser: httpx.Client) -> None:
    page = browser.get(_authorize_url(qbo))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    form = consent_form(page.text)
    assert set(form.buttons) == {"connect", "cancel"}
    assert qbo.realm_id in page.text and ACCOUNTING in page.text

    answer = browser.post(form.action, data={**form.fields, "decision": "connect"})
    assert answer.status_code == 302
    callback = _callback(answer.headers["location"])
    assert callback["state"] == ["state-123"] and callback["realmId"] == [qbo.realm_id]
    assert _exchange(qbo, callback["code"][0]).status_code == 200

    # The page's consent id is single-use: pressing Connect again (a resubmitted form) is refused.
    again = browser.post(form.action, data={**form.fields, "decision": "connect"})
    assert again.status_code == 400 and "already used" in again.text


def test_cancel_redirects_with_access_denied_and_no_code(qbo: Qbo) -> None:
    callback = _callback(decide(_authorize_url(qbo), "cancel"))
    assert callback == {"error": ["access_denied"], "state": ["state-123"]}


def test_authorization_codes_are_single_use_and_expire_on_the_sandbox_clock(qbo: Qbo) -> None:
    used = _callback(decide(_authorize_url(qbo)))["code"][0]
    assert _exchange(qbo, used).status_code == 200
    assert _exchange(qbo, used).json() == {"error": "invalid_grant"}

    late = _callback(decide(_authorize_url(qbo)))["code"][0]
    clock = httpx.post(f"{qbo.base_url}/_sandbox/clock", json={"advance_seconds": 301}, trust_env=False)
    assert clock.status_code == 200
    assert _exchange(qbo, late).json() == {"error": "invalid_grant"}


def test_requests_the_app_cannot_be_trusted_with_get_an_error_page(qbo: Qbo, browser: httpx.Client) -> None:
    for bad in (
        {"client_id": "someone-else"},
        {"redirect_uri": "/callback"},
        {"redirect_uri": REDIRECT_URI + "#x"},
    ):
        page = browser.get(_authorize_url(qbo, **bad))
        assert page.status_code == 400 and "Cannot connect" in page.text, bad


def test_protocol_errors_go_back_to_the_app(qbo: Qbo, browser: httpx.Client) -> None:
    unknown_scope = browser.get(_authorize_url(qbo, scope=f"{ACCOUNTING} com.example.everything"))
    assert _callback(unknown_scope.headers["location"]) == {
        "error": ["invalid_scope"],
        "state": ["state-123"],
    }
    no_state = browser.get(_authorize_url(qbo, state=""))
    assert _callback(no_state.headers["location"])["error"] == ["invalid_request"]
    token_flow = browser.get(_authorize_url(qbo, response_type="token"))
    assert _callback(token_flow.headers["location"])["error"] == ["unsupported_response_type"]


def test_openid_only_consent_carries_no_company(qbo: Qbo) -> None:
    callback = _callback(decide(_authorize_url(qbo, scope="openid email")))
    assert "code" in callback and "realmId" not in callback


def test_auto_consent_is_switched_through_the_control_api(qbo: Qbo, browser: httpx.Client) -> None:
    control = f"{qbo.base_url}/_sandbox/qbo/oauth"
    try:
        assert browser.post(control, json={"auto_consent": True}).json()["auto_consent"] is True
        answer = browser.get(_authorize_url(qbo))
        assert answer.status_code == 302 and "code" in _callback(answer.headers["location"])
        assert browser.post(control, json={"auto_consent": "yes"}).status_code == 400
    finally:
        browser.post(control, json={"auto_consent": False})
    assert browser.get(_authorize_url(qbo)).status_code == 200
