"""The authorization-code flow's pieces: discovery, the authorize URL, the callback checks and the
code exchange, against the QBO sandbox's real endpoints."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from qbsps_orchestration.lib.qbo.authorize import (
    ACCOUNTING_SCOPE,
    AuthorizationError,
    AuthorizationGrant,
    CodeRejected,
    ConsentDenied,
    StateMismatch,
    authorization_request,
    callback_query,
    discover,
    exchange_code,
    read_callback,
)
from qbsps_tests.consent_browser import decide

from .conftest import QboEnv

REDIRECT_URI = "http://localhost:8714/callback"


def _endpoints(qbo_env: QboEnv):  # noqa: ANN202 - IntuitEndpoints
    return discover(qbo_env.http, f"{qbo_env.base_url}/.well-known/openid_configuration")


def test_discovery_gives_the_endpoints_and_the_url_carries_what_intuit_asks_for(qbo_env: QboEnv) -> None:
    endpoints = _endpoints(qbo_env)
    assert endpoints.authorization_endpoint == f"{qbo_env.base_url}/connect/oauth2"
    assert endpoints.token_endpoint == f"{qbo_env.base_url}/oauth2/v1/tokens/bearer"

    request = authorization_request(endpoints, "app-id", REDIRECT_URI)
    query = parse_qs(urlsplit(request.url).query)
    assert query == {
        "client_id": ["app-id"],
        "response_type": ["code"],
        "scope": [ACCOUNTING_SCOPE],
        "redirect_uri": [REDIRECT_URI],
        "state": [request.state],
    }
    assert len(request.state) >= 40 and request.state not in repr(request)
    assert authorization_request(endpoints, "app-id", REDIRECT_URI).state != request.state


def test_a_page_that_is_not_a_discovery_document_is_named(qbo_env: QboEnv) -> None:
    with pytest.raises(AuthorizationError, match="is not an OpenID discovery document"):
        discover(qbo_env.http, f"{qbo_env.base_url}/_sandbox/health")
    with pytest.raises(AuthorizationError, match="answered HTTP 404"):
        discover(qbo_env.http, f"{qbo_env.base_url}/no/such/document")


def test_callback_checks_state_before_believing_anything() -> None:
    grant = read_callback("code=AB11c&state=s3cret&realmId=123", "s3cret")
    assert grant == AuthorizationGrant("AB11c", "123") and "AB11c" not in repr(grant)
    with pytest.raises(StateMismatch):
        read_callback("code=AB11c&state=forged&realmId=123", "s3cret")
    with pytest.raises(StateMismatch):  # a denial with someone else's state is not ours either
        read_callback("error=access_denied&state=forged", "s3cret")
    with pytest.raises(StateMismatch):
        read_callback("code=AB11c&realmId=123", "s3cret")
    with pytest.raises(ConsentDenied, match="denied"):
        read_callback("error=access_denied&state=s3cret", "s3cret")
    with pytest.raises(AuthorizationError, match="invalid_scope"):
        read_callback("error=invalid_scope&state=s3cret", "s3cret")
    with pytest.raises(AuthorizationError, match="realmId"):
        read_callback("code=AB11c&state=s3cret", "s3cret")
    with pytest.raises(AuthorizationError, match="not Intuit's redirect"):
        read_callback("hello=world", "s3cret")


def test_pasted_redirects_are_read_whole_or_as_a_query() -> None:
    expected = "code=c&state=s&realmId=1"
    assert callback_query(f"  http://localhost:8714/callback?{expected}\n") == expected
    assert callback_query(f"?{expected}") == expected
    assert callback_query(expected) == expected


def test_code_exchange_gives_tokens_once_then_invalid_grant(qbo_env: QboEnv) -> None:
    endpoints, settings = _endpoints(qbo_env), qbo_env.sandbox.settings
    request = authorization_request(endpoints, settings.client_id, REDIRECT_URI)
    grant = read_callback(callback_query(decide(request.url)), request.state)
    assert grant.realm_id == settings.realm_id

    tokens = exchange_code(
        qbo_env.http,
        endpoints.token_endpoint,
        settings.client_id,
        settings.client_secret,
        grant,
        REDIRECT_URI,
    )
    assert tokens.access_token and tokens.refresh_token and tokens.refresh_expires_at is not None
    with pytest.raises(CodeRejected, match="invalid_grant") as again:
        exchange_code(
            qbo_env.http,
            endpoints.token_endpoint,
            settings.client_id,
            settings.client_secret,
            grant,
            REDIRECT_URI,
        )
    assert grant.code not in str(again.value)


def test_wrong_client_secret_is_named_without_the_secret(qbo_env: QboEnv) -> None:
    endpoints, settings = _endpoints(qbo_env), qbo_env.sandbox.settings
    request = authorization_request(endpoints, settings.client_id, REDIRECT_URI)
    grant = read_callback(callback_query(decide(request.url)), request.state)
    with pytest.raises(AuthorizationError, match="refused the app's client id or secret") as caught:
        exchange_code(
            qbo_env.http, endpoints.token_endpoint, settings.client_id, "wrong-secret", grant, REDIRECT_URI
        )
    assert "wrong-secret" not in str(caught.value)
