"""One deployment serving two companies: one Dagster instance on PostgreSQL (deploy/dagster.postgres.yaml),
and per company its own sandbox (a QBO company with its realm, an SPS account, QBO's throttle on),
its own config in one companies folder and its ledger in its own schema of the same server. Runs
are launched the way a run worker executes them, each from its company's code location
(``-m qbsps_orchestration.definitions -a <company>``)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from qbsps_orchestration.dagster_support.names import QBO_API, RANGE_END, RANGE_START, SPS_API, api_pool
from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.sandbox.runtime import Sandbox
from qbsps_orchestration.sandbox.settings import QboSandboxSettings, SandboxSettings, SpsSandboxSettings
from qbsps_tests.sandboxed import SandboxedConnector
from qbsps_tests.storage_templates import migrated_ledger
from qbsps_tests.support import POSTGRES_URL, REPO, postgres_database

from .deployment import DAGSTER, RUN_SECONDS, production_dagster_home

# Two QBO companies; the first is the sandbox's default realm.
REALMS = {"acme": "9341455130298576", "globex": "4620816365183215940"}


@dataclass
class Company:
    name: str
    connector: SandboxedConnector
    schema: str  # the ledger's schema on the deployment's database

    @property
    def box(self) -> Sandbox:
        return self.connector.box


@dataclass
class CompaniesDeployment:
    home: Path
    env: dict[str, str]
    database: str
    companies: dict[str, Company]

    @property
    def database_url(self) -> str:
        return make_url(POSTGRES_URL).set(database=self.database).render_as_string(hide_password=False)

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(str(self.home))

    def launch(self, company: str, job: str, partitions: list[str]) -> subprocess.Popen[bytes]:
        """One run of a company's job over a range of its partitions, from its code location."""
        tags = {RANGE_START: partitions[0], RANGE_END: partitions[-1]}
        command = [DAGSTER, "job", "execute", "-m", "qbsps_orchestration.definitions", "-a", company]
        with (self.home / f"run-{company}.log").open("wb") as out:
            return subprocess.Popen(
                [*command, "-j", job, "--tags", json.dumps(tags)],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait(self, runs: dict[str, subprocess.Popen[bytes]]) -> None:
        for company, process in runs.items():
            try:
                code = process.wait(timeout=RUN_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                code = None
            log = (self.home / f"run-{company}.log").read_text(errors="replace")[-4000:]
            assert code == 0, f"{company}'s run ended with {code}:\n{log}"


@contextmanager
def two_companies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CompaniesDeployment]:
    with postgres_database() as database, ExitStack() as stack:
        url = make_url(POSTGRES_URL).set(database=database)
        engine = create_engine(url)
        with engine.begin() as connection:
            for name in REALMS:
                connection.execute(text(f'CREATE SCHEMA "ledger_{name}"'))
        engine.dispose()
        folder = tmp_path / "companies"
        folder.mkdir()
        companies: dict[str, Company] = {}
        for name, realm in REALMS.items():
            settings = SandboxSettings(
                qbo=QboSandboxSettings(realm_id=realm, throttle=True),
                sps=SpsSandboxSettings(samples_dir=None, seed=False),
            )
            box = stack.enter_context(Sandbox(settings))
            config_path = _company_config(box, tmp_path / name, folder / f"{name}.yaml", url, name)
            config = load_config(config_path)
            connector = SandboxedConnector(box, config_path, config, migrated_ledger(config, actor="test"))
            stack.callback(connector.close)
            companies[name] = Company(name, connector, f"ledger_{name}")
        env = {
            **os.environ,
            **production_dagster_home(tmp_path / "dagster", database),
            "QBSPS_COMPANIES_DIR": str(folder),
        }
        for variable in ("QBSPS_CONFIG", "QBSPS_COMPANY", "QBSPS_CELERY_BROKER_URL"):
            env.pop(variable, None)  # each run finds its company by its code location alone
        for variable, value in env.items():
            if variable.startswith("DAGSTER_PG_"):  # this process opens the instance too
                monkeypatch.setenv(variable, value)
        with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
            instance.get_runs()  # the storage is created here, not raced by the two first runs
            for name in REALMS:  # each company's pools, set before any run (see deployment.py)
                for apis in ({QBO_API}, {QBO_API, SPS_API}, {SPS_API}):
                    instance.event_log_storage.set_concurrency_slots(api_pool(apis, name), 1)
        yield CompaniesDeployment(tmp_path / "dagster", env, database, companies)


def _company_config(box: Sandbox, scratch: Path, target: Path, database_url: URL, name: str) -> Path:
    """The sandbox's config for one company, its ledger in its own schema, saved as NAME.yaml."""
    written = scratch / "qbsps.yaml"
    box.write_config(written)
    data = yaml.safe_load(written.read_text())
    ledger = database_url.update_query_dict({"options": f"-csearch_path=ledger_{name}"})
    data["ledger"]["url"] = ledger.render_as_string(hide_password=False)
    data["ledger"]["secret_keys"] = {"file": str(scratch / data["ledger"]["secret_keys"]["file"])}
    target.write_text(yaml.safe_dump(data, sort_keys=False))
    target.chmod(0o600)
    return target
