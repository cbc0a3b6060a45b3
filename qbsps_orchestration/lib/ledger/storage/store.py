"""Engine, transactions and migrations: the same code on SQLite (embedded default) and PostgreSQL.

SQLite notes: WAL lets readers run beside the single writer; write transactions start with
`BEGIN IMMEDIATE` so two writers queue on the busy timeout instead of failing when a read lock
would have to be upgraded (a deferred transaction cannot wait for that).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

LEDGER_URL_ENV = "QBSPS_LEDGER_URL"
MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"
_BEGIN_OPTION = "qbsps_sqlite_begin"
_BUSY_OPTION = "qbsps_sqlite_busy_ms"
# Arbitrary constant: serialises concurrent `migrate()` calls on one PostgreSQL database.
_MIGRATION_LOCK_KEY = 0x71B5_5EDA

T = TypeVar("T")
# PostgreSQL's SQLSTATEs for a transaction it rolled back to break a deadlock or a serialization
# conflict: the work itself was sound and may simply run again.
_ROLLED_BACK_BY_SERVER = frozenset({"40P01", "40001"})


@cache
def head_revisions() -> tuple[str, ...]:
    """What this qbsps migrates to (read from the migration scripts once per process)."""
    return tuple(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


def default_ledger_url() -> str:
    """$QBSPS_LEDGER_URL, else a SQLite file in the local `.qbsps` folder ($QBSPS_HOME overrides)."""
    if url := os.environ.get(LEDGER_URL_ENV):
        return url
    home = Path(os.environ.get("QBSPS_HOME", ".qbsps"))
    return f"sqlite:///{(home / 'ledger.sqlite').resolve()}"


def _prepare_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        # Per transaction, so a lock taken with a short wait does not shorten later waits.
        busy_ms = int(options.get(_BUSY_OPTION, busy_timeout_ms))
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {busy_ms}")
        connection.exec_driver_sql(f"BEGIN {options.get(_BEGIN_OPTION, 'DEFERRED')}")


def _worth_another_try(exc: IntegrityError | OperationalError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    return getattr(exc.orig, "pgcode", None) in _ROLLED_BACK_BY_SERVER


class Store:
    """Owns the engine and hands out read and write sessions."""

    def __init__(self, url: str, *, busy_timeout_seconds: float = 30.0) -> None:
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(parsed, pool_pre_ping=self.dialect != "sqlite")
        if self.dialect == "sqlite":
            _prepare_sqlite(self.engine, int(busy_timeout_seconds * 1000))
        writer = self.engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        self._write = sessionmaker(writer, expire_on_commit=False)
        self._read = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def shown_url(self) -> str:
        """The URL with its password hidden, safe to print."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._write() as session, session.begin():
            yield session

    def write_session(self, wait_seconds: float | None = None) -> Session:
        """A bare write session for callers that must control commit themselves (row locks).

        `wait_seconds` bounds how long SQLite waits for the write lock (PostgreSQL: use lock_timeout).
        """
        if wait_seconds is None or not self.is_sqlite:
            return self._write()
        bind = self.engine.execution_options(
            **{_BEGIN_OPTION: "IMMEDIATE", _BUSY_OPTION: int(wait_seconds * 1000)}
        )
        return Session(bind, expire_on_commit=False)

    def write_retrying(self, work: Callable[[Session], T], attempts: int = 3) -> T:
        """Run `work` in one transaction; when a concurrent writer wins a unique key, run it again.

        The second run sees the winner's row and takes the "already exists" path, so two processes
        recording the same document never create two rows. A transaction PostgreSQL chose as a
        deadlock or serialization victim was rolled back whole, so it is run again the same way.
        """
        for attempt in range(1, attempts + 1):
            try:
                with self.write() as session:
                    return work(session)
            except (IntegrityError, OperationalError) as exc:
                if attempt == attempts or not _worth_another_try(exc):
                    raise
        raise AssertionError("unreachable")

    def migrate(self) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
        config.set_main_option("path_separator", "os")
        immediate = self.engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        with immediate.connect() as connection, connection.begin():
            if self.dialect == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def current_revisions(self) -> tuple[str, ...]:
        """The migration revisions stamped in the database (empty: never upgraded). One small read."""
        with self.engine.connect() as connection:
            return tuple(MigrationContext.configure(connection).get_current_heads())

    def dispose(self) -> None:
        self.engine.dispose()
