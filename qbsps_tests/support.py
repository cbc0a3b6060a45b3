"""Test helpers: optional prerequisites skip locally but are required under CI."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import NoReturn, TypeVar

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[1]


def unavailable(reason: str) -> NoReturn:
    """Skip with the reason; under CI (``CI`` set) the prerequisite is required, so fail."""
    if os.environ.get("CI"):
        pytest.fail(f"required under CI: {reason}")
    pytest.skip(reason)


def shared_dir() -> Path:
    """The read-only reference folder (SPS schemas and samples); never copied into the repo."""
    path = Path(os.environ.get("QBSPS_SHARED_DIR", REPO.parent / "shared"))
    if not (path / "sps_samples").is_dir():
        unavailable(f"SPS samples not found under {path} (set QBSPS_SHARED_DIR)")
    return path


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


def require_postgres() -> None:
    if reason := postgres_unavailable_reason():
        unavailable(reason)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema on the test server; yields a URL whose search_path is that schema."""
    require_postgres()
    schema = f"qbsps_test_{uuid.uuid4().hex[:12]}"
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


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database on the test server (Dagster's storage wants its own); yields its name."""
    require_postgres()
    name = f"qbsps_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def offline_config_data(
    trading_partners: list[dict], items: list[dict] | None = None, **extra: object
) -> dict:
    """A valid config mapping whose endpoints are never called: for pure mapping and builder tests."""
    credentials = {"client_id": {"value": "id"}, "client_secret": {"value": "secret"}}
    return {
        "qbo": {
            "api_base_url": "http://127.0.0.1:8001",
            "token_url": "http://127.0.0.1:8001/oauth2/v1/tokens/bearer",
            "realm_id": "9341455130298576",
            "refresh_token": {"value": "refresh"},
            **credentials,
        },
        "sps": {
            "api_base_url": "http://127.0.0.1:8002",
            "token_url": "http://127.0.0.1:8002/oauth/token",
            **credentials,
        },
        "accounts": {
            "ap_account": {"id": "33"},
            "expense_account": {"id": "80"},
            "income_account": {"id": "79"},
        },
        "trading_partners": trading_partners,
        "items": items or [],
        **extra,
    }


def offline_config(trading_partners: list[dict], items: list[dict] | None = None, **extra: object):  # noqa: ANN201
    from qbsps_orchestration.lib.config import config_from_mapping

    return config_from_mapping(offline_config_data(trading_partners, items, **extra))


OFFLINE_PARTNER = {
    "trading_partner_id": "SPSALLTESTID",
    "name": "SPS All Test Retail",
    "vendor_number": "V1",
    "qbo_vendor": {"id": "56"},
    "qbo_customer": {"id": "58"},
    "rsx_format": "json",
}


def write_company(
    folder: Path, name: str, *, realm: str, ledger: str, verifier_token: str | None = None
) -> Path:
    """NAME.yaml in a companies folder: an offline config of its own QBO company and ledger."""
    data = offline_config_data([OFFLINE_PARTNER])
    data["qbo"]["realm_id"] = realm
    if verifier_token is not None:
        data["qbo"]["webhook_verifier_token"] = {"value": verifier_token}
    data["ledger"] = {"url": ledger}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def wait_for(predicate: Callable[[], T], timeout: float, what: str, *, every: float = 0.2) -> T:
    """The first truthy answer of `predicate` within `timeout` seconds, else a failure naming `what`
    (bounded: live-stack tests never wait forever)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := predicate():
            return found
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
