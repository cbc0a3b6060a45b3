"""`qbsps dev up` refuses ports already taken, writes the dev config for its services, and when one
of them dies it stops the rest and fails naming it, leaving no process behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from qbsps_orchestration.lib.config import load_config
from qbsps_tests.services import command_line, descendants, free_ports, wait_gone

QBSPS = str(Path(sys.executable).parent / "qbsps")


def _dev_up(home: Path, ports: list[int], *extra: str) -> subprocess.Popen[str]:
    qbo, sps, receiver, dagster = (str(p) for p in ports)
    return subprocess.Popen(
        [QBSPS, "dev", "up", "--home", str(home), "--qbo-port", qbo, "--sps-port", sps]
        + ["--receiver-port", receiver, "--dagster-port", dagster, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_port_in_use_is_refused_before_anything_starts(tmp_path: Path) -> None:
    ports = free_ports(4)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", ports[3]))
        busy.listen()
        proc = _dev_up(tmp_path / "dev", ports)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Traceback" not in err
    assert f"Dagster UI (--dagster-port): port {ports[3]} on 127.0.0.1 is already in use" in err
    assert not (tmp_path / "dev" / "config.yaml").exists()


def test_when_a_service_dies_the_rest_stop_and_the_stack_fails_naming_it(tmp_path: Path) -> None:
    home, ports = tmp_path / "dev", free_ports(4)
    proc = _dev_up(home, ports, "--poll-seconds", "7")
    try:
        receiver_log = home / "logs" / "receiver.log"
        deadline = time.monotonic() + 120
        while not (receiver_log.exists() and "QBO webhook receiver:" in receiver_log.read_text()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the webhook receiver did not start"
            time.sleep(0.2)
        config = load_config(home / "config.yaml")  # the dev config, as its services read it
        assert config.polling.seconds == 7
        assert str(config.webhooks.receiver_url).rstrip("/") == f"http://127.0.0.1:{ports[2]}"
        assert str(config.ledger.url).startswith(f"sqlite:///{home.resolve()}")

        children = descendants(proc.pid)
        [sandbox] = [pid for pid in children if " sandbox " in command_line(pid)]
        os.killpg(sandbox, signal.SIGKILL)  # while Dagster is still starting
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, out + err
    assert "the sandbox was killed by signal 9; the rest of the stack was stopped" in err
    assert "Stopping Dagster, the webhook receiver" in out
    assert wait_gone(children, 10) == set()
