"""`qbsps status` in a deployment of several companies names the company whose ledger it shows."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet

from qbsps_tests.in_process import run_qbsps
from qbsps_tests.support import write_company


def test_status_names_the_company_and_its_qbo_company(tmp_path: Path) -> None:
    folder = tmp_path / "companies"
    folder.mkdir()
    for name, realm in (("acme", "111"), ("globex", "222")):
        write_company(folder, name, realm=realm, ledger=f"sqlite:///{tmp_path}/{name}.db")
    env = {
        **os.environ,
        "QBSPS_COMPANIES_DIR": str(folder),
        "QBSPS_SECRET_KEYS": Fernet.generate_key().decode(),
    }
    for variable in ("QBSPS_CONFIG", "QBSPS_COMPANY", "QBSPS_LEDGER_URL"):
        env.pop(variable, None)
    for name in ("acme", "globex"):
        assert run_qbsps(["--company", name, "db", "upgrade"], env=env).returncode == 0
    shown = run_qbsps(["--company", "globex", "status"], env=env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("Company globex (QBO company 222)\n"), shown.stdout
    assert "Documents by state:" in shown.stdout
    single = run_qbsps(["status", "--config", str(folder / "acme.yaml")], env=env)
    assert single.returncode == 0 and not single.stdout.startswith("Company"), single.stdout
