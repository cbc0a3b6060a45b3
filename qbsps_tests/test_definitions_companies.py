"""A company's code location (qbsps_orchestration.definitions, attribute NAME) owns its asset keys,
partition sets, pools, run tags and Celery queue under its name; one company alone keeps the bare
names; a process never serves two companies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qbsps_tests.support import REPO, write_company


def describe(companies_dir: Path, *companies: str, env: dict[str, str] | None = None) -> list[dict]:
    environment = {**os.environ, "QBSPS_COMPANIES_DIR": str(companies_dir), **(env or {})}
    for name in ("QBSPS_CONFIG", "QBSPS_COMPANY", "QBSPS_CELERY_QUEUE"):
        if name not in (env or {}):
            environment.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "qbsps_tests.company_definitions", *companies],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture()
def companies_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "companies"
    folder.mkdir()
    write_company(folder, "acme", realm="111", ledger=f"sqlite:///{tmp_path}/acme.db")
    write_company(folder, "globex", realm="222", ledger=f"sqlite:///{tmp_path}/globex.db")
    return folder


def test_a_company_location_owns_everything_under_its_name(companies_dir: Path) -> None:
    [acme] = describe(companies_dir, "acme")
    assert acme["asset_keys"] and all(key.startswith("acme/") for key in acme["asset_keys"])
    assert "acme/qbo_purchase_orders" in acme["asset_keys"]
    assert acme["partition_sets"] == [
        "acme__item_registry_partners",
        "acme__qbo_invoices",
        "acme__sps_purchase_order_files",
    ]
    assert acme["pools"] == ["qbo_api:acme", "qbo_sps_api:acme"]
    assert acme["job_tags"] and all(tags == {"qbsps/company": "acme"} for tags in acme["job_tags"].values())
    assert acme["celery_queue"] == "dagster-acme"


def test_one_process_refuses_a_second_company_by_name(companies_dir: Path) -> None:
    acme, globex = describe(companies_dir, "acme", "globex")
    assert "error" not in acme
    assert "serves company 'acme' and cannot load 'globex'" in globex["error"]


def test_a_worker_started_for_one_company_refuses_another_ones_code(companies_dir: Path) -> None:
    [globex] = describe(companies_dir, "globex", env={"QBSPS_COMPANY": "acme"})
    assert "serves company 'acme' and cannot load 'globex'" in globex["error"]


def test_a_company_without_a_config_file_is_an_error_naming_the_folder(companies_dir: Path) -> None:
    [initech] = describe(companies_dir, "initech")
    assert "no company 'initech'" in initech["error"] and "acme, globex" in initech["error"]
