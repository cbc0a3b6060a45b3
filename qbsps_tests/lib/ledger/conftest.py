"""Every ledger test runs on SQLite (a temporary file) and on PostgreSQL (a fresh schema per test).

PostgreSQL comes from $QBSPS_TEST_POSTGRES_URL (default: the local trust-auth server). When it is
unreachable the PostgreSQL cases skip with the reason, except under CI, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.secrets import SecretCipher

POSTGRES_URL = os.environ.get("QBSPS_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


@cache
def postgres_unavailable_reason() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure to reach it is a reason to skip, reported verbatim
        where = make_url(POSTGRES_URL).render_as_string(hide_password=True)
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return f"PostgreSQL at {where} unreachable: {first_line}"
    return None


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    if reason := postgres_unavailable_reason():
        if os.environ.get("CI"):
            pytest.fail(f"CI requires PostgreSQL: {reason}")
        pytest.skip(reason)
    schema = f"qbsps_ledger_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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
    ledger = Ledger(ledger_url, cipher=cipher)
    ledger.migrate()
    yield ledger
    ledger.close()
