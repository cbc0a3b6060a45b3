"""Run the webhook receiver in the foreground with uvicorn until SIGINT or SIGTERM."""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from .receiver import WEBHOOK_PATH

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class ReceiverStartError(RuntimeError):
    """The receiver never started serving (e.g. its ledger could not be opened; uvicorn logged why)."""


def serve(
    app: ASGIApp,
    host: str = "127.0.0.1",
    port: int = 8713,
    *,
    announce: Callable[[str], None] = print,
    log_level: str = "warning",
) -> None:
    """Bind (port 0 picks a free one), serve, and announce the endpoint URL once requests are accepted;
    runs until SIGINT or SIGTERM and returns normally after a graceful shutdown."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        bound_port = sock.getsockname()[1]
        shown = f"[{host}]" if family == socket.AF_INET6 else host
        config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="on")
        server = _AnnouncingServer(
            config, f"QBO webhook receiver: http://{shown}:{bound_port}{WEBHOOK_PATH}", announce
        )
        with _stop_signals_end_quietly():
            server.run(sockets=[sock])
        if not server.started:
            raise ReceiverStartError("the QBO webhook receiver did not start; see the log above")
    finally:
        sock.close()


class _AnnouncingServer(uvicorn.Server):
    """Says where it listens once it really accepts requests (the ledger is open by then)."""

    def __init__(self, config: uvicorn.Config, line: str, announce: Callable[[str], None]) -> None:
        super().__init__(config)
        self._line, self._announce = line, announce

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.should_exit:
            self._announce(self._line)


@contextmanager
def _stop_signals_end_quietly() -> Iterator[None]:
    """uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal to the handler that
    was there before it; a no-op handler here makes that a normal return (exit status 0)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals only reach the main thread; uvicorn does not listen for them here either
        return
    previous = {sig: signal.signal(sig, lambda *_: None) for sig in _STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
