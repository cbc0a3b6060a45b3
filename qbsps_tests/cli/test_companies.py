"""`qbsps companies`, the `--company` option, and `qbsps webhooks serve --all-companies`: one
deployment's companies folder as an operator works with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import yaml
from cryptography.fernet import Fernet

from qbsps_orchestration.lib.config import load_config
from qbsps_orchestration.lib.connections import QboConnection, store_qbo_connection
from qbsps_orchestration.lib.connector import open_ledger
from qbsps_orchestration.lib.webhooks import SIGNATURE_HEADER, signature_of
from qbsps_tests.in_process import run_qbsps
from qbsps_tests.lib.webhooks.receiver_process import QBSPS, start_receiver
from qbsps_tests.support import REPO, write_company

REALMS = {"acme": "111", "globex": "222"}
TOKEN = "one-intuit-app-verifier-token"


@pytest.fixture()
def deployment_env(tmp_path: Path) -> dict[str, str]:
    folder = tmp_path / "companies"
    folder.mkdir()
    for name, realm in REALMS.items():
        write_company(
            folder, name, realm=realm, ledger=f"sqlite:///{tmp_path}/{name}.db", verifier_token=TOKEN
        )
    env = {
        **os.environ,
        "QBSPS_COMPANIES_DIR": str(folder),
        "QBSPS_SECRET_KEYS": Fernet.generate_key().decode(),
    }
    for name in ("QBSPS_CONFIG", "QBSPS_COMPANY", "QBSPS_LEDGER_URL"):
        env.pop(name, None)
    return env


def test_list_names_each_company_its_qbo_company_ledger_and_partners(deployment_env: dict[str, str]) -> None:
    listed = run_qbsps(["companies", "list"], env=deployment_env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["acme", "globex"]
    assert "QBO company 111" in lines[0] and "acme.db" in lines[0] and "partners SPSALLTESTID" in lines[0]
    assert run_qbsps(["companies", "list", "--names"], env=deployment_env).stdout == "acme\nglobex\n"


def test_check_passes_and_then_refuses_two_companies_on_one_ledger(deployment_env: dict[str, str]) -> None:
    checked = run_qbsps(["companies", "check"], env=deployment_env)
    assert (checked.returncode, checked.stdout) == (0, "ok: 2 companies, each with its own ledger\n")
    folder = Path(deployment_env["QBSPS_COMPANIES_DIR"])
    shared = load_config(folder / "acme.yaml").ledger.url
    write_company(folder, "initech", realm="333", ledger=shared)
    refused = run_qbsps(["companies", "check"], env=deployment_env)
    assert refused.returncode == 1
    assert refused.stdout.startswith("acme, initech: share the ledger sqlite:///")
    workspace = run_qbsps(["companies", "workspace"], env=deployment_env)
    assert workspace.returncode == 1 and "fix the companies first" in workspace.stderr


def test_company_selects_its_own_ledger_and_refuses_a_config_beside_it(
    deployment_env: dict[str, str], tmp_path: Path
) -> None:
    upgraded = run_qbsps(["--company", "globex", "db", "upgrade"], env=deployment_env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "globex.db").exists() and not (tmp_path / "acme.db").exists()
    both = run_qbsps(
        ["--company", "acme", "status", "--config", str(tmp_path / "x.yaml")], env=deployment_env
    )
    assert both.returncode == 2 and "give --company or --config, not both" in both.stderr
    unknown = run_qbsps(["--company", "initech", "status"], env=deployment_env)
    assert unknown.returncode == 1 and "no company 'initech'" in unknown.stderr


@pytest.mark.long
def test_the_workspace_loads_one_code_location_per_company_side_by_side(
    deployment_env: dict[str, str], tmp_path: Path
) -> None:
    """What the webserver and the daemon load with -w: each location in its own process."""
    printed = run_qbsps(["companies", "workspace"], env=deployment_env)
    assert printed.returncode == 0, printed.stderr
    locations = yaml.safe_load(printed.stdout)["load_from"]
    assert [entry["python_module"]["location_name"] for entry in locations] == ["acme", "globex"]
    (tmp_path / "workspace.yaml").write_text(printed.stdout)
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    dagster = str(Path(sys.executable).parent / "dagster")
    result = subprocess.run(
        [dagster, "definitions", "validate", "--load-with-grpc", "-w", str(tmp_path / "workspace.yaml")],
        cwd=REPO,
        env={**deployment_env, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "acme" in output and "globex" in output


def test_one_receiver_serves_every_company_each_event_into_its_own_ledger(
    deployment_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = Path(deployment_env["QBSPS_COMPANIES_DIR"])
    upgraded = run_qbsps(["db", "upgrade", "--all-companies"], env=deployment_env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert [line.split(": ")[0] for line in upgraded.stdout.splitlines()] == ["acme", "globex"]
    assert "upgraded from an empty database" in upgraded.stdout
    body = json.dumps(
        [
            {
                "specversion": "1.0",
                "id": f"ev-{realm}-{entity_id}",
                "source": "intuit.companies-test",
                "type": "qbo.invoice.updated.v1",
                "time": "2026-03-02T15:30:07.000Z",
                "intuitentityid": entity_id,
                "intuitaccountid": realm,
                "data": {},
            }
            for realm, entity_id in (("111", "41"), ("222", "42"), ("999", "43"))
        ]
    ).encode()
    proc, url = start_receiver(["--all-companies"], deployment_env)
    try:
        answer = requests.post(
            url, data=body, headers={SIGNATURE_HEADER: signature_of(body, TOKEN)}, timeout=10
        )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert answer.json() == {"received": 3, "new": 2, "ignored": 1}
    monkeypatch.setenv("QBSPS_SECRET_KEYS", deployment_env["QBSPS_SECRET_KEYS"])
    for name, realm in REALMS.items():
        ledger = open_ledger(load_config(folder / f"{name}.yaml"))
        try:
            assert [(row.realm_id, row.entity_id) for row in ledger.pending_changes()] == [
                (realm, "41" if name == "acme" else "42")
            ]
        finally:
            ledger.close()


def test_the_receiver_refuses_companies_of_different_intuit_apps(deployment_env: dict[str, str]) -> None:
    folder = Path(deployment_env["QBSPS_COMPANIES_DIR"])
    write_company(folder, "initech", realm="333", ledger="sqlite:///initech.db", verifier_token="another-app")
    refused = subprocess.run(
        [QBSPS, "webhooks", "serve", "--all-companies", "--port", "0"],
        env=deployment_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1 and "different qbo.webhook_verifier_token values" in refused.stderr


def _connect(config_path: Path, realm: str, env: dict[str, str]) -> None:
    """What `qbsps connect quickbooks` leaves in the company's ledger: its QBO company, encrypted."""
    os.environ["QBSPS_SECRET_KEYS"] = env["QBSPS_SECRET_KEYS"]
    try:
        ledger = open_ledger(load_config(config_path))
        try:
            store_qbo_connection(
                ledger, QboConnection(realm, "client-id", "client-secret", datetime.now(UTC))
            )
        finally:
            ledger.close()
    finally:
        del os.environ["QBSPS_SECRET_KEYS"]


def test_check_refuses_two_companies_connected_to_one_qbo_company(deployment_env: dict[str, str]) -> None:
    """A realm that only `qbsps connect` knows (stored in the company's ledger) is compared too; a
    ledger that cannot be read for it is named, and the check goes on."""
    folder = Path(deployment_env["QBSPS_COMPANIES_DIR"])
    for name in REALMS:  # configs that name no QBO company
        data = yaml.safe_load((folder / f"{name}.yaml").read_text())
        del data["qbo"]["realm_id"]
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(data))
    new = run_qbsps(["companies", "check"], env=deployment_env)
    assert new.returncode == 0, new.stderr
    assert new.stdout.splitlines()[0].startswith("acme: ledger sqlite:///")
    assert (
        "does not exist yet (qbsps db upgrade): the QBO company it is connected to is not checked"
        in new.stdout
    )
    assert not list(folder.parent.glob("*.db"))  # checking created no ledger
    upgraded = run_qbsps(["db", "upgrade", "--all-companies"], env=deployment_env)
    assert upgraded.returncode == 0, upgraded.stderr
    for name in REALMS:
        _connect(folder / f"{name}.yaml", "9130000000000001", deployment_env)
    refused = run_qbsps(["companies", "check"], env=deployment_env)
    assert refused.returncode == 1
    assert refused.stdout == "acme, globex: are connected to the same QBO company (realm 9130000000000001)\n"
    # A third company naming that realm in its config collides with the connected ones as well.
    write_company(folder, "initech", realm="9130000000000001", ledger=f"sqlite:///{folder.parent}/initech.db")
    assert (
        "acme, globex, initech: are connected" in run_qbsps(["companies", "check"], env=deployment_env).stdout
    )
    (folder / "initech.yaml").unlink()
    _connect(folder / "globex.yaml", "9130000000000002", deployment_env)  # globex reconnected to its own
    checked = run_qbsps(["companies", "check"], env=deployment_env)
    assert (checked.returncode, checked.stdout) == (0, "ok: 2 companies, each with its own ledger\n")
    # Another key cannot read the stored connections: named, not a crash.
    other_key = {**deployment_env, "QBSPS_SECRET_KEYS": Fernet.generate_key().decode()}
    unread = run_qbsps(["companies", "check"], env=other_key)
    assert unread.returncode == 0, unread.stderr
    assert [line.split(":")[0] for line in unread.stdout.splitlines()] == ["acme", "globex", "ok"]
    assert "client-secret" not in unread.stdout and "Traceback" not in unread.stderr


def test_check_names_a_ledger_it_cannot_reach(deployment_env: dict[str, str]) -> None:
    folder = Path(deployment_env["QBSPS_COMPANIES_DIR"])
    data = yaml.safe_load((folder / "acme.yaml").read_text())
    del data["qbo"]["realm_id"]
    data["ledger"]["url"] = "postgresql+psycopg2://qbsps:pw-not-shown@127.0.0.1:1/qbsps"  # nothing listens
    (folder / "acme.yaml").write_text(yaml.safe_dump(data))
    checked = run_qbsps(["companies", "check"], env=deployment_env)
    assert checked.returncode == 0, checked.stderr
    [acme, ok] = checked.stdout.splitlines()
    assert acme.startswith(
        "acme: cannot open the ledger at postgresql+psycopg2://qbsps:***@127.0.0.1:1/qbsps"
    )
    assert acme.endswith(": the QBO company it is connected to is not checked") and "pw-not-shown" not in acme
    assert ok == "ok: 2 companies, each with its own ledger; 1 not checked for a shared QBO company (above)"
