"""Is one service of a qbsps deployment healthy? Exit 0 if so, else 1 with the reason on stderr.
Used by the Compose healthchecks and the systemd units (standard library only, so it runs in the
image and in the venv alike):

    python healthcheck.py webserver|daemon|webhooks|worker [--wait SECONDS] [--url URL] [--node NAME]

webserver: the Dagster UI answers /server_info. daemon: `dagster-daemon liveness-check` (every
required daemon sent a heartbeat lately). webhooks: the receiver's /health says ok, over HTTPS when
$QBSPS_WEBHOOK_TLS_CERTFILE is set. worker: the Celery worker NAME (default qbsps@<host>) answers a
ping over $QBSPS_CELERY_BROKER_URL. --wait retries until healthy or the time is up (a unit's start).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

WEBSERVER_URL = "http://127.0.0.1:3000/server_info"
WEBHOOKS_PORT = 8713


def _get(url: str) -> bytes:
    context = None
    if url.startswith("https://"):
        # A liveness probe on this host: the certificate names the public host name, not the
        # loopback address probed, so only that TLS answers is checked here, not who it is.
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen(url, timeout=5, context=context) as response:  # noqa: S310 - fixed scheme
        return response.read()


def webserver(url: str | None) -> str:
    _get(url or WEBSERVER_URL)
    return "the Dagster webserver answers"


def webhooks(url: str | None) -> str:
    scheme = "https" if os.environ.get("QBSPS_WEBHOOK_TLS_CERTFILE") else "http"
    target = url or f"{scheme}://127.0.0.1:{WEBHOOKS_PORT}/health"
    status = json.loads(_get(target)).get("status")
    if status != "ok":
        raise RuntimeError(f"{target} answered status {status!r}")
    return f"the webhook receiver answers ok at {target}"


def daemon(_: str | None) -> str:
    beside = Path(sys.executable).parent / "dagster-daemon"  # the venv's, when run by its python
    command = str(beside) if beside.exists() else (shutil.which("dagster-daemon") or "dagster-daemon")
    done = subprocess.run([command, "liveness-check"], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError((done.stdout + done.stderr).strip() or f"liveness-check exited {done.returncode}")
    return "every Dagster daemon sent a heartbeat lately"


def worker(node: str | None) -> str:
    """`celery inspect ping` of this one worker, over the broker the workers use."""
    name = node or "qbsps"
    if "@" not in name:  # as dagster-celery names it from -n: NAME@<host>
        name = f"{name}@{socket.gethostname()}"
    broker = os.environ.get("QBSPS_CELERY_BROKER_URL", "")
    if not broker:
        raise RuntimeError("QBSPS_CELERY_BROKER_URL is not set: no Celery worker is configured")
    beside = Path(sys.executable).parent / "celery"
    command = str(beside) if beside.exists() else (shutil.which("celery") or "celery")
    # The URL goes through the environment, never the command line (it holds the broker's password).
    done = subprocess.run(
        [command, "inspect", "ping", "--destination", name, "--timeout", "5"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CELERY_BROKER_URL": broker},
    )
    if done.returncode != 0:
        raise RuntimeError(f"Celery worker {name} did not answer a ping")
    return f"Celery worker {name} answers"


CHECKS: dict[str, Callable[[str | None], str]] = {
    "webserver": webserver,
    "daemon": daemon,
    "webhooks": webhooks,
    "worker": worker,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("service", choices=sorted(CHECKS))
    parser.add_argument("--wait", type=float, default=0.0, help="retry for up to this many seconds")
    parser.add_argument("--url", help="probe this address instead of the default")
    parser.add_argument("--node", help="worker: the Celery node, NAME[@HOST] (default qbsps@<host>)")
    args = parser.parse_args(argv)
    target = args.node if args.service == "worker" else args.url
    deadline = time.monotonic() + args.wait
    while True:
        try:
            print(CHECKS[args.service](target))
            return 0
        except (OSError, ValueError, RuntimeError, subprocess.SubprocessError) as exc:
            if time.monotonic() >= deadline:
                print(f"{args.service} unhealthy: {exc}", file=sys.stderr)
                return 1
        time.sleep(2)


if __name__ == "__main__":
    sys.exit(main())
