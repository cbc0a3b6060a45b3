"""The connector's parts built from one config: the ledger and both API clients.

Both the CLI and the Dagster resources build their clients here, so there is one wiring.
"""

from __future__ import annotations

import httpx

from .config import QbspsConfig
from .http import RetryPolicy
from .ledger import Ledger
from .qbo import QboClient, QboTokenSource
from .qbo.vault import LedgerTokenVault
from .secrets import SecretCipher
from .sps import SpsClient


def open_ledger(config: QbspsConfig, *, actor: str = "qbsps", run_id: str | None = None) -> Ledger:
    keys = [key.strip() for key in config.ledger.secret_keys.resolve().split(",") if key.strip()]
    ledger = Ledger(config.ledger.url, cipher=SecretCipher(keys))
    ledger.migrate()
    return ledger.as_actor(actor, run_id)


def sps_client(config: QbspsConfig, *, retry: RetryPolicy | None = None) -> SpsClient:
    sps = config.sps
    return SpsClient(
        str(sps.api_base_url).rstrip("/"),
        str(sps.token_url),
        sps.client_id.resolve(),
        sps.client_secret.resolve(),
        audience=sps.audience,
        retry=retry,
    )


def qbo_client(config: QbspsConfig, ledger: Ledger, *, retry: RetryPolicy | None = None) -> QboClient:
    qbo = config.qbo
    http = httpx.Client(timeout=120)
    vault = LedgerTokenVault(ledger, qbo.realm_id, qbo.refresh_token.resolve())
    tokens = QboTokenSource(
        http, str(qbo.token_url), qbo.client_id.resolve(), qbo.client_secret.resolve(), vault, retry=retry
    )
    return QboClient(
        str(qbo.api_base_url).rstrip("/"),
        qbo.realm_id,
        tokens,
        minor_version=qbo.minor_version,
        http=http,
        retry=retry,
    )
