"""Real Dagster instances for the inbound tests: SQLite under a temp DAGSTER_HOME, and PostgreSQL
through the production instance file in the repo (deploy/dagster.postgres.yaml) with the ledger on
PostgreSQL too. The PostgreSQL cases skip when the server is absent, except under CI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml

from qbsps_tests.sandboxed import SandboxedConnector, sandboxed_connector
from qbsps_tests.storage_templates import copy_dagster_sqlite_home
from qbsps_tests.support import REPO, postgres_database, postgres_schema


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def storage(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture()
def instance(storage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.DagsterInstance]:
    home = tmp_path / "dagster"
    home.mkdir()
    if storage == "sqlite":
        copy_dagster_sqlite_home(home)  # created once per process, copied: 1.2 s less per test
        with dg.instance_for_test(temp_dir=str(home)) as sqlite_instance:
            yield sqlite_instance
        return
    with postgres_database() as database:
        for name, value in {
            "USERNAME": "postgres",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "DB": database,
            "PORT": "5432",
        }.items():
            monkeypatch.setenv(f"DAGSTER_PG_{name}", value)
        production = yaml.safe_load((REPO / "deploy" / "dagster.postgres.yaml").read_text())
        with dg.instance_for_test(
            overrides={"storage": production["storage"]}, temp_dir=str(home)
        ) as postgres_instance:
            yield postgres_instance


@pytest.fixture()
def inbound(storage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxedConnector]:
    """An empty-mailbox sandbox; the ledger on the same kind of storage as Dagster."""
    if storage == "sqlite":
        with sandboxed_connector(tmp_path, monkeypatch, samples=False) as running:
            yield running
        return
    with (
        postgres_schema() as url,
        sandboxed_connector(tmp_path, monkeypatch, samples=False, ledger_url=url) as running,
    ):
        yield running
