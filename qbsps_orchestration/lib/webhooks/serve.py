"""Run the webhook receiver in the foreground with uvicorn until SIGINT or SIGTERM, over HTTPS when
given a certificate (Intuit only calls https addresses)."""

from __future__ import annotations

import signal
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from .receiver import WEBHOOK_PATH

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
GRACEFUL_SHUTDOWN_SECONDS = 5


class ReceiverStartError(RuntimeError):
    """The receiver never started serving (e.g. its ledger could not be opened; uvicorn logged why)."""


@dataclass(frozen=True)
class TlsFiles:
    """A PEM certificate (chain) and its unencrypted private key, handed to uvicorn's ssl options."""

    certfile: Path
    keyfile: Path

    def check(self) -> None:
        """Load the pair once before binding, so a wrong path or a key that does not match the
        certificate is refused by name instead of surfacing inside uvicorn's startup."""
        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(self.certfile, self.keyfile)
        except (OSError, ssl.SSLError) as exc:  # messages name files and reasons, never key material
            reason = exc.strerror or str(exc)
            raise ReceiverStartError(
                f"TLS certificate {self.certfile} with key {self.keyfile} cannot be used: {reason}"
            ) from None


def serve(
    app: ASGIApp,
    host: str = "127.0.0.1",
    port: int = 8713,
    *,
    announce: Callable[[str], None] = print,
    log_level: str = "warning",
    tls: TlsFiles | None = None,
) -> None:
    """Bind (port 0 picks a free one), serve, and announce the endpoint URL once requests are accepted;
    runs until SIGINT or SIGTERM and returns normally after a graceful shutdown. With ``tls`` only
    HTTPS is spoken on the port (a plain HTTP request fails its handshake)."""
    if tls is not None:
        tls.check()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        bound_port = sock.getsockname()[1]
        shown = f"[{host}]" if family == socket.AF_INET6 else host
        config = uvicorn.Config(
            app,
            log_level=log_level,
            access_log=False,
            lifespan="on",
            # A TLS connection closes only once the client answers close_notify; a client that keeps
            # one open must not hold a restart longer than this (every answered event is stored).
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            ssl_certfile=tls.certfile if tls else None,
            ssl_keyfile=tls.keyfile if tls else None,
        )
        scheme = "https" if tls else "http"
        server = _AnnouncingServer(
            config, f"QBO webhook receiver: {scheme}://{shown}:{bound_port}{WEBHOOK_PATH}", announce
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
