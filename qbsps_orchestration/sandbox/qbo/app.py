"""The local QuickBooks Online server: OAuth, the Accounting API v3, throttles, webhooks, faults."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from ..clock import SandboxClock
from ..control import common_control_routes
from ..faults import FaultInjector, FaultMiddleware
from ..settings import QboSandboxSettings
from . import faults as qbo_faults
from .books.company import BLANK_COMPANY, company_info
from .books.entities import EntityService
from .books.schema import BY_PATH, ENTITIES
from .books.seed import seed_company
from .books.store import RealmStore
from .control import qbo_control_routes
from .oauth.authority import QboAuthority
from .routes import AccountingApi
from .throttle import QboThrottle
from .usage import UsageMeter
from .webhooks.emitter import WebhookEmitter

SEED_AGE = timedelta(days=45)


class QboSandbox:
    def __init__(self, settings: QboSandboxSettings, clock: SandboxClock, faults: FaultInjector) -> None:
        self.settings = settings
        self.clock = clock
        self.authority = QboAuthority(settings, clock)
        self.throttle = QboThrottle(clock, enabled=settings.throttle)
        self.usage = UsageMeter()
        self.webhooks = WebhookEmitter(settings, clock)
        self._seeding = threading.local()  # seed rows are company history, not change events
        self.service = self._new_company()
        api = AccountingApi(self._service_for, self.authority, self.throttle, self.usage, clock.now)
        starlette = Starlette(
            routes=[
                *common_control_routes(clock, faults),
                *qbo_control_routes(self),
                *self.authority.routes(),
                *self.throttle.routes(),
                *self.usage.routes(),
                *self.webhooks.routes(),
                *api.routes(),
            ],
            exception_handlers={Exception: self._system_fault},
        )
        self.app: ASGIApp = FaultMiddleware(
            starlette, faults, qbo_faults.injected_fault_body(clock.now), self._concurrent_edit
        )

    def find(self, entity: str, **equals: str) -> list[dict]:
        """Stored rows of the seeded realm whose top-level fields equal the given values (a
        reference matches on its Id), e.g. ``find("Vendor", DisplayName="SPS All Test Retail")``.
        Money comes back as Decimal."""
        _known(entity)

        def value(row: dict, key: str) -> str | None:
            found = row.get(key)
            if isinstance(found, dict):
                found = found.get("value")
            return None if found is None else str(found)

        return self.service.store.rows(
            entity, lambda row: all(value(row, key) == str(wanted) for key, wanted in equals.items())
        )

    def where(self, entity: str, predicate: Callable[[dict], bool]) -> list[dict]:
        """Stored rows of the seeded realm for which ``predicate`` holds (copies of those only)."""
        _known(entity)
        return self.service.store.rows(entity, predicate)

    def count(self, entity: str) -> int:
        """How many rows of one entity the seeded realm holds, without copying them."""
        _known(entity)
        return self.service.store.count(entity)

    def reset(self) -> None:
        """Start over with a fresh company file; tokens stay valid."""
        self.service = self._new_company()
        self.throttle.reset()
        self.usage.reset()

    def close(self) -> None:
        self.webhooks.close()

    def _new_company(self) -> EntityService:
        service = EntityService(RealmStore(self.settings.realm_id), self._service_now, self._changed)
        service.store.set_company_info(company_info(BLANK_COMPANY, self.clock.now()))  # every file has one
        if self.settings.seed:
            self._seeding.active = True
            try:
                seed_company(service)
            finally:
                self._seeding.active = False
        return service

    def _service_now(self) -> datetime:
        # The seed company predates the connection: its rows are older than any CDC window.
        now = self.clock.now()
        return now - SEED_AGE if getattr(self._seeding, "active", False) else now

    def _service_for(self, realm_id: str) -> EntityService | None:
        service = self.service
        return service if realm_id == service.store.realm_id else None

    def _changed(self, realm_id: str, entity: str, entity_id: str, operation: str, when: datetime) -> None:
        if not getattr(self._seeding, "active", False):
            self.webhooks.notify(realm_id, entity, entity_id, operation, when)

    def _concurrent_edit(self, path: str, body: bytes) -> None:
        """A bookkeeper saves the object an update names, unchanged, just before the update arrives:
        its SyncToken moves on (and QBO reports the change), so the update meets a real 5010."""
        parts = path.strip("/").split("/")  # v3/company/<realm>/<resource>
        entity = BY_PATH.get(parts[3].lower()) if len(parts) == 4 and parts[:2] == ["v3", "company"] else None
        service = self._service_for(parts[2]) if entity else None
        try:
            named = json.loads(body) if body else None
        except ValueError:
            return  # not an update of a named object: nothing another person could have edited
        entity_id = named.get("Id") if isinstance(named, dict) else None
        current = service.store.get(entity, str(entity_id)) if service and entity and entity_id else None
        if current is not None:
            service.update(entity, {"Id": current["Id"], "SyncToken": current["SyncToken"], "sparse": True})

    async def _system_fault(self, _: Request, exc: Exception) -> Response:
        # An unexpected bug still answers in QBO's shape, so clients exercise their 5xx handling.
        return qbo_faults.fault_response(qbo_faults.system_fault(500), self.clock.now())


def _known(entity: str) -> None:
    if entity not in ENTITIES:
        raise ValueError(f"unknown entity {entity!r}; one of {', '.join(ENTITIES)}")
