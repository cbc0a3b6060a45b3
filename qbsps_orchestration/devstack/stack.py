"""The dev stack: sandbox → webhook receiver → `dagster dev`, each started once the one before
answers, watched until Ctrl+C / SIGTERM (then stopped in reverse order), or until one of them
dies (then the rest are stopped and the stack fails, naming it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from ..lib.config import load_config
from ..lib.webhooks import HEALTH_PATH, WEBHOOK_PATH
from .config import write_dev_config
from .layout import DEFAULT_HOME, DevHome, DevPorts
from .services import Interrupted, Service, ServiceError

REPO = Path(__file__).resolve().parents[2]  # workspace.yaml and dagster.yaml live beside the package
SANDBOX_CONFIG_LINE = "qbsps config:"  # `qbsps sandbox` prints it once the config file is written
DAGSTER_LOCATION = "qbsps"  # workspace.yaml's location_name
# Seconds each step may take to answer; generous, for a cold start on a 2-core laptop.
START_TIMEOUTS = {"sandbox": 60.0, "ledger": 60.0, "receiver": 60.0, "dagster": 240.0}
DAGSTER_READY_QUERY = """{
  workspaceOrError { ... on Workspace { locationEntries { name loadStatus
    locationOrLoadError { __typename ... on PythonError { message } } } } }
  instance { daemonHealth { allDaemonStatuses { daemonType required healthy } } }
}"""


class DevStack:
    def __init__(
        self,
        home: DevHome,
        ports: DevPorts,
        *,
        poll_seconds: int,
        echo: Callable[[str], None],
        command: str = "qbsps",
    ) -> None:
        self.home = home
        self.ports = ports
        self.poll_seconds = poll_seconds
        self.echo = echo
        self.command = command  # how the user calls qbsps, for the helper commands it prints
        self.services: list[Service] = []
        self._env = {
            **os.environ,
            "DAGSTER_HOME": str(home.dagster_home.resolve()),
            "QBSPS_CONFIG": str(home.config.resolve()),
            "PYTHONUNBUFFERED": "1",  # log files fill as things happen
        }

    def run(self, stopping: threading.Event) -> None:
        """Start everything, then watch it until ``stopping`` is set; always stops what it started."""
        if taken := self.ports.taken():
            raise ServiceError("cannot start the dev stack:\n  " + "\n  ".join(taken))
        self.echo(
            f"Starting the dev stack afresh in {self.home.root}/: the sandbox company lives in memory, "
            "so the ledger and the Dagster home start empty too."
        )
        try:
            started = time.monotonic()
            self._start_sandbox(stopping)
            self._upgrade_ledger()
            self._start_receiver(stopping)
            self._start_dagster(stopping)
            self.echo(self.summary(time.monotonic() - started))
            self._watch(stopping)
        except Interrupted:
            pass
        finally:
            self.stop()

    def _start_sandbox(self, stopping: threading.Event) -> None:
        self.home.reset()
        ports = self.ports
        service = self._service(
            "the sandbox",
            "sandbox",
            [
                *_qbsps(),
                "sandbox",
                "--host",
                ports.host,
                "--qbo-port",
                str(ports.qbo),
                "--sps-port",
                str(ports.sps),
                "--webhook-url",
                ports.url(ports.receiver) + WEBHOOK_PATH,
                "--write-config",
                str(self.home.config.resolve()),
            ],
            stop_timeout=10,
        )

        def ready() -> bool:
            return (
                _answers(f"{ports.url(ports.qbo)}/_sandbox/health")
                and _answers(f"{ports.url(ports.sps)}/_sandbox/health")
                and SANDBOX_CONFIG_LINE in service.log_file.read_text(encoding="utf-8", errors="replace")
            )

        service.wait_ready(ready, START_TIMEOUTS["sandbox"], stopping, check=self._all_alive)
        write_dev_config(
            self.home.config, poll_seconds=self.poll_seconds, receiver_url=ports.url(ports.receiver)
        )
        self.echo(
            f"  sandbox up: QuickBooks Online {ports.url(ports.qbo)}, SPS Commerce {ports.url(ports.sps)}"
        )

    def _upgrade_ledger(self) -> None:
        """`qbsps db upgrade`, as every deployment runs it: the migrations once, before the receiver
        and Dagster open the ledger."""
        log = self.home.logs / "db-upgrade.log"
        argv = [*_qbsps(), "db", "upgrade", "--config", str(self.home.config.resolve())]
        with log.open("ab") as out:
            try:
                code = subprocess.run(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=self._env,
                    timeout=START_TIMEOUTS["ledger"],
                    start_new_session=True,  # a Ctrl+C meanwhile is ours to handle, not its
                ).returncode
            except subprocess.TimeoutExpired:
                code = None
        if code != 0:
            failed = "timed out" if code is None else f"failed (exit code {code})"
            text = log.read_text(encoding="utf-8", errors="replace").strip()
            raise ServiceError(f"qbsps db upgrade {failed}:\n  {text}")
        self.echo("  ledger migrated (qbsps db upgrade)")

    def _start_receiver(self, stopping: threading.Event) -> None:
        ports = self.ports
        service = self._service(
            "the webhook receiver",
            "receiver",
            [*_qbsps(), "webhooks", "serve", "--host", ports.host, "--port", str(ports.receiver)],
            stop_timeout=10,
        )
        health = ports.url(ports.receiver) + HEALTH_PATH
        service.wait_ready(
            lambda: _answers(health), START_TIMEOUTS["receiver"], stopping, check=self._all_alive
        )
        self.echo(f"  webhook receiver up: {ports.url(ports.receiver)}{WEBHOOK_PATH}")

    def _start_dagster(self, stopping: threading.Event) -> None:
        home = self.home.dagster_home
        home.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")  # the repo's instance settings (pools)
        dagster = str(Path(sys.executable).parent / "dagster")
        workspace = str(REPO / "workspace.yaml")
        service = self._service(
            "Dagster",
            "dagster",
            [dagster, "dev", "-w", workspace, "-h", self.ports.host, "-p", str(self.ports.dagster)],
            stop_timeout=90,  # dagster dev gives its webserver and daemon 60 s each
            cwd=self.home.root,  # not the repo: its dagster.yaml would only draw a warning there
        )
        graphql = f"{self.ports.url(self.ports.dagster)}/graphql"
        service.wait_ready(
            lambda: _dagster_ready(graphql), START_TIMEOUTS["dagster"], stopping, check=self._all_alive
        )
        self.echo(f"  Dagster up (webserver and daemon): {self.ports.url(self.ports.dagster)}")

    def _service(
        self, name: str, log_name: str, argv: list[str], *, stop_timeout: float, cwd: Path | None = None
    ) -> Service:
        log = self.home.logs / f"{log_name}.log"
        service = Service(name, argv, log, env=self._env, cwd=cwd or Path.cwd(), stop_timeout=stop_timeout)
        self.services.append(service.start())
        return service

    def _watch(self, stopping: threading.Event) -> None:
        while not stopping.wait(0.5):
            self._all_alive()

    def _all_alive(self) -> None:
        for service in self.services:
            if (code := service.exit_code()) is not None:
                raise ServiceError(
                    service.died(code) + "; the rest of the stack was stopped" + service.tail()
                )

    def stop(self) -> None:
        running = [s for s in reversed(self.services) if s.exit_code() is None]
        if running:
            self.echo("Stopping " + ", ".join(s.name for s in running) + " …")
        for service in reversed(self.services):
            service.stop()
        if running:
            self.echo("Dev stack stopped.")

    def summary(self, took: float) -> str:
        p, home = self.ports, self.home
        config = "" if home.root == DEFAULT_HOME else f" --config {home.config}"
        realm = load_config(home.config).qbo.realm_id
        rows = [
            ("Dagster UI", p.url(p.dagster)),
            ("QuickBooks sandbox", f"{p.url(p.qbo)}  (realm {realm})"),
            ("SPS sandbox", p.url(p.sps)),
            ("Webhook receiver", p.url(p.receiver) + WEBHOOK_PATH),
            ("Config", f"{home.config}  (QBSPS_CONFIG for any other qbsps command)"),
            ("Dagster home", str(home.dagster_home)),
            ("Logs", f"{home.logs}/"),
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(
            [
                f"\nThe dev stack is up ({took:.0f} s):",
                *(f"  {name.ljust(width)}  {value}" for name, value in rows),
                "",
                "Play the retailer and the bookkeeper from another terminal:",
                f"  {self.command} dev order{config} [--partner ID]   "
                "a new purchase order into SPS out/PO/ (prints its PO number)",
                f"  {self.command} dev invoice{config} [PO_NUMBER]    "
                "invoice it in QuickBooks with shipping data (default: the newest landed order)",
                f"Orders are picked up every {self.poll_seconds} s; invoices reach SPS through the webhook "
                "within seconds (810 and 856). Press Ctrl+C to stop everything.",
            ]
        )


def _qbsps() -> list[str]:
    """This same qbsps, whatever way it was installed."""
    return [sys.executable, "-m", "qbsps_orchestration.cli"]


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _dagster_ready(graphql: str) -> bool:
    """The qbsps code location is loaded and every required daemon reports healthy."""
    try:
        data = httpx.post(graphql, json={"query": DAGSTER_READY_QUERY}, timeout=10).json().get("data") or {}
    except (httpx.HTTPError, ValueError):
        return False
    entries = (data.get("workspaceOrError") or {}).get("locationEntries") or []
    location = next((e for e in entries if e["name"] == DAGSTER_LOCATION), None)
    if location is None or location["loadStatus"] != "LOADED":
        return False
    loaded = location.get("locationOrLoadError") or {}
    if loaded.get("__typename") == "PythonError":
        raise ServiceError(f"Dagster could not load the {DAGSTER_LOCATION} code: {loaded.get('message')}")
    daemons = ((data.get("instance") or {}).get("daemonHealth") or {}).get("allDaemonStatuses") or []
    return bool(daemons) and all(d["healthy"] for d in daemons if d["required"])
