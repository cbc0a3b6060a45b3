"""Alembic environment: runs on the connection `Store.migrate()` passes in (no alembic.ini needed).

To write a new migration: `alembic -c <ini with script_location = this folder> revision --autogenerate`
against a database at head; `Ledger.migrate()` applies it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from qbsps_orchestration.lib.ledger.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",  # type: ignore[attr-defined]
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # the alembic command line, with sqlalchemy.url set in its ini
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as own_connection:
        _run(own_connection)
