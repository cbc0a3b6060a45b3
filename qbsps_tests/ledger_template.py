"""A SQLite ledger migrated once per test process and copied per test: running the migrations
(alembic) for every test's fresh ledger cost more than many of the tests. The copy is checked to
be at this qbsps's migrations when it is opened, as a user's ledger is."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from sqlalchemy.engine import make_url

from qbsps_orchestration.lib.config import QbspsConfig
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.secrets import SecretCipher


@cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="qbsps-ledger-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "ledger.sqlite"
    ledger = Ledger(f"sqlite:///{path}", cipher=SecretCipher([SecretCipher.generate_key()]))
    try:
        ledger.migrate()  # the schema only: no row, so nothing was encrypted with the throwaway key
    finally:
        ledger.close()
    leftovers = sorted(p.name for p in folder.iterdir() if p != path)
    if leftovers:  # the last connection's close folds the WAL into the file; a leftover means it did not
        raise RuntimeError(f"the template ledger left {leftovers} beside it")
    return path


def copy_migrated_sqlite(path: Path) -> Path:
    """A migrated, empty SQLite ledger at ``path`` (which must not exist yet)."""
    if path.exists():
        raise FileExistsError(f"{path} exists: a copied template would replace a ledger")
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template(), path)
    return path


def migrated_ledger(config: QbspsConfig, *, actor: str) -> Ledger:
    """``open_ledger(config, upgrade=True)``, a copy of the template when the config names a
    SQLite file that does not exist yet (other ledgers, e.g. PostgreSQL, are migrated)."""
    url = make_url(config.ledger.url)
    database = url.database
    fresh_file = database not in (None, "", ":memory:") and not Path(database).exists()
    if url.get_backend_name() == "sqlite" and fresh_file:
        copy_migrated_sqlite(Path(database))
        return open_ledger(config, actor=actor)  # checks the copy is at the head revisions
    return open_ledger(config, actor=actor, upgrade=True)
