"""The connector's parts built from one config: the ledger and both API clients.

Both the CLI and the Dagster resources build their clients here, so there is one wiring. Each
credential (and the QBO company) comes from the config when it names one, else from what
`qbsps connect` stored encrypted in the ledger (lib/connections.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from .config import CredentialSource, QbspsConfig
from .connections import load_qbo_connection, load_sps_connection
from .http import ApiSession, RetryPolicy
from .ledger import Ledger
from .qbo import QboClient, QboTokenSource
from .qbo.limiter import shared_qbo_limiters
from .qbo.vault import LedgerTokenVault
from .secrets import SecretCipher
from .sps import SpsClient

QBO_NOT_CONNECTED = "QuickBooks is not connected: run qbsps connect quickbooks"
SPS_NOT_CONNECTED = "SPS is not connected: run qbsps connect sps"

T = TypeVar("T")


class NotConnectedError(Exception):
    """An API has credentials neither in the config nor in the ledger; names the command to run."""


def open_ledger(
    config: QbspsConfig, *, actor: str = "qbsps", run_id: str | None = None, upgrade: bool = False
) -> Ledger:
    """The ledger, checked to be at this qbsps's migrations (LedgerNotUpgradedError names `qbsps db
    upgrade` otherwise). Only setup (`qbsps db upgrade`, the demo, the dev stack) passes
    ``upgrade``: runs, sensor ticks and commands never take the schema lock."""
    keys = [key.strip() for key in config.ledger.secret_keys.resolve().split(",") if key.strip()]
    ledger = Ledger(config.ledger.url, cipher=SecretCipher(keys))
    try:
        if upgrade:
            ledger.migrate()
        else:
            ledger.require_upgraded()
    except Exception:
        ledger.close()
        raise
    return ledger.as_actor(actor, run_id)


def connected_config(config: QbspsConfig, ledger: Ledger | None = None) -> QbspsConfig:
    """The config with ``qbo.realm_id`` filled in from the stored connection when the file names
    no company, so everything that reads the realm from the config sees the connected one.
    Unchanged when the file names one or nothing is connected yet."""
    if config.qbo.realm_id is not None:
        return config
    connection = _from_ledger(config, ledger, load_qbo_connection)
    if connection is None:
        return config
    qbo = config.qbo.model_copy(update={"realm_id": connection.realm_id})
    return config.model_copy(update={"qbo": qbo})


def retry_policy(config: QbspsConfig) -> RetryPolicy:
    http = config.http
    return RetryPolicy(
        max_attempts=http.max_attempts,
        base_seconds=http.backoff_base_seconds,
        max_wait_seconds=http.backoff_max_seconds,
    )


def sps_client(
    config: QbspsConfig, *, retry: RetryPolicy | None = None, ledger: Ledger | None = None
) -> SpsClient:
    """`ledger` is only read when the config lacks a credential (else one is opened briefly)."""
    sps = config.sps
    client_id, client_secret = _resolved(sps.client_id), _resolved(sps.client_secret)
    if client_id is None or client_secret is None:
        stored = _from_ledger(config, ledger, load_sps_connection)
        if stored is None:
            raise NotConnectedError(SPS_NOT_CONNECTED)
        client_id = client_id or stored.client_id
        client_secret = client_secret or stored.client_secret
    return SpsClient(
        str(sps.api_base_url).rstrip("/"),
        str(sps.token_url),
        client_id,
        client_secret,
        audience=sps.audience,
        retry=retry or retry_policy(config),
        timeout=config.http.timeout_seconds,
    )


def qbo_client(config: QbspsConfig, ledger: Ledger, *, retry: RetryPolicy | None = None) -> QboClient:
    qbo = config.qbo
    needs_stored = qbo.realm_id is None or qbo.client_id is None or qbo.client_secret is None
    stored = load_qbo_connection(ledger) if needs_stored else None
    realm_id = qbo.realm_id or (stored.realm_id if stored else None)
    client_id = _resolved(qbo.client_id) or (stored.client_id if stored else None)
    client_secret = _resolved(qbo.client_secret) or (stored.client_secret if stored else None)
    if realm_id is None or client_id is None or client_secret is None:
        raise NotConnectedError(QBO_NOT_CONNECTED)
    configured = _resolved(qbo.refresh_token)
    vault = LedgerTokenVault(ledger, realm_id, configured)
    if configured is None and not vault.has_tokens():
        # E.g. the config pins a company other than the one `connect` stored.
        raise NotConnectedError(
            f"QuickBooks company {realm_id} is not connected: run qbsps connect quickbooks"
            if qbo.realm_id
            else QBO_NOT_CONNECTED
        )
    retry = retry or retry_policy(config)
    http = ApiSession(config.http.timeout_seconds)
    tokens = QboTokenSource(
        http,
        str(qbo.token_url),
        client_id,
        client_secret,
        vault,
        retry=replace(retry, max_attempts=min(3, retry.max_attempts)),  # a refresh: fewer tries
        request_timeout_seconds=min(30.0, config.http.timeout_seconds),
    )
    # The throttle budget lives in the ledger: every worker of this company draws from the same one.
    requests_limiter, batch_limiter = shared_qbo_limiters(ledger, realm_id)
    return QboClient(
        str(qbo.api_base_url).rstrip("/"),
        realm_id,
        tokens,
        minor_version=qbo.minor_version,
        http=http,
        retry=retry,
        limiter=requests_limiter,
        batch_limiter=batch_limiter,
    )


def _resolved(source: CredentialSource | None) -> str | None:
    return source.resolve() if source is not None else None


def _from_ledger(config: QbspsConfig, ledger: Ledger | None, load: Callable[[Ledger], T]) -> T:
    if ledger is not None:
        return load(ledger)
    opened = open_ledger(config, actor="qbsps")
    try:
        return load(opened)
    finally:
        opened.close()
