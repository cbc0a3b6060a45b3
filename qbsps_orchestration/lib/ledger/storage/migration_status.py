"""Where a ledger database stands against the migrations, found WITHOUT migrating it (nor, for
SQLite, creating the file): `qbsps doctor` asks, `qbsps db upgrade` applies (`Ledger.migrate`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from .store import MIGRATIONS_DIR


class LedgerUnreachableError(Exception):
    """The database could not be opened; the message never carries the URL's password."""


@dataclass(frozen=True)
class MigrationStatus:
    database: str  # the URL with its password hidden, safe to print
    current: tuple[str, ...]  # revisions stamped in the database; empty when never migrated
    heads: tuple[str, ...]  # what this qbsps migrates to
    exists: bool = True  # False: a SQLite file not created yet

    @property
    def at_head(self) -> bool:
        return self.exists and set(self.current) == set(self.heads)

    @property
    def unknown(self) -> tuple[str, ...]:
        """Stamped revisions this qbsps does not know (the database was migrated by a newer one)."""
        known = {script.revision for script in _scripts().walk_revisions()}
        return tuple(revision for revision in self.current if revision not in known)


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS_DIR))


def shown_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def migration_status(url: str, *, connect_timeout_seconds: int = 10) -> MigrationStatus:
    parsed = make_url(url)
    database = shown_url(url)
    heads = tuple(_scripts().get_heads())
    dialect = parsed.get_backend_name()
    if dialect == "sqlite":
        if not parsed.database or parsed.database == ":memory:" or not Path(parsed.database).exists():
            return MigrationStatus(database, (), heads, exists=False)
        connect_args: dict = {}
    else:
        connect_args = {"connect_timeout": connect_timeout_seconds} if dialect == "postgresql" else {}
    engine = None
    try:
        engine = create_engine(parsed, connect_args=connect_args)
        with engine.connect() as connection:
            current = tuple(MigrationContext.configure(connection).get_current_heads())
    except (SQLAlchemyError, ImportError) as exc:  # ImportError: the URL's database driver is missing
        # The driver's own first line (e.g. "connection refused"); never SQLAlchemy's text with the URL.
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise LedgerUnreachableError(
            f"cannot open the ledger at {database}: {reason[0] if reason else type(exc).__name__}"
        ) from None
    finally:
        if engine is not None:
            engine.dispose()
    return MigrationStatus(database, current, heads)
