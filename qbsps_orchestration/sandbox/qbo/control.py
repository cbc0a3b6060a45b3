"""QBO-specific control routes under /_sandbox/qbo/: inspect entities, company preferences, reset, and
a query-paging fault."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .books.schema import ENTITIES, TRANSACTIONS
from .routes import render

if TYPE_CHECKING:
    from .app import QboSandbox


def qbo_control_routes(sandbox: QboSandbox) -> list[BaseRoute]:
    async def list_entities(request: Request) -> Response:
        """Every stored row of one entity in the seeded realm, inactive ones included."""
        entity = request.path_params["entity"]
        if entity not in ENTITIES:
            return JSONResponse({"error": f"unknown entity {entity!r}; one of {', '.join(ENTITIES)}"}, 404)
        return render({entity: sandbox.service.store.rows(entity)})

    async def get_preferences(_: Request) -> Response:
        return JSONResponse(_preferences(sandbox))

    async def set_preferences(request: Request) -> Response:
        """Body: {"unique_doc_numbers": {"PurchaseOrder": false, ...}} — whether a reused DocNumber
        fails with 6140 for that transaction type (QBO's 'warn if duplicate number' setting)."""
        try:
            data = await request.json()
            wanted = data["unique_doc_numbers"]
            if not isinstance(wanted, dict):
                raise ValueError("unique_doc_numbers must be an object")
            for entity, flag in wanted.items():
                if entity not in TRANSACTIONS or not isinstance(flag, bool):
                    raise ValueError(
                        f"unique_doc_numbers.{entity} must be a transaction type with true/false"
                    )
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"error": f"bad preferences: {exc}"}, 400)
        with sandbox.service.store.lock:
            sandbox.service.store.unique_doc_numbers.update(wanted)
        return JSONResponse(_preferences(sandbox))

    async def reset(_: Request) -> Response:
        """A fresh company file (re-seeded when seeding is on) and empty throttle windows."""
        sandbox.reset()
        return JSONResponse({"realm_id": sandbox.settings.realm_id, "seeded": sandbox.settings.seed})

    async def query_paging(request: Request) -> Response:
        """Body: {"ignore_start_position": true} — a broken backend that answers every query page
        from the first row, so a client paging by STARTPOSITION must notice the repeat."""
        if request.method == "POST":
            try:
                flag = (await request.json())["ignore_start_position"]
                if not isinstance(flag, bool):
                    raise ValueError("ignore_start_position must be true or false")
            except (ValueError, KeyError, TypeError) as exc:
                return JSONResponse({"error": f"bad query paging: {exc}"}, 400)
            sandbox.service.store.ignore_start_position = flag
        return JSONResponse({"ignore_start_position": sandbox.service.store.ignore_start_position})

    return [
        Route("/_sandbox/qbo/query-paging", query_paging, methods=["GET", "POST"]),
        Route("/_sandbox/qbo/entities/{entity}", list_entities, methods=["GET"]),
        Route("/_sandbox/qbo/preferences", get_preferences, methods=["GET"]),
        Route("/_sandbox/qbo/preferences", set_preferences, methods=["POST"]),
        Route("/_sandbox/qbo/reset", reset, methods=["POST"]),
    ]


def _preferences(sandbox: QboSandbox) -> dict:
    with sandbox.service.store.lock:
        return {"unique_doc_numbers": dict(sandbox.service.store.unique_doc_numbers)}
