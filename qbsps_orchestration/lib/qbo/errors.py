"""QBO errors: the JSON ``Fault``, the gateway's lower-case ``fault`` (401) and the XML throttle body."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from defusedxml import ElementTree

STALE_OBJECT = "5010"
DUPLICATE_DOC_NUMBER = frozenset({"6140", "6210"})  # 6210 in Intuit's 2017 list, 6140 everywhere since


@dataclass(frozen=True)
class FaultError:
    code: str
    message: str
    detail: str
    element: str | None = None


class QboError(Exception):
    def __init__(
        self,
        status: int,
        errors: list[FaultError],
        *,
        fault_type: str = "",
        intuit_tid: str | None = None,
        operation: str = "",
    ) -> None:
        self.status, self.errors, self.fault_type, self.intuit_tid = status, errors, fault_type, intuit_tid
        first = errors[0] if errors else FaultError("", "", "")
        tid = f" (intuit_tid {intuit_tid})" if intuit_tid else ""
        super().__init__(
            f"QBO {status} {operation}: [{first.code}] {first.message}: {first.detail}{tid}".strip()
        )

    @property
    def code(self) -> str:
        return self.errors[0].code.lstrip("0") if self.errors else ""


class StaleObjectError(QboError):
    """5010: the SyncToken sent is not the current one."""


class DuplicateDocNumberError(QboError):
    """6140: the DocNumber is already used by another transaction."""


class QboAuthError(QboError):
    """401 from the gateway: the access token expired or was revoked."""


def fault_errors(fault: dict) -> tuple[str, list[FaultError]]:
    """Read a ``Fault`` (or lower-case ``fault``) object into its errors."""
    raw = fault.get("Error") or fault.get("error") or []
    errors = [
        FaultError(
            code=str(e.get("code") or ""),
            message=str(e.get("Message") or e.get("message") or ""),
            detail=str(e.get("Detail") or e.get("detail") or ""),
            element=e.get("element"),
        )
        for e in raw
    ]
    return str(fault.get("type") or ""), errors


def qbo_error(response: requests.Response, operation: str) -> QboError:
    tid = response.headers.get("intuit_tid")
    fault_type, errors = "", []
    try:
        body = response.json()
        fault = body.get("Fault") or body.get("fault") or {}
        fault_type, errors = fault_errors(fault)
    except (ValueError, AttributeError):  # requests raises simplejson's decode error, a ValueError
        fault_type, errors = _xml_fault(response.content)
    if not errors:
        errors = [FaultError(str(response.status_code), response.reason, response.text[:300])]
    codes = {e.code.lstrip("0") for e in errors}
    kind: type[QboError] = QboError
    if response.status_code == 401:
        kind = QboAuthError
    elif STALE_OBJECT in codes:
        kind = StaleObjectError
    elif codes & DUPLICATE_DOC_NUMBER:
        kind = DuplicateDocNumberError
    return kind(response.status_code, errors, fault_type=fault_type, intuit_tid=tid, operation=operation)


def _xml_fault(content: bytes) -> tuple[str, list[FaultError]]:
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError:
        return "", []
    fault = next((el for el in root.iter() if el.tag.endswith("Fault")), None)
    if fault is None:
        return "", []
    errors = []
    for error in (el for el in fault.iter() if el.tag.endswith("Error")):
        text = {child.tag.rsplit("}", 1)[-1]: (child.text or "") for child in error}
        errors.append(FaultError(error.get("code", ""), text.get("Message", ""), text.get("Detail", "")))
    return fault.get("type", ""), errors
