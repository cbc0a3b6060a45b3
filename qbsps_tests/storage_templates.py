"""Fresh SQLite storage copied from templates made once per test process: a ledger migrated by
qbsps's migrations (alembic), and a Dagster instance's storage (its runs, event log index and
schedules databases). Creating either anew cost more than many of the tests that use it
(0.15-0.2 s a ledger, 1.2 s a Dagster instance; a copy takes a millisecond). A copied ledger is
checked to be at this qbsps's migrations when it is opened, as a user's ledger is."""

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


def _template_folder(kind: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"qbsps-{kind}-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@cache
def _template() -> Path:
    folder = _template_folder("ledger")
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


@cache
def _dagster_template() -> Path:
    import dagster as dg  # here: most users of this module never start Dagster

    home = _template_folder("dagster") / "home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        instance.get_runs()  # every storage is created and stamped on the way in
    return home


def copy_dagster_sqlite_home(home: Path) -> Path:
    """``home`` (absent or empty) holding a Dagster instance's SQLite storage, created and
    stamped; ``dg.instance_for_test(temp_dir=home)`` then opens it instead of creating it."""
    if home.exists() and any(home.iterdir()):
        raise FileExistsError(f"{home} is not empty: copied storage would replace what is there")
    shutil.copytree(_dagster_template(), home, dirs_exist_ok=True)
    return home
