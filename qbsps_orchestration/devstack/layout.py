"""Where the dev stack listens and what it keeps under its folder (default .qbsps/dev/)."""

from __future__ import annotations

import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

from ..sandbox.connector_config import SANDBOX_LEDGER

DEFAULT_HOME = Path(".qbsps/dev")


@dataclass(frozen=True)
class DevPorts:
    qbo: int = 8711
    sps: int = 8712
    receiver: int = 8713
    dagster: int = 3000
    host: str = "127.0.0.1"

    def url(self, port: int) -> str:
        return f"http://{self.host}:{port}"

    def named(self) -> dict[str, int]:
        return {
            "QuickBooks sandbox (--qbo-port)": self.qbo,
            "SPS sandbox (--sps-port)": self.sps,
            "webhook receiver (--receiver-port)": self.receiver,
            "Dagster UI (--dagster-port)": self.dagster,
        }

    def taken(self) -> list[str]:
        """The ports another process already listens on (or that repeat), each with its option."""
        problems, seen = [], set()
        for name, port in self.named().items():
            if port in seen:
                problems.append(f"{name}: port {port} is given twice")
            seen.add(port)
            with socket.socket() as probe:
                # As the servers bind: a port left in TIME_WAIT by the last stack is free to use.
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind((self.host, port))
                except OSError:
                    problems.append(f"{name}: port {port} on {self.host} is already in use")
        return problems


@dataclass(frozen=True)
class DevHome:
    root: Path = DEFAULT_HOME

    @property
    def config(self) -> Path:
        return self.root / "config.yaml"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def reset(self) -> None:
        """Start afresh: the sandbox company lives in memory, so last time's ledger, Dagster runs
        and config describe a company that is gone. The Fernet key file is kept (it protects
        nothing that survives, and keeping it is harmless)."""
        for folder in (self.dagster_home, self.logs):
            shutil.rmtree(folder, ignore_errors=True)
        for stale in [self.config, *self.root.glob(SANDBOX_LEDGER + "*")]:
            stale.unlink(missing_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir()
