"""What `qbsps connect` stored in the ledger: which QBO company, and each API's app credentials.

Each record is one encrypted secret (JSON), so the config file never has to hold a credential.
The QBO tokens themselves live beside them in the token vault (``qbo.tokens.{realm}``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from .ledger import Ledger, SecretNotFoundError

QBO_CONNECTION = "qbo.connection"
SPS_CONNECTION = "sps.connection"


@dataclass(frozen=True)
class QboConnection:
    realm_id: str
    client_id: str
    client_secret: str
    connected_at: datetime
    company_name: str | None = None

    def __repr__(self) -> str:  # the client secret is a secret
        return f"QboConnection(realm_id={self.realm_id!r}, connected_at={self.connected_at.isoformat()})"


@dataclass(frozen=True)
class SpsConnection:
    client_id: str
    client_secret: str
    connected_at: datetime

    def __repr__(self) -> str:
        return f"SpsConnection(connected_at={self.connected_at.isoformat()})"


def store_qbo_connection(ledger: Ledger, connection: QboConnection) -> None:
    ledger.credentials.store(QBO_CONNECTION, _dumps(connection))


def load_qbo_connection(ledger: Ledger) -> QboConnection | None:
    data = _loads(ledger, QBO_CONNECTION)
    return None if data is None else QboConnection(**data)


def store_sps_connection(ledger: Ledger, connection: SpsConnection) -> None:
    ledger.credentials.store(SPS_CONNECTION, _dumps(connection))


def load_sps_connection(ledger: Ledger) -> SpsConnection | None:
    data = _loads(ledger, SPS_CONNECTION)
    return None if data is None else SpsConnection(**data)


def _dumps(connection: QboConnection | SpsConnection) -> str:
    data = asdict(connection)
    data["connected_at"] = connection.connected_at.isoformat()
    return json.dumps(data)


def _loads(ledger: Ledger, name: str) -> dict | None:
    try:
        data = json.loads(ledger.credentials.load(name))
    except SecretNotFoundError:
        return None
    data["connected_at"] = datetime.fromisoformat(data["connected_at"])
    return data
