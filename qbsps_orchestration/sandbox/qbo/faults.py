"""QBO error shapes: the JSON ``Fault`` of the Accounting API, the gateway's lower-case 401 body,
and the XML ThrottleExceeded body (which QBO sends as XML even when JSON was asked for)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .timefmt import response_time


class QboError(Exception):
    """One API error; raised by the rules and turned into a Fault (or a batch item's Fault)."""

    def __init__(
        self,
        code: str,
        message: str,
        detail: str,
        element: str = "",
        *,
        status: int = 400,
        fault_type: str = "ValidationFault",
    ) -> None:
        super().__init__(f"{code} {message}: {detail}")
        self.code = code
        self.message = message
        self.detail = detail
        self.element = element
        self.status = status
        self.fault_type = fault_type

    def fault(self) -> dict:
        error = {"Message": self.message, "Detail": self.detail, "code": self.code, "element": self.element}
        return {"Error": [error], "type": self.fault_type}


def fault_response(error: QboError, now: datetime) -> JSONResponse:
    return JSONResponse({"Fault": error.fault(), "time": response_time(now)}, status_code=error.status)


# --- the errors the sandbox raises, worded as QBO words them ------------------------------------


def stale_object() -> QboError:
    return QboError(
        "5010",
        "Stale Object Error",
        "Stale Object Error : You and another user were working on this at the same time. "
        "The other user finished before you did, so your work was not saved.",
    )


def duplicate_doc_number(doc_number: str, txn_type: str, txn_id: str) -> QboError:
    return QboError(
        "6140",
        "Duplicate Document Number Error",
        "Duplicate Document Number Error : You must specify a different number. This number has already "
        f"been used. DocNumber={doc_number} is assigned to TxnType={txn_type} with TxnId={txn_id}",
    )


def duplicate_name(name: str) -> QboError:
    return QboError(
        "6240",
        "Duplicate Name Exists Error",
        "The name supplied already exists. : Another customer, vendor or employee is already using this "
        f"name. Please use a different name. Name={name}",
    )


def unrecognized_field(entity: str, name: str) -> QboError:
    return QboError(
        "2010",
        "Request has invalid or unsupported property",
        f'Property Name:Unrecognized field "{name}" specified value is invalid for {entity}',
        name,
    )


def object_not_found(entity: str, entity_id: str) -> QboError:
    return QboError(
        "610",
        "Object Not Found",
        f"Object Not Found : Something you're trying to use has been made inactive. "
        f"Check the fields with accounts, customers, items, vendors or employees. ({entity} Id={entity_id})",
    )


def invalid_reference(element: str, entity: str, entity_id: str) -> QboError:
    return QboError(
        "2500",
        "Invalid Reference Id",
        f"Invalid Reference Id : {entity} assigned to this transaction has been deleted or does not "
        f"exist: Id={entity_id}",
        element,
    )


def required_missing(element: str) -> QboError:
    return QboError(
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {element} is missing in the request",
        element,
    )


def invalid_value(element: str, detail: str) -> QboError:
    """A value of the wrong JSON type; QBO's deserializer answers these as 2010."""
    return QboError("2010", "Request has invalid or unsupported property", f"Property Name:{detail}", element)


def invalid_enumeration(element: str, value: object) -> QboError:
    return QboError("2170", "Invalid Enumeration", f"Invalid Enumeration : {value}", element)


def string_too_long(element: str, maximum: int, supplied: int) -> QboError:
    return QboError(
        "2050",
        "String length is either shorter or longer than supported by specification",
        f"String length specified does not match the supported length. Min:0 Max:{maximum} supported. "
        f"Supplied length:{supplied}",
        element,
    )


def business_rule(detail: str, element: str = "") -> QboError:
    return QboError(
        "6000",
        "A business validation error has occurred while processing your request",
        f"Business Validation Error: {detail}",
        element,
    )


def query_parse_error(detail: str) -> QboError:
    return QboError("4000", "Error parsing query", f"QueryParserError: {detail}")


def query_validation_error(detail: str) -> QboError:
    return QboError("4001", "Invalid query", f"QueryValidationError: {detail}")


def unsupported_operation(detail: str) -> QboError:
    return QboError("500", "Unsupported Operation", f"Operation {detail} is not supported.")


def request_body_error(detail: str) -> QboError:
    return QboError("2010", "Request has invalid or unsupported property", detail)


# --- gateway and transport-level bodies ---------------------------------------------------------


def gateway_unauthorized(now: datetime, detail: str = "Token expired") -> JSONResponse:
    """The API gateway's 401: lower-case keys, zero-padded code in the message, epoch-ms time."""
    body = {
        "warnings": None,
        "intuitObject": None,
        "fault": {
            "error": [
                {
                    "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "detail": detail,
                    "code": "3200",
                    "element": None,
                }
            ],
            "type": "AUTHENTICATION",
        },
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": int(now.timestamp() * 1000),
        "status": None,
        "cdcresponse": [],
    }
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": 'Bearer realm="Intuit"'})


def throttle_exceeded_xml(now: datetime) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<IntuitResponse time="{escape(response_time(now))}" xmlns="http://schema.intuit.com/finance/v3">\n'
        '    <Fault type="SERVICE">\n'
        '        <Error code="3001">\n'
        "            <Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>\n"
        "            <Detail>The request limit was reached.  Try again later</Detail>\n"
        "        </Error>\n"
        "    </Fault>\n"
        "</IntuitResponse>\n"
    )


def system_fault(status: int) -> QboError:
    return QboError(
        "3100" if status == 500 else "10000",
        "message=InternalServerError; errorCode=003100; statusCode=500"
        if status == 500
        else "An application error has occurred while processing your request",
        "System Failure Error: An unexpected error occurred while accessing or saving your data. "
        "Please wait a few minutes and try again.",
        status=status,
        fault_type="SystemFault",
    )


def injected_fault_body(now_fn: Callable[[], datetime]) -> Callable[[Request, int, int | None], Response]:
    """A ``FaultBody`` for the shared FaultMiddleware: 429 as XML, 401 as the gateway shape,
    everything else as a JSON Fault (SystemFault for 5xx)."""

    def build(_: Request, status: int, retry_after: int | None) -> Response:
        now = now_fn()
        if status == 429:
            return Response(throttle_exceeded_xml(now), status_code=429, media_type="application/xml")
        if status == 401:
            return gateway_unauthorized(now)
        if status >= 500:
            return fault_response(system_fault(status), now)
        error = QboError(
            "6000",
            "A business validation error has occurred while processing your request",
            "Business Validation Error: injected fault",
            status=status,
        )
        return fault_response(error, now)

    return build
