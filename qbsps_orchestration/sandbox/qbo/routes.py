"""The Accounting API v3 over HTTP: ``/v3/company/{realmId}/...``.

Every call: bearer check (gateway 401 shape), then the throttle, then ``requestid`` replay for
writes, then the operation. Every response carries an ``intuit_tid`` header and a ``time`` in its
body. ``minorversion`` is accepted at any value: QBO serves anything below 75 (or none) as 75, and
75 is the schema this sandbox implements.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from . import faults
from .batch import run_batch
from .books.entities import EntityService, WriteOptions
from .books.schema import BY_PATH
from .books.store import REQUEST_ID_MAX, StoredReply
from .cdc import run_cdc
from .oauth.authority import QboAuthority
from .oauth.http import intuit_tid
from .query.execute import run_query
from .throttle import QboThrottle
from .timefmt import response_time
from .usage import UsageMeter

API_PREFIX = "/v3/company/{realm_id}"
MINOR_VERSION = 75


def render(body: dict, status: int = 200) -> Response:
    """JSON with money as JSON numbers: Decimals are written as numbers, never as strings."""
    text = json.dumps(body, default=_number, separators=(",", ":"))
    return Response(text, status_code=status, media_type="application/json")


def _number(value: object) -> object:
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and value.as_tuple().exponent >= 0
            else float(value)
        )
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


class AccountingApi:
    def __init__(
        self,
        services: Callable[[str], EntityService | None],
        authority: QboAuthority,
        throttle: QboThrottle,
        usage: UsageMeter,
        now: Callable[[], datetime],
    ) -> None:
        self._services = services
        self._authority = authority
        self._throttle = throttle
        self._usage = usage
        self._now = now

    def routes(self) -> list[BaseRoute]:
        return [
            Route(API_PREFIX + "/{resource}", self._handle, methods=["GET", "POST"]),
            Route(API_PREFIX + "/{resource}/{entity_id}", self._handle, methods=["GET", "POST"]),
        ]

    async def _handle(self, request: Request) -> Response:
        tid = intuit_tid()
        response = await self._answer(request)
        response.headers["intuit_tid"] = tid
        return response

    async def _answer(self, request: Request) -> Response:
        grant = self._authority.authenticate(request.headers.get("authorization"))
        if grant is None:
            return faults.gateway_unauthorized(self._now())
        resource = request.path_params["resource"].lower()
        if not self._throttle.admit(grant, batch=resource == "batch"):
            self._usage.throttled(grant.realm_id)
            return self._throttle.throttled_response()
        realm_id = request.path_params["realm_id"]
        service = self._services(realm_id)
        if service is None or grant.realm_id != realm_id:
            return self._fault(
                faults.QboError(
                    "3100",
                    "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
                    "The token does not grant access to this company.",
                    status=403,
                    fault_type="AuthorizationFault",
                )
            )
        body = await request.body()  # read before any shared state is touched: no await after this
        self._usage.served(grant.realm_id, request.method, resource, body)
        request_id = request.query_params.get("requestid")
        if request.method == "POST" and request_id is not None:
            return self._replayed(service, request_id, lambda: self._dispatch(request, service, body))
        return self._dispatch(request, service, body)

    def _replayed(self, service: EntityService, request_id: str, run: Callable[[], Response]) -> Response:
        """``requestid``: the first answer is kept and a repeat gets that answer, not a second write."""
        if len(request_id) > REQUEST_ID_MAX:
            return self._fault(
                faults.business_rule(
                    f"You cannot enter more than {REQUEST_ID_MAX} characters in the request_id field. "
                    f"You tried entering {len(request_id)} characters.",
                    "requestid",
                )
            )
        with service.store.lock:
            earlier = service.store.reply_for(request_id)
            if earlier is not None:
                return Response(earlier.body, status_code=earlier.status, media_type=earlier.media_type)
            response = run()
            service.store.remember_reply(
                request_id, StoredReply(response.status_code, bytes(response.body), response.media_type or "")
            )
            return response

    def _dispatch(self, request: Request, service: EntityService, body: bytes) -> Response:
        resource = request.path_params["resource"].lower()
        entity_id = request.path_params.get("entity_id")
        params = request.query_params
        try:
            if resource == "query" and entity_id is None:
                text = params.get("query") if request.method == "GET" else body.decode("utf-8")
                return self._ok({"QueryResponse": run_query(service.store, text or "")})
            if resource == "batch" and entity_id is None and request.method == "POST":
                items = run_batch(service, _json(body), request_id=params.get("requestid"))
                return self._ok({"BatchItemResponse": items})
            if resource == "cdc" and entity_id is None and request.method == "GET":
                changes = run_cdc(
                    service.store, params.get("entities"), params.get("changedSince"), self._now()
                )
                return self._ok({"CDCResponse": changes})
            if resource == "companyinfo" and request.method == "GET":
                return self._ok({"CompanyInfo": _company_info(service, entity_id)})
            entity = BY_PATH.get(resource)
            if entity is None:
                raise faults.unsupported_operation(f"{request.method} /{resource}")
            if request.method == "GET":
                if entity_id is None:
                    raise faults.unsupported_operation(f"GET /{resource} without an Id (use query)")
                return self._ok({entity: service.read(entity, entity_id)})
            if entity_id is not None:
                raise faults.unsupported_operation(f"POST /{resource}/{entity_id}")
            return self._ok({entity: self._write(service, entity, params.get("operation"), body, params)})
        except faults.QboError as error:
            return self._fault(error)

    def _write(
        self, service: EntityService, entity: str, operation: str | None, body: bytes, params: QueryParams
    ) -> dict:
        data = _json(body)
        if not isinstance(data, dict):
            raise faults.request_body_error(f"The request body must be a {entity} object")
        includes = {part.strip().lower() for part in params.get("include", "").split(",")}
        options = WriteOptions(allow_duplicate_doc_number="allowduplicatedocnum" in includes)
        operation = (operation or "").lower()
        if operation == "delete":
            return service.delete(entity, data)
        if operation not in ("", "create", "update"):
            raise faults.unsupported_operation(f"{operation} for {entity}")
        # Like QBO, a POST that names an Id updates; one without creates.
        if operation == "update" or data.get("Id") not in (None, "", 0, "0"):
            return service.update(entity, data, options)
        return service.create(entity, data, options)

    def _ok(self, body: dict) -> Response:
        return render({**body, "time": response_time(self._now())})

    def _fault(self, error: faults.QboError) -> Response:
        return render({"Fault": error.fault(), "time": response_time(self._now())}, error.status)


def _company_info(service: EntityService, company_id: str | None) -> dict:
    """QBO reads the company's profile at ``/companyinfo/{realmId}`` (its own Id is "1")."""
    row = service.store.company_info()
    if company_id != service.store.realm_id or row is None:
        raise faults.object_not_found("CompanyInfo", company_id or "")
    return row


def _json(body: bytes) -> object:
    try:
        return json.loads(body.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise faults.request_body_error(f"Request body is not valid JSON: {exc}") from None
