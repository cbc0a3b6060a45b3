"""Both sandbox servers together: one clock, a fault injector each, the info and config files."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from cryptography.fernet import Fernet
from starlette.types import ASGIApp, Receive, Scope, Send

from .clock import SandboxClock
from .faults import FaultInjector
from .qbo.app import QboSandbox
from .server import ServedApp
from .settings import SandboxSettings
from .sps.app import SpsSandbox

SPS_AUDIENCE = "https://spscommerce.com"


class _Current:
    """The app a served port hands each request to; `Sandbox.reset` swaps in a new one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class Sandbox:
    def __init__(self, settings: SandboxSettings | None = None) -> None:
        self.settings = settings or SandboxSettings()
        self._build()
        self._qbo_entry, self._sps_entry = _Current(self.qbo.app), _Current(self.sps.app)
        self._qbo_server: ServedApp | None = None
        self._sps_server: ServedApp | None = None
        self.refresh_token: str | None = None

    def _build(self) -> None:
        self.clock = SandboxClock()
        self.qbo_faults = FaultInjector(latency_ms=self.settings.latency_ms)
        self.sps_faults = FaultInjector(latency_ms=self.settings.latency_ms)
        self.qbo = QboSandbox(self.settings.qbo, self.clock, self.qbo_faults)
        self.sps = SpsSandbox(self.settings.sps, self.clock, self.sps_faults)

    def start(self) -> Sandbox:
        s = self.settings
        self._qbo_server = ServedApp(self._qbo_entry, s.host, s.qbo_port, name="qbo").start()
        try:
            self._sps_server = ServedApp(self._sps_entry, s.host, s.sps_port, name="sps").start()
        except Exception:
            self._qbo_server.stop()
            raise
        self._served()
        return self

    def _served(self) -> None:
        assert self._sps_server is not None
        self.sps.base_url = self._sps_server.base_url  # history items carry absolute URLs
        self.refresh_token = self.qbo.authority.issue_refresh_token()

    def reset(self, settings: SandboxSettings | None = None) -> Sandbox:
        """Start over on the same ports, as if just started: a new company file and mailbox, new
        tokens, clock, faults and webhook sender, every control setting back to its default (all
        built anew, so nothing a caller changed survives). ``settings`` may replace all but the
        host and ports. For a test session that serves one sandbox and resets it between tests."""
        if settings is not None:
            s = self.settings
            self.settings = replace(settings, host=s.host, qbo_port=s.qbo_port, sps_port=s.sps_port)
        self.qbo.close()
        self._build()
        self._qbo_entry.app, self._sps_entry.app = self.qbo.app, self.sps.app
        if self._sps_server is not None:
            self._served()
        return self

    def stop(self) -> None:
        for server in (self._sps_server, self._qbo_server):
            if server is not None:
                server.stop()
        self.qbo.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def serving(self) -> bool:
        """Both servers started and not stopped since."""
        return all(s is not None and s.serving for s in (self._qbo_server, self._sps_server))

    @property
    def qbo_url(self) -> str:
        if self._qbo_server is None:
            raise RuntimeError("the sandbox is not started")
        return self._qbo_server.base_url

    @property
    def sps_url(self) -> str:
        if self._sps_server is None:
            raise RuntimeError("the sandbox is not started")
        return self._sps_server.base_url

    def info(self) -> dict[str, Any]:
        """Everything a client needs to point at this sandbox (the shape of ``--info-file``)."""
        q, p = self.settings.qbo, self.settings.sps
        return {
            "qbo": {
                "api_base_url": self.qbo_url,
                "token_url": f"{self.qbo_url}/oauth2/v1/tokens/bearer",
                "discovery_url": f"{self.qbo_url}/.well-known/openid_configuration",
                "realm_id": q.realm_id,
                "client_id": q.client_id,
                "client_secret": q.client_secret,
                "refresh_token": self.refresh_token,
                "webhook_verifier_token": q.webhook_verifier_token,
            },
            "sps": {
                "api_base_url": self.sps_url,
                "token_url": f"{self.sps_url}/oauth/token",
                "client_id": p.client_id,
                "client_secret": p.client_secret,
            },
        }

    def write_info(self, path: Path) -> None:
        _write_private(path, json.dumps(self.info(), indent=2) + "\n")

    def write_config(self, path: Path) -> list[Path]:
        """The connector config, a Fernet key for its ledger (kept if present) and a fresh ledger.
        Returns the files that existed readable by others and were tightened to 0600."""
        from .connector_config import SANDBOX_LEDGER, SECRET_KEY_FILE, sandbox_connector_config

        folder = path.parent
        key_file = folder / SECRET_KEY_FILE
        tightened = []
        if not key_file.exists():
            _write_private(key_file, Fernet.generate_key().decode() + "\n")
        elif _tighten(key_file):
            tightened.append(key_file)
        for stale in folder.glob(SANDBOX_LEDGER + "*"):  # the company it described is gone
            stale.unlink()
        if _write_private(path, sandbox_connector_config(self, config_dir=folder)):
            tightened.append(path)
        return tightened


def _write_private(path: Path, text: str) -> bool:
    """Files holding credentials are readable by their owner only; True when the file existed with
    a looser mode (O_CREAT's mode applies to new files only, so an existing one is tightened)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        loose = stat.S_IMODE(os.fstat(fd).st_mode) != 0o600
        os.fchmod(fd, 0o600)  # before the first byte is written
        fh.write(text)
    return loose


def _tighten(path: Path) -> bool:
    """Make an existing file holding a key readable by its owner only; True when it was looser."""
    if stat.S_IMODE(path.stat().st_mode) == 0o600:
        return False
    path.chmod(0o600)
    return True
