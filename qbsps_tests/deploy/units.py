"""The systemd units of deploy/systemd as this machine runs them in tests: a unit's command lines,
with the venv, files and ports swapped for this machine's."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from qbsps_tests.support import REPO

UNITS = REPO / "deploy" / "systemd"


def unit_lines(unit: str, key: str) -> list[str]:
    return [
        line.split("=", 1)[1]
        for line in (UNITS / unit).read_text().splitlines()
        if line.startswith(f"{key}=")
    ]


def on_this_machine(command: str, web_port: int, hook_port: int) -> list[str]:
    """A unit's command line with this machine's venv, files and free ports."""
    line = (
        command.replace("/opt/qbsps/venv/bin/", f"{Path(sys.executable).parent}/")
        .replace("/opt/qbsps/workspace.yaml", str(REPO / "workspace.yaml"))
        .replace("/opt/qbsps/healthcheck.py", str(REPO / "deploy" / "healthcheck.py"))
        .replace("-p 3000", f"-p {web_port}")
        .replace("--port 443", f"--port {hook_port}")
        .replace("127.0.0.1:443", f"127.0.0.1:{hook_port}")
        .replace("$$", "$")  # systemd's escape of the shell's $
    )
    if "healthcheck.py webserver" in line:
        line += f" --url http://127.0.0.1:{web_port}/server_info"
    return shlex.split(line)
