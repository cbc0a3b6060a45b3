"""A dev-stack service is a real subprocess in its own process group: stopping it leaves nothing,
and one that does not come up is reported by name with the end of its log."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from qbsps_orchestration.devstack.services import Interrupted, Service, ServiceError
from qbsps_tests.services import alive, descendants, wait_gone


def _service(tmp_path: Path, script: str, stop_timeout: float = 5) -> Service:
    argv = [sys.executable, "-c", script]
    return Service(
        "the test service",
        argv,
        tmp_path / "service.log",
        env=dict(os.environ),
        cwd=tmp_path,
        stop_timeout=stop_timeout,
    )


def _never_dies() -> None:
    pass


# A parent that starts a child which ignores SIGTERM (as a busy run worker might), then waits.
STUBBORN_CHILD = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('child up', flush=True); time.sleep(600)"
)
STUBBORN_TREE = f"""
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", {STUBBORN_CHILD!r}])
print("parent up", flush=True)
time.sleep(600)
"""


def test_stop_leaves_no_process_of_the_group_behind(tmp_path: Path) -> None:
    service = _service(tmp_path, STUBBORN_TREE).start()
    deadline = time.monotonic() + 30
    while "child up" not in service.log_file.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    tree = {service.pid} | descendants(service.pid)
    assert len(tree) == 2 and os.getpgid(service.pid) == service.pid != os.getpgid(0)

    service.stop()
    assert wait_gone(tree, 10) == set()
    assert service.exit_code() is not None


def test_a_service_that_exits_before_answering_is_named_with_its_log(tmp_path: Path) -> None:
    service = _service(
        tmp_path, "import sys; print('address already in use', flush=True); sys.exit(3)"
    ).start()

    def check() -> None:
        if (code := service.exit_code()) is not None:
            raise ServiceError(service.died(code) + service.tail())

    with pytest.raises(ServiceError) as raised:
        service.wait_ready(lambda: False, 30, threading.Event(), check=check)
    assert "the test service exited with code 3" in str(raised.value)
    assert "address already in use" in str(raised.value)


def test_waiting_ends_on_a_stop_request_and_on_its_deadline(tmp_path: Path) -> None:
    service = _service(tmp_path, "import time; time.sleep(600)").start()
    try:
        stopping = threading.Event()
        stopping.set()
        with pytest.raises(Interrupted):
            service.wait_ready(lambda: False, 30, stopping, check=_never_dies)
        with pytest.raises(ServiceError, match="the test service did not answer within 1 s"):
            service.wait_ready(lambda: False, 1, threading.Event(), check=_never_dies)
    finally:
        service.stop()
    assert not alive(service.pid)
