"""`qbsps connect`: make the connections and keep them, encrypted, in the ledger.

QuickBooks: the authorization-code flow of lib/qbo/authorize.py; on success the token pair
replaces the company's stored token family, and the company and the Intuit app's credentials are
recorded. SPS: the credentials are proven (token + auth-check) and only then stored. A failure at
any step stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import requests

from .config import QbspsConfig
from .connections import (
    QboConnection,
    SpsConnection,
    load_qbo_connection,
    store_qbo_connection,
    store_sps_connection,
)
from .http import ApiSession, RetryPolicy
from .ledger import Ledger
from .qbo import QboClient, QboError, QboTokenSource
from .qbo.authorize import (
    AuthorizationRequest,
    authorization_request,
    callback_query,
    discover,
    exchange_code,
    read_callback,
)
from .qbo.vault import LedgerTokenVault
from .sps.credentials_check import prove_credentials

# How the caller gets the redirect back: show `request.url` to the user, return the query string
# (or the whole address) the browser was sent to.
ReceiveRedirect = Callable[[AuthorizationRequest], str]


@dataclass(frozen=True)
class AppCredentials:
    client_id: str
    client_secret: str

    def __repr__(self) -> str:
        return "AppCredentials(…)"


def known_qbo_app(config: QbspsConfig, ledger: Ledger) -> tuple[str | None, str | None]:
    """The Intuit app's client id and secret as far as qbsps knows them: the config's, else those
    of the last connection."""
    qbo = config.qbo
    client_id = qbo.client_id.resolve() if qbo.client_id is not None else None
    secret = qbo.client_secret.resolve() if qbo.client_secret is not None else None
    if client_id is None or secret is None:
        stored = load_qbo_connection(ledger)
        if stored is not None:
            client_id, secret = client_id or stored.client_id, secret or stored.client_secret
    return client_id, secret


def connect_quickbooks(
    config: QbspsConfig,
    ledger: Ledger,
    app: AppCredentials,
    redirect_uri: str,
    receive: ReceiveRedirect,
    *,
    http: requests.Session | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> QboConnection:
    """Run the consent flow once; raises `AuthorizationError` (stored nothing) or returns what was stored."""
    refresh = config.qbo.refresh_token  # read first: a code must not be spent on a broken config
    configured = refresh.resolve() if refresh is not None else None
    own_http = http is None
    http = http or ApiSession(60)
    try:
        endpoints = discover(http, str(config.qbo.discovery_url))
        request = authorization_request(endpoints, app.client_id, redirect_uri)
        grant = read_callback(callback_query(receive(request)), request.state)
        tokens = exchange_code(
            http, endpoints.token_endpoint, app.client_id, app.client_secret, grant, redirect_uri, now=now
        )
        vault = LedgerTokenVault(ledger, grant.realm_id, configured)
        vault.replace(tokens)  # the user reconnected: this family supersedes the stored one
        token_source = QboTokenSource(http, endpoints.token_endpoint, app.client_id, app.client_secret, vault)
        company = _company_name(config, grant.realm_id, token_source, http)
        connection = QboConnection(grant.realm_id, app.client_id, app.client_secret, now(), company)
        store_qbo_connection(ledger, connection)
        return connection
    finally:
        if own_http:
            http.close()


def connect_sps(
    config: QbspsConfig, ledger: Ledger, app: AppCredentials, *, retry: RetryPolicy | None = None
) -> SpsConnection:
    """Prove the credentials (raises `SpsCredentialsError`, storing nothing), then store them."""
    sps = config.sps
    prove_credentials(
        str(sps.api_base_url),
        str(sps.token_url),
        app.client_id,
        app.client_secret,
        audience=sps.audience,
        retry=retry or RetryPolicy(max_attempts=3),
    )
    connection = SpsConnection(app.client_id, app.client_secret, datetime.now(UTC))
    store_sps_connection(ledger, connection)
    return connection


def _company_name(
    config: QbspsConfig, realm_id: str, tokens: QboTokenSource, http: requests.Session
) -> str | None:
    """The company's name, if QBO tells it at once; a connection does not depend on it."""
    client = QboClient(
        str(config.qbo.api_base_url),
        realm_id,
        tokens,
        minor_version=config.qbo.minor_version,
        http=http,
        retry=RetryPolicy(max_attempts=2, max_wait_seconds=2),
    )
    try:
        name = client.read("CompanyInfo", realm_id).get("CompanyName")
    except (QboError, requests.RequestException, KeyError, ValueError):
        return None
    return str(name) if name else None
