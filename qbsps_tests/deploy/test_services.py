"""The service definitions in deploy/: the Compose file (its config through `docker compose config`
where the CLI plugin exists, else the YAML itself), the Dockerfile's inputs, the systemd units
(`systemd-analyze verify`) and qbsps.env.example against every variable the services read."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from qbsps_tests.support import REPO

DEPLOY = REPO / "deploy"
LONG_RUNNING = {"dagster-webserver", "dagster-daemon", "webhooks"}
CELERY = {"rabbitmq", "celery-worker"}  # the `celery` profile: started only when asked for
SECRETS = re.compile(r"PASSWORD|SECRET|TOKEN|KEYS$")


def _example() -> dict[str, str]:
    """The variables of qbsps.env.example, commented-out optional ones included (value "")."""
    found: dict[str, str] = {}
    for line in (DEPLOY / "qbsps.env.example").read_text().splitlines():
        match = re.fullmatch(r"#?\s*([A-Z][A-Z0-9_]+)=(.*)", line.strip())
        if match:
            found[match[1]] = match[2] if not line.startswith("#") else ""
    return found


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())  # anchors and << merges resolved


def _compose_cli() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0


def test_compose_config_is_valid_where_the_cli_plugin_exists(tmp_path: Path) -> None:
    if not _compose_cli():
        pytest.skip("the docker compose plugin is not installed here (the YAML is checked below)")
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "qbsps.env").write_text((DEPLOY / "qbsps.env.example").read_text())
    done = subprocess.run(
        ["docker", "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "--quiet"],
        capture_output=True, text=True, timeout=60, env={"QBSPS_ETC": str(etc), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_compose_services_wait_for_their_dependencies_and_report_health() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "migrate", *LONG_RUNNING, *CELERY, "qbsps"}
    assert "healthcheck" in services["postgres"]
    assert "-h 127.0.0.1" in " ".join(services["postgres"]["healthcheck"]["test"])  # not during init
    assert services["migrate"]["command"][-1] == "qbsps db upgrade && dagster instance migrate"
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in LONG_RUNNING:
        service = services[name]
        assert service["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }, name
        check = service["healthcheck"]["test"]
        assert check[:3] == ["CMD", "python", "/opt/qbsps/healthcheck.py"], name
        assert check[3] in {"webserver", "daemon", "webhooks"} and name.endswith(check[3]), name
        assert service["restart"] == "unless-stopped", name
    assert services["webhooks"]["command"][:3] == ["qbsps", "webhooks", "serve"]
    assert services["dagster-webserver"]["ports"] == ["127.0.0.1:3000:3000"]  # the UI is not public
    assert services["qbsps"]["profiles"] == ["tools"]  # the operator's command, never started by `up`
    for name in CELERY:
        assert services[name]["profiles"] == ["celery"] and "healthcheck" in services[name], name
    worker = services["celery-worker"]
    assert worker["command"][:3] == ["dagster-celery", "worker", "start"]
    assert worker["healthcheck"]["test"] == ["CMD", "python", "/opt/qbsps/healthcheck.py", "worker"]
    assert worker["depends_on"]["rabbitmq"] == {"condition": "service_healthy"}
    assert worker["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_compose_refers_only_to_files_and_volumes_that_exist() -> None:
    compose = _compose()
    declared = set(compose["volumes"])
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (DEPLOY / source).exists(), f"{name}: {source}"
            elif not source.startswith("${QBSPS_ETC"):
                assert source in declared, f"{name}: volume {source} is not declared"
        if build := service.get("build"):
            context = (DEPLOY / build["context"]).resolve()
            assert context == REPO and (context / build["dockerfile"]).is_file()
        assert service["env_file"] == ["${QBSPS_ETC:-/etc/qbsps}/qbsps.env"], name


def test_the_dockerfile_copies_what_exists_and_what_the_services_run() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    copies = re.findall(r"^COPY\s+(.+)$", dockerfile, re.MULTILINE)
    sources = [source for line in copies for source in line.split()[:-1]]
    kept = [
        line[1:] for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines() if line[:1] == "!"
    ]
    for source in sources:
        assert (REPO / source).exists(), source
        assert any(source.rstrip("/") == k.rstrip("/") for k in kept), (
            f"{source} is excluded by the dockerignore"
        )
    assert "COPY deploy/dagster.postgres.yaml /var/lib/qbsps/dagster/dagster.yaml" in dockerfile
    assert "DAGSTER_HOME=/var/lib/qbsps/dagster" in dockerfile
    services = _compose()["services"]
    in_image = {"/opt/qbsps/workspace.yaml", "/opt/qbsps/healthcheck.py", "/opt/qbsps/celery.yaml"}
    assert all(path in dockerfile for path in in_image)
    used = {part for service in services.values() for part in [*service.get("command", []),
            *service.get("healthcheck", {}).get("test", [])] if part.startswith("/opt/")}  # fmt: skip
    assert used == in_image


def test_the_env_example_lists_every_variable_the_services_read_and_holds_no_secret() -> None:
    example = _example()
    instance = set(re.findall(r"\{env: ([A-Z0-9_]+)\}", (DEPLOY / "dagster.postgres.yaml").read_text()))
    init_sql = set(
        re.findall(
            r"\\getenv \w+ ([A-Z0-9_]+)", (DEPLOY / "postgres-init" / "10-qbsps-databases.sql").read_text()
        )
    )
    compose = set(re.findall(r"\$\$\{([A-Z0-9_]+)", (DEPLOY / "compose.yaml").read_text()))
    qbsps = {"QBSPS_CONFIG", "QBSPS_LEDGER_URL", "QBSPS_SECRET_KEYS", "QBSPS_QBO_WEBHOOK_VERIFIER_TOKEN",
             "QBSPS_WEBHOOK_TLS_CERTFILE", "QBSPS_WEBHOOK_TLS_KEYFILE", "POSTGRES_PASSWORD"}  # fmt: skip
    assert (instance | init_sql | compose | qbsps) - set(example) == set()
    for name, value in example.items():
        if SECRETS.search(name) or name == "QBSPS_LEDGER_URL":
            assert value == "" or "CHANGE" in value, f"{name} must be a placeholder, not a value"
    assert example["DAGSTER_PG_DB"] != example["QBSPS_PG_DB"]  # two databases on one server
    assert example["QBSPS_LEDGER_URL"].endswith(f"/{example['QBSPS_PG_DB']}")
    assert example["QBSPS_LEDGER_URL"].startswith("postgresql+psycopg2://")


def _units_for_this_machine(folder: Path) -> list[Path]:
    """The units with the venv of /opt/qbsps/venv pointed at this one (verify checks executables)."""
    venv = Path(__import__("sys").executable).parent
    units = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text().replace("/opt/qbsps/venv/bin", str(venv))
        name = unit.name.replace("@.", "@1.")  # a template is verified as one of its instances
        (folder / name).write_text(text)
        units.append(folder / name)
    return units


def test_the_systemd_units_verify(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here")
    units = _units_for_this_machine(tmp_path)
    assert {unit.name for unit in units} >= {
        "qbsps.target", "qbsps-migrate.service", "qbsps-dagster-webserver.service",
        "qbsps-dagster-daemon.service", "qbsps-webhooks.service", "qbsps-celery-worker@1.service",
        "qbsps-company-worker@1.service",
    }  # fmt: skip
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *map(str, units)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Unknown" not in done.stderr and "ignoring" not in done.stderr, done.stderr


def _sections(unit: Path) -> dict[str, list[tuple[str, str]]]:
    sections: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for line in unit.read_text().splitlines():
        if line.startswith("["):
            current = line.strip("[]")
        elif "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            sections.setdefault(current, []).append((key, value))
    return sections


def test_the_services_start_after_the_migrations_with_the_environment_file() -> None:
    units = DEPLOY / "systemd"
    migrate = dict(_sections(units / "qbsps-migrate.service")["Service"])
    assert (migrate["Type"], migrate["RemainAfterExit"]) == ("oneshot", "yes")
    assert [v for k, v in _sections(units / "qbsps-migrate.service")["Service"] if k == "ExecStart"] == [
        "/opt/qbsps/venv/bin/qbsps db upgrade",
        "/opt/qbsps/venv/bin/dagster instance migrate",
    ]
    target = dict(_sections(units / "qbsps.target")["Unit"])
    for name in ("qbsps-dagster-webserver", "qbsps-dagster-daemon", "qbsps-webhooks"):
        sections = _sections(units / f"{name}.service")
        unit, service = dict(sections["Unit"]), dict(sections["Service"])
        assert unit["Requires"] == unit["After"] == "qbsps-migrate.service", name
        assert unit["PartOf"] == "qbsps.target" and f"{name}.service" in target["Wants"], name
        assert service["EnvironmentFile"] == "/etc/qbsps/qbsps.env", name
        assert "healthcheck.py" in service["ExecStartPost"] and service["Restart"] == "on-failure", name
        assert service["User"] == "qbsps", name
    assert (REPO / "workspace.yaml").is_file() and (DEPLOY / "healthcheck.py").is_file()
