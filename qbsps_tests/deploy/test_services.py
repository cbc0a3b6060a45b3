"""The service definitions in deploy/: the Compose files (their config through `docker compose
config` where the CLI plugin exists, else the YAML itself; each service's command run through `sh`
and parsed by its program's own CLI, for one company and for several), the Dockerfile's inputs, the
systemd units (`systemd-analyze verify`) and qbsps.env.example against every variable the services
read. test_compose_up.py brings the stack up where Docker runs."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from qbsps_orchestration.cli.main import main
from qbsps_orchestration.defs.executor import celery_queue
from qbsps_tests.deploy.commands import image_paths, interpolate, parsed, programs_started
from qbsps_tests.deploy.test_compose_up import NO_HOST_PORTS
from qbsps_tests.deploy.units import unit_lines
from qbsps_tests.support import REPO, write_company

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


def _compose(name: str = "compose.yaml") -> dict:
    return yaml.safe_load((DEPLOY / name).read_text())  # anchors and << merges resolved


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

    docker = shutil.which("docker") or "docker"
    # Only what finds the CLI plugin (HOME: ~/.docker/cli-plugins): no variable of this shell.
    base = {"HOME": str(Path.home()), "PATH": "/usr/bin:/bin", "QBSPS_ETC": str(etc)}

    def config(*files: str, **variables: str) -> subprocess.CompletedProcess[str]:
        named = [part for name in files for part in ("-f", str(DEPLOY / name))]
        return subprocess.run(
            [docker, "compose", *named, "config", "--quiet"], capture_output=True, text=True, timeout=60,
            env={**base, **variables},
        )  # fmt: skip

    done = config("compose.yaml")
    assert done.returncode == 0, done.stderr
    override = tmp_path / "no-host-ports.yaml"  # the one test_compose_up.py brings the stack up with
    override.write_text(NO_HOST_PORTS)
    done = config("compose.yaml", str(override))
    assert done.returncode == 0, done.stderr
    done = config("company-worker.yaml", QBSPS_COMPANY="acme")
    assert done.returncode == 0, done.stderr
    assert config("company-worker.yaml").returncode != 0  # a company worker names its company


def test_compose_services_wait_for_their_dependencies_and_report_health() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "migrate", *LONG_RUNNING, *CELERY, "qbsps"}
    assert "healthcheck" in services["postgres"]
    assert "-h 127.0.0.1" in " ".join(services["postgres"]["healthcheck"]["test"])  # not during init
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
    services = {**services, **_compose("company-worker.yaml")["services"]}
    parts = [part for service in services.values() for part in
             [*service.get("command", []), *service.get("healthcheck", {}).get("test", [])]]  # fmt: skip
    used = {path for part in parts for path in re.findall(r"/opt/[\w/.]+", part)}
    assert used == in_image


def test_the_env_example_lists_every_variable_the_services_read_and_holds_no_secret() -> None:
    example = _example()
    instance = set(re.findall(r"\{env: ([A-Z0-9_]+)\}", (DEPLOY / "dagster.postgres.yaml").read_text()))
    init_sql = set(
        re.findall(
            r"\\getenv \w+ ([A-Z0-9_]+)", (DEPLOY / "postgres-init" / "10-qbsps-databases.sql").read_text()
        )
    )
    # What the containers' shells read ($$ in Compose) comes from qbsps.env.
    compose = {var for name in ("compose.yaml", "company-worker.yaml")
               for var in re.findall(r"\$\$\{([A-Z0-9_]+)", (DEPLOY / name).read_text())}  # fmt: skip
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


def _started(service: dict, folder: Path, environment: dict[str, str]) -> list[list[str]]:
    return programs_started(service["command"], folder, environment, compose_variables={})


def test_compose_serves_one_company_with_the_images_workspace(tmp_path: Path) -> None:
    services, paths = _compose()["services"], image_paths(tmp_path)
    one = {"QBSPS_CONFIG": "/etc/qbsps/config.yaml"}  # qbsps.env as the example has it
    migrate = _started(services["migrate"], tmp_path, one)
    assert migrate == [["qbsps", "db", "upgrade"], ["dagster", "instance", "migrate"]]
    assert parsed(migrate[0], paths)["all_companies"] is False
    parsed(migrate[1], paths)
    [webhooks] = _started(services["webhooks"], tmp_path, one)
    assert webhooks[:3] == ["qbsps", "webhooks", "serve"]
    assert parsed(webhooks, paths) | {"tls_certfile": None, "tls_keyfile": None} == {
        "config_path": None, "all_companies": False, "host": "0.0.0.0", "port": 8713,
        "tls_certfile": None, "tls_keyfile": None,
    }  # fmt: skip
    for name, program in (("dagster-webserver", "dagster-webserver"), ("dagster-daemon", "dagster-daemon")):
        [started] = _started(services[name], tmp_path, one)
        assert started[0] == program, name
        assert parsed(started, paths)["workspace"] == (str(REPO / "workspace.yaml"),), name


def test_compose_serves_every_company_of_the_companies_folder(tmp_path: Path) -> None:
    """qbsps.env naming QBSPS_COMPANIES_DIR and QBSPS_WORKSPACE: the migrations and the receiver take
    every company, the webserver and the daemon the workspace `qbsps companies workspace` wrote."""
    etc = tmp_path / "etc"
    (etc / "companies").mkdir(parents=True)
    for name, realm in (("acme", "9130000000000001"), ("globex", "9130000000000002")):
        write_company(etc / "companies", name, realm=realm, ledger=f"sqlite:///{tmp_path / name}.db")
    written = CliRunner().invoke(main, ["companies", "workspace", "--dir", str(etc / "companies")])
    assert written.exit_code == 0, written.output
    (etc / "workspace.yaml").write_text(written.output)
    services, paths = _compose()["services"], image_paths(etc)
    several = {"QBSPS_COMPANIES_DIR": "/etc/qbsps/companies", "QBSPS_WORKSPACE": "/etc/qbsps/workspace.yaml"}
    assert set(several) <= set(_example())  # the operator finds both in qbsps.env.example
    migrate = _started(services["migrate"], tmp_path, several)
    assert migrate == [["qbsps", "db", "upgrade", "--all-companies"], ["dagster", "instance", "migrate"]]
    assert parsed(migrate[0], paths)["all_companies"] is True
    [webhooks] = _started(services["webhooks"], tmp_path, several)
    assert parsed(webhooks, paths)["all_companies"] is True
    for name in ("dagster-webserver", "dagster-daemon"):
        [started] = _started(services[name], tmp_path, several)
        assert parsed(started, paths)["workspace"] == (str(etc / "workspace.yaml"),), name
    locations = yaml.safe_load((etc / "workspace.yaml").read_text())["load_from"]
    assert [location["python_module"]["attribute"] for location in locations] == ["acme", "globex"]


def test_each_companys_worker_takes_its_own_queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (DEPLOY / "company-worker.yaml").read_text()
    with pytest.raises(ValueError, match="QBSPS_COMPANY"):
        interpolate(text, {})  # no company, no project
    project = yaml.safe_load(interpolate(text, {"QBSPS_COMPANY": "acme"}))
    assert project["name"] == "qbsps-acme"  # a Compose project of its own per company
    [worker] = project["services"].values()
    assert worker["environment"] == {"QBSPS_COMPANY": "acme"}
    [argv] = _started(worker, tmp_path, {})
    options = parsed(argv, image_paths(tmp_path))
    monkeypatch.setenv("QBSPS_COMPANY", "acme")
    monkeypatch.delenv("QBSPS_CELERY_QUEUE", raising=False)
    assert options["queue"] == (celery_queue(),) == ("dagster-acme",)  # the queue acme's runs send to
    assert options["name"] == "qbsps-acme"
    assert worker["healthcheck"]["test"] == ["CMD", "python", "/opt/qbsps/healthcheck.py", "worker",
                                             "--node", "qbsps-acme"]  # fmt: skip
    # On the stack's network and storage, otherwise as the stack's own celery-worker.
    stack = yaml.safe_load(interpolate((DEPLOY / "compose.yaml").read_text(), {}))  # as Compose reads it
    assert worker["networks"] == ["qbsps"]
    assert project["networks"]["qbsps"] == {"external": True, "name": f"{stack['name']}_default"}
    storage = {"external": True, "name": f"{stack['name']}_dagster-storage"}
    assert project["volumes"]["dagster-storage"] == storage
    assert "dagster-storage" in stack["volumes"]
    celery = stack["services"]["celery-worker"]
    for key in ("image", "env_file", "volumes", "stop_grace_period"):
        assert worker[key] == celery[key], key
    assert worker["command"][:7] == celery["command"][:7]


def test_the_compose_variables_are_documented_and_no_company_is_in_qbsps_env() -> None:
    for name in ("compose.yaml", "company-worker.yaml"):
        text = (DEPLOY / name).read_text()
        header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
        used = set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)", text))  # Compose's own, from the operator's shell
        assert used <= {"QBSPS_ETC", "QBSPS_COMPANY"}, name
        assert all(variable in header for variable in used), name  # the file says what to set
    # Every service reads qbsps.env: a company there would make each of them serve that one only.
    assert "QBSPS_COMPANY" not in _example()


def _unit_programs(unit: str, folder: Path, environment: dict[str, str]) -> list[list[str]]:
    """The programs a unit's ExecStart lines start, through `sh` where a line runs one; the venv's
    programs are the stand-ins of programs_started."""
    started: list[list[str]] = []
    for line in unit_lines(unit, "ExecStart"):
        command = shlex.split(line.replace("/opt/qbsps/venv/bin/", ""))  # systemd's quoting
        started += programs_started(command, folder, environment, compose_variables={})
    return started


def test_the_units_migrate_and_receive_for_one_company_or_every_company(tmp_path: Path) -> None:
    paths = image_paths(tmp_path)
    one, several = {"QBSPS_CONFIG": "/etc/qbsps/config.yaml"}, {"QBSPS_COMPANIES_DIR": "/etc/qbsps/companies"}
    for environment, flag in ((one, []), (several, ["--all-companies"])):
        migrate = _unit_programs("qbsps-migrate.service", tmp_path, environment)
        assert migrate == [["qbsps", "db", "upgrade", *flag], ["dagster", "instance", "migrate"]]
        assert parsed(migrate[0], paths)["all_companies"] is bool(flag)
        parsed(migrate[1], paths)
        [serve] = _unit_programs("qbsps-webhooks.service", tmp_path, environment)
        options = parsed(serve, paths)
        assert (options["all_companies"], options["host"], options["port"]) == (bool(flag), "0.0.0.0", 443)
