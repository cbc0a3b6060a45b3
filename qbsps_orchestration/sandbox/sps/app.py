"""The local SPS Commerce server: Auth0 token endpoint, ``/auth-check`` and Transaction API v5.

SANDBOX ONLY: with the sandbox credentials a client may also POST files into ``out/`` (or any
folder besides ``in/``). On real SPS only SPS writes there, delivering retailer documents; here
that upload stands in for the delivery so tests and demos can hand the connector new orders
over the wire. Real SPS keys cannot do this, and qbsps's client never relies on it.

Injected faults (``/_sandbox/faults``) answer in the current SPS error shape (problem+json by
default; Auth0's shape on ``/oauth/token``).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from ..clock import SandboxClock
from ..control import common_control_routes
from ..faults import FaultInjector, FaultMiddleware
from ..settings import SpsSandboxSettings
from .auth import TokenService
from .control import sps_control_routes
from .errors import ErrorShape, fault_body
from .mailbox import normalize
from .rsx_schema import RsxSchemas
from .seed import seed_mailbox
from .service import SpsMailboxService
from .transactions import TransactionRoutes
from .usage import SpsUsage


class SpsSandbox:
    def __init__(self, settings: SpsSandboxSettings, clock: SandboxClock, faults: FaultInjector) -> None:
        self.settings = settings
        self.clock = clock
        self.faults = faults
        self.base_url = ""  # set by whoever serves the app, so history() can give absolute URLs
        self.error_shape = ErrorShape(settings.error_shape)
        self.tokens = TokenService(settings, clock)
        self.usage = SpsUsage(lambda: self.tokens.issued_count)
        self.service = SpsMailboxService(settings, clock, RsxSchemas.from_environment())
        if settings.seed:
            seed_mailbox(self.service, settings.samples_dir, clock.now().date())
        routes = [
            *common_control_routes(clock, faults),
            *sps_control_routes(self.service, self.tokens, self.error_shape),
            *self.tokens.routes(self.error_shape),
            *self.usage.routes(),
            *TransactionRoutes(self.service, self.tokens, self.error_shape, self.usage).routes(),
        ]
        starlette = Starlette(routes=routes, exception_handlers={HTTPException: self._http_error})
        self.app: ASGIApp = FaultMiddleware(starlette, faults, fault_body(self.error_shape))

    async def _http_error(self, request: Request, exc: Exception) -> Response:
        """Unknown routes and methods answer in the SPS error shape too."""
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "Internal Server Error"
        if status == 404:
            detail = f"No resource at '{request.url.path}'."
        response = self.error_shape.respond(request, status, str(detail))
        if isinstance(exc, HTTPException) and exc.headers:
            response.headers.update(exc.headers)  # e.g. Allow on 405
        return response

    # ---- the SPS side, for seeding and tests -----------------------------------------------
    def put_file(self, path: str, content: bytes) -> None:
        """Deliver a document as SPS would (folders are created as needed)."""
        self.service.deliver(path, content)

    def read_file(self, path: str) -> bytes:
        """The stored bytes; raises FileNotFoundError if there is no such file."""
        if not self.service.mailbox.exists(path):
            raise FileNotFoundError(f"no file at '/{normalize(path)}' in the SPS sandbox")
        return self.service.mailbox.get(path).content

    def list_files(self, folder: str) -> list[str]:
        """Paths (no leading slash) of every file under ``folder``, recursively, sorted."""
        return self.service.mailbox.files_under(folder)

    def accepted(self, path: str) -> list[bytes]:
        """The bytes of each accepted upload to ``path`` (in `in/`), oldest first."""
        return list(self.service.accepted.get(normalize(path), []))

    def history(self) -> list[dict]:
        return [e.as_item(self.base_url) for e in self.service.history.query()]
