"""deploy/compose.yaml brought up for real where Docker runs: the image built, the stack started
with `up --wait` on operator files made as the README says (qbsps.env from the example, config.yaml
from `qbsps init` without its ledger section, a TLS pair), every service reported healthy by
`docker compose ps`, and the stack always taken down with its volumes.

Docker's engine runs neither on the development machine nor in CI, so there this test skips (a
plain skip, not support.unavailable: CI is not expected to have Docker) and test_services.py checks
the Compose file as a file."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from qbsps_orchestration.lib.config import load_config
from qbsps_tests.deploy.tls import self_signed_pair
from qbsps_tests.support import REPO

DEPLOY = REPO / "deploy"
# What `up` starts without a profile: the one-shot migrate and the long-running services.
STARTED = {"postgres", "migrate", "dagster-webserver", "dagster-daemon", "webhooks"}
REALM = "9130000000000000"  # the receiver needs a QBO company: named in the config, none connected
# The host's ports 3000 and 443 may be taken (or need root): the services' health is checked inside.
NO_HOST_PORTS = """services:
  dagster-webserver: {ports: !reset []}
  webhooks: {ports: !reset []}
"""


def _docker_missing() -> str | None:
    """Why the stack cannot be brought up here, or None."""
    if shutil.which("docker") is None:
        return "docker is not installed here"
    if subprocess.run(["docker", "info"], capture_output=True, timeout=60).returncode != 0:
        return "no Docker engine answers here (`docker info` failed)"
    version = subprocess.run(
        ["docker", "compose", "version", "--short"], capture_output=True, text=True, timeout=60
    )
    if version.returncode != 0:
        return "the docker compose plugin is not installed here"
    found = tuple(int(part) for part in re.findall(r"\d+", version.stdout)[:3])
    if found < (2, 24, 4):  # the first to read the override's !reset
        return f"docker compose {version.stdout.strip()} is older than 2.24.4"
    return None


def _operator_files(etc: Path) -> None:
    """$QBSPS_ETC as the README's step 1 makes it, with test values for every CHANGE."""
    init = [str(Path(sys.executable).parent / "qbsps"), "init", "--config", str(etc / "config.yaml")]
    done = subprocess.run(init, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    config = yaml.safe_load((etc / "config.yaml").read_text())
    del config["ledger"]  # the ledger's URL and key come from qbsps.env
    config["qbo"]["realm_id"] = REALM
    (etc / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    key = (etc / "secret.key").read_text().strip()  # the key `qbsps init` wrote goes to qbsps.env
    (etc / "secret.key").unlink()
    password = secrets.token_hex(16)  # letters and digits, as the example asks
    lines = []
    for line in (DEPLOY / "qbsps.env.example").read_text().splitlines():
        if line.startswith("QBSPS_SECRET_KEYS="):
            line = f"QBSPS_SECRET_KEYS={key}"
        elif not line.startswith("#"):
            line = line.replace("CHANGE", password)
        lines.append(line)
    (etc / "qbsps.env").write_text("\n".join(lines) + "\n")
    tls = etc / "tls"
    tls.mkdir()
    certificate, private_key = self_signed_pair(tls)
    certificate.rename(tls / "fullchain.pem")
    private_key.rename(tls / "privkey.pem")
    # The services run as uid 10001: this throwaway folder is readable by all.
    for path in [etc, tls, *etc.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _containers(listing: str) -> list[dict]:
    """`docker compose ps --format json`: one object per line (Compose 2.21 and later) or an array."""
    text = listing.strip()
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.long
@pytest.mark.timeout(2400)
def test_the_compose_stack_comes_up_healthy(tmp_path: Path) -> None:
    if reason := _docker_missing():
        pytest.skip(f"{reason}: the stack is not brought up (test_services.py checks the file)")
    etc = tmp_path / "etc"
    etc.mkdir()
    _operator_files(etc)
    override = tmp_path / "no-host-ports.yaml"
    override.write_text(NO_HOST_PORTS)
    project = f"qbsps-test-{uuid.uuid4().hex[:8]}"  # its own containers, network and volumes
    compose = ["docker", "compose", "-p", project, "-f", str(DEPLOY / "compose.yaml"), "-f", str(override)]
    env = {**os.environ, "QBSPS_ETC": str(etc)}

    def run(*arguments: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        command = [*compose, *arguments]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)

    try:
        up = run("up", "-d", "--build", "--wait", "--wait-timeout", "900", timeout=2000)
        logs = run("logs", "--no-color", "--tail", "40").stdout
        assert up.returncode == 0, f"{up.stderr[-4000:]}\n{logs[-8000:]}"
        containers = _containers(run("ps", "--all", "--format", "json").stdout)
        assert {container["Service"] for container in containers} == STARTED
        for container in containers:
            if container["Service"] == "migrate":  # one-shot: both migrations ran and it ended
                assert (container["State"], container["ExitCode"]) == ("exited", 0), container
            else:
                assert (container["State"], container["Health"]) == ("running", "healthy"), container
        migrated = run("logs", "--no-color", "migrate").stdout
        assert re.search(r"ledger \S+ (upgraded from|is already at)", migrated), migrated
    finally:  # also after a failure above, which then is the one reported
        down = run("down", "--volumes", "--remove-orphans", timeout=600)
    assert down.returncode == 0, down.stderr


def test_the_operator_files_the_stack_is_brought_up_with_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where Docker does not run, at least the up test's inputs are checked: qbsps.env with every
    CHANGE filled in consistently, and config.yaml loading with it as the containers load it."""
    _operator_files(tmp_path)
    env = dict(
        line.split("=", 1)
        for line in (tmp_path / "qbsps.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert not [name for name, value in env.items() if "CHANGE" in value]
    assert make_url(env["QBSPS_LEDGER_URL"]).password == env["QBSPS_PG_PASSWORD"]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = load_config(tmp_path / "config.yaml")
    assert config.ledger.url == env["QBSPS_LEDGER_URL"]
    assert config.ledger.secret_keys.resolve() == env["QBSPS_SECRET_KEYS"]
    assert config.qbo.realm_id == REALM
    assert config.qbo.webhook_verifier_token is not None
    assert config.qbo.webhook_verifier_token.resolve() == env["QBSPS_QBO_WEBHOOK_VERIFIER_TOKEN"]
    for variable in ("QBSPS_WEBHOOK_TLS_CERTFILE", "QBSPS_WEBHOOK_TLS_KEYFILE"):
        on_host = tmp_path / Path(env[variable]).relative_to("/etc/qbsps")
        assert on_host.stat().st_mode & 0o004, f"{on_host} is not readable by the services' uid"
    assert _containers('{"Service": "a"}\n{"Service": "b"}\n') == [{"Service": "a"}, {"Service": "b"}]
    assert _containers('[{"Service": "a"}]') == [{"Service": "a"}]
