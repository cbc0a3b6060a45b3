"""Every ledger test runs on SQLite (a temporary file) and on PostgreSQL (a fresh schema per test).

PostgreSQL comes from $QBSPS_TEST_POSTGRES_URL (default: the local trust-auth server). When it is
unreachable the PostgreSQL cases skip with the reason, except under CI, where they fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.secrets import SecretCipher
from qbsps_tests.storage_templates import copy_migrated_sqlite
from qbsps_tests.support import postgres_schema


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    return request.getfixturevalue("postgres_schema_url")


@pytest.fixture
def secret_key() -> str:
    return SecretCipher.generate_key()


@pytest.fixture
def cipher(secret_key: str) -> SecretCipher:
    return SecretCipher([secret_key])


@pytest.fixture
def ledger(ledger_url: str, cipher: SecretCipher) -> Iterator[Ledger]:
    """A migrated, empty ledger; on SQLite a copy of one migrated once per process."""
    url = make_url(ledger_url)
    if url.get_backend_name() == "sqlite" and url.database:
        copy_migrated_sqlite(Path(url.database))
        ledger = Ledger(ledger_url, cipher=cipher)
        ledger.require_upgraded()
    else:
        ledger = Ledger(ledger_url, cipher=cipher)
        ledger.migrate()
    yield ledger
    ledger.close()
