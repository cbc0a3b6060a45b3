"""Where a ledger stands against the migrations, read without migrating it (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect

from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.ledger.storage.migration_status import LedgerUnreachableError, migration_status
from qbsps_orchestration.lib.ledger.storage.store import MIGRATIONS_DIR
from qbsps_orchestration.lib.secrets import SecretCipher
from qbsps_tests.lib.doctor.doctor_world import closed_port

HEAD = "0008_alerts"


def _migrate_to(url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_never_migrated_then_behind_then_at_head(ledger_url: str) -> None:
    empty = migration_status(ledger_url)
    assert empty.heads == (HEAD,) and not empty.at_head and empty.unknown == ()
    assert empty.current == ()
    _migrate_to(ledger_url, "0004_reference_snapshots")
    behind = migration_status(ledger_url)
    assert (behind.current, behind.at_head) == (("0004_reference_snapshots",), False)
    assert "item_links" not in _tables(ledger_url)  # looking changed nothing
    ledger = Ledger(ledger_url)
    ledger.migrate()
    ledger.close()
    assert migration_status(ledger_url).at_head


def test_a_missing_sqlite_file_is_reported_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "ledger.db"
    status = migration_status(f"sqlite:///{path}")
    assert (status.exists, status.at_head, status.current) == (False, False, ())
    assert not path.parent.exists()


def test_a_revision_this_qbsps_does_not_know(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    _migrate_to(url, "head")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    engine.dispose()
    status = migration_status(url)
    assert status.unknown == ("0099_from_the_future",) and not status.at_head


def test_an_unreachable_server_names_the_database_but_not_its_password() -> None:
    url = f"postgresql+psycopg2://qbsps:hunter2-secret@127.0.0.1:{closed_port()}/ledger"
    with pytest.raises(LedgerUnreachableError) as caught:
        migration_status(url, connect_timeout_seconds=2)
    message = str(caught.value)
    assert message.startswith("cannot open the ledger at postgresql+psycopg2://qbsps:***@127.0.0.1:")
    assert "hunter2-secret" not in message and "Connection refused" in message


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    path.write_bytes(b"definitely not sqlite" * 100)
    with pytest.raises(LedgerUnreachableError, match="file is not a database"):
        migration_status(f"sqlite:///{path}")


def test_opening_never_migrates_it_names_qbsps_db_upgrade(ledger_url: str, tmp_path: Path) -> None:
    """Runs, sensor ticks and commands only look (issue 10, item 6): the schema lock is taken by
    `qbsps db upgrade` alone."""
    from qbsps_orchestration.lib.connector import open_ledger
    from qbsps_orchestration.lib.ledger import LedgerNotUpgradedError
    from qbsps_tests.support import offline_config

    partner = {"trading_partner_id": "TP", "name": "T", "vendor_number": "V1", "rsx_format": "json"}
    partner |= {"qbo_vendor": {"id": "1"}, "qbo_customer": {"id": "2"}}
    ledger = {"url": ledger_url, "secret_keys": {"value": SecretCipher.generate_key()}}
    config = offline_config([partner], ledger=ledger)
    _migrate_to(ledger_url, "0004_reference_snapshots")
    with pytest.raises(LedgerNotUpgradedError, match=r"0004_reference_snapshots.*run `qbsps db upgrade`"):
        open_ledger(config)
    assert migration_status(ledger_url).current == ("0004_reference_snapshots",)  # untouched
    open_ledger(config, upgrade=True).close()
    ledger = open_ledger(config)  # at head: opens
    ledger.close()
