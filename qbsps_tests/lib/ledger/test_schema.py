"""The migration builds exactly the ORM schema, from empty, on both backends."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from qbsps_orchestration.lib.ledger import LEDGER_URL_ENV, Ledger, default_ledger_url
from qbsps_orchestration.lib.ledger.storage.models import Base

TABLES = {
    "documents",
    "document_versions",
    "audit_events",
    "cursors",
    "credentials",
    "sync_intents",
    "received_files",
    "change_inbox",
    "sequences",
    "reference_entities",
    "item_links",
    "request_claims",
    "alerts",
}


def test_migrate_from_empty_then_again_is_a_no_op(ledger_url: str) -> None:
    ledger = Ledger(ledger_url)
    engine = create_engine(ledger_url)
    try:
        assert not TABLES & set(inspect(engine).get_table_names())
        ledger.migrate()
        ledger.migrate()
        assert TABLES | {"alembic_version"} <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        assert head == "0008_alerts"
    finally:
        engine.dispose()
        ledger.close()


def test_orm_metadata_and_migration_agree(ledger: Ledger, ledger_url: str) -> None:
    engine = create_engine(ledger_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_datetimes_come_back_timezone_aware_utc(ledger: Ledger) -> None:
    outcome = ledger.record_inbound("Order", "P1", "PO-1", b"<Order/>")
    doc = ledger.document(outcome.document_id)
    version = ledger.version(outcome.version_id)
    for value in (doc.created_at, doc.updated_at, version.received_at, ledger.audit_trail(doc.id)[0].at):
        assert value.tzinfo is not None and value.utcoffset() == UTC.utcoffset(None)


def test_audit_events_are_append_only_in_the_database(ledger: Ledger, ledger_url: str) -> None:
    outcome = ledger.record_inbound("Order", "P1", "PO-1", b"<Order/>")
    engine = create_engine(ledger_url)
    try:
        for statement in ("UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))
    finally:
        engine.dispose()
    assert [event.actor for event in ledger.audit_trail(outcome.document_id)] == ["qbsps"]


def test_default_url_is_a_local_sqlite_file_unless_configured(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(LEDGER_URL_ENV, raising=False)
    monkeypatch.setenv("QBSPS_HOME", str(tmp_path / "home"))
    assert default_ledger_url() == f"sqlite:///{tmp_path / 'home' / 'ledger.sqlite'}"
    monkeypatch.setenv(LEDGER_URL_ENV, "postgresql+psycopg2://qbsps:s3cret@db/ledger")
    assert default_ledger_url() == "postgresql+psycopg2://qbsps:s3cret@db/ledger"
    ledger = Ledger()
    try:
        assert "s3cret" not in repr(ledger) and ledger.dialect == "postgresql"
    finally:
        ledger.close()
