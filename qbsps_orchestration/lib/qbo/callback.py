"""A one-shot loopback HTTP listener for the OAuth redirect (``http://localhost:PORT/callback``).

The standard library's threading HTTP server is enough here: one request matters, on loopback,
for a few minutes, so there is no event loop to run or shut down. Each connection gets its own
thread, so an idle speculative connection from a browser cannot block the real redirect. The
request line carries the authorization code, so the server never logs requests.

The browser's request is held open until the caller reports how the connection ended
(``finish``), so the page the user sees says whether it worked.
"""

from __future__ import annotations

import html
import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

CALLBACK_PATH = "/callback"
_PAGE_WAIT_SECONDS = 60.0  # how long the browser's request waits for the outcome


class CallbackListenerError(Exception):
    """The listener could not start or no redirect arrived in time."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], path: str) -> None:
        super().__init__(address, _Handler)
        self.path = path
        self.arrived: queue.Queue[str] = queue.Queue(maxsize=1)
        self.taken = threading.Event()
        self.outcome: tuple[bool, str] | None = None
        self.finished = threading.Event()
        self.answered = threading.Event()  # the browser got its page


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 30  # an idle connection is dropped instead of holding its thread

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        parts = urlsplit(self.path)
        if parts.path != self.server.path:
            self._page(404, "Not found", "This address only receives QuickBooks' redirect.")
            return
        if not parts.query:
            self._page(400, "Nothing to do", "This address expects Intuit's redirect with a code.")
            return
        if self.server.taken.is_set():
            self._page(409, "Already handled", "This connection attempt is over: see the terminal.")
            return
        self.server.taken.set()
        self.server.arrived.put(parts.query)
        try:
            if self.server.finished.wait(_PAGE_WAIT_SECONDS) and self.server.outcome is not None:
                ok, message = self.server.outcome
                self._page(200 if ok else 400, "Connected" if ok else "Not connected", message)
            else:
                self._page(200, "Received", "Return to the terminal to see the result.")
        finally:
            self.server.answered.set()

    def _page(self, status: int, title: str, message: str) -> None:
        body = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>qbsps: {html.escape(title)}</title></head><body>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
            "<p>You can close this tab.</p></body></html>\n"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")  # the address holds the code
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silent: the request line holds the authorization code."""


class CallbackListener:
    """Bind at construction (so the port is known for the redirect URI), serve in the background.

    with CallbackListener(port=8714) as listener:
        ... send the browser to a URL whose redirect_uri is listener.redirect_uri ...
        query = listener.wait(timeout=300)
        listener.finish(ok, "message for the browser")
    """

    def __init__(self, port: int, *, host: str = "127.0.0.1", path: str = CALLBACK_PATH) -> None:
        try:
            self._server = _Server((host, port), path)
        except OSError as exc:
            raise CallbackListenerError(
                f"cannot listen on {host}:{port} for the redirect ({exc.strerror or exc}): "
                "choose another port with --port (and register that redirect URI on the Intuit app)"
            ) from None
        self.port: int = self._server.server_address[1]
        self.path = path
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True, name="qbo-callback"
        )

    @property
    def redirect_uri(self) -> str:
        # Intuit refuses IP addresses in redirect URIs, so the browser is sent to "localhost".
        return f"http://localhost:{self.port}{self.path}"

    def __enter__(self) -> CallbackListener:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server.outcome is None:
            self.finish(False, "The connection attempt ended: see the terminal.")
        if self._server.taken.is_set():
            self._server.answered.wait(5)  # let the browser's page go out before the process ends
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def wait(self, timeout: float) -> str:
        """The query string of the redirect, once it arrives."""
        try:
            return self._server.arrived.get(timeout=timeout)
        except queue.Empty:
            raise CallbackListenerError(
                f"no redirect from Intuit arrived at {self.redirect_uri} within {timeout:g} s: "
                "nothing was stored"
            ) from None

    def finish(self, ok: bool, message: str) -> None:
        """What the waiting browser page should say."""
        self._server.outcome = (ok, message)
        self._server.finished.set()
