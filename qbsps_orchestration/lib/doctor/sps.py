"""SPS Commerce: a token is granted, /auth-check accepts it, the orders folder lists, the upload
folder exists."""

from __future__ import annotations

from collections.abc import Iterator

from ..config import CredentialError, QbspsConfig
from ..http import TRANSPORT_ERRORS
from ..sps import SpsClient, SpsError
from ..sps.client import MAX_PAGE
from .results import CheckResult, failed, passed, problem_text, skipped

TOKEN = "SPS token"
AUTH_CHECK = "SPS auth-check"
ORDERS_FOLDER = "SPS orders folder"
UPLOAD_FOLDER = "SPS upload folder"
SPS_CHECKS = (TOKEN, AUTH_CHECK, ORDERS_FOLDER, UPLOAD_FOLDER)


def sps_checks(config: QbspsConfig, sps: SpsClient) -> Iterator[CheckResult]:
    try:
        sps.tokens.token()
    except Exception as exc:
        yield sps_failure(TOKEN, exc)
        for name in SPS_CHECKS[1:]:
            yield skipped(name, f"needs an SPS token (see {TOKEN})")
        return
    yield passed(TOKEN, f"granted by {config.sps.token_url}")
    yield _auth_check(sps)
    yield _orders_folder(sps, config.sps.folders.orders)
    yield _upload_folder(sps, config.sps.folders.outbound)


def _auth_check(sps: SpsClient) -> CheckResult:
    try:
        accepted = sps.auth_check()
    except Exception as exc:
        return sps_failure(AUTH_CHECK, exc)
    if not accepted:
        return failed(AUTH_CHECK, "GET /auth-check did not accept the token", _CREDENTIALS)
    return passed(AUTH_CHECK, "GET /auth-check accepts the token")


def _orders_folder(sps: SpsClient, folder: str) -> CheckResult:
    try:
        page = sps.list_page(folder, limit=MAX_PAGE)
    except Exception as exc:
        return sps_failure(ORDERS_FOLDER, exc, folder_key="sps.folders.orders")
    files = sum(1 for entry in page.entries if entry.type == "file")
    count = f"{files}+" if page.next_cursor else str(files)
    return passed(ORDERS_FOLDER, f"{folder} lists ({count} file(s) waiting)")


def _upload_folder(sps: SpsClient, folder: str) -> CheckResult:
    try:
        sps.list_page(folder, limit=1)  # a folder that does not exist answers 404
    except Exception as exc:
        return sps_failure(UPLOAD_FOLDER, exc, folder_key="sps.folders.outbound")
    return passed(UPLOAD_FOLDER, f"{folder} exists")


_CREDENTIALS = (
    "store the SPS Commerce Developer Center app's keys with qbsps connect sps "
    "(or correct sps.client_id / sps.client_secret, when the config gives them)"
)


def sps_failure(name: str, exc: Exception, *, folder_key: str | None = None) -> CheckResult:
    if isinstance(exc, SpsError):
        if exc.status in (400, 401, 403) and exc.path == "oauth/token":
            return failed(name, problem_text(exc), _CREDENTIALS)
        if exc.status == 404 and folder_key:
            fix = f"check {folder_key} (case-sensitive); SPS makes the folders when it enables your routing"
            return failed(name, problem_text(exc), fix)
        return failed(name, problem_text(exc), "see SPS's answer above (its request id helps SPS support)")
    if isinstance(exc, TRANSPORT_ERRORS):
        fix = "check sps.api_base_url and sps.token_url, and that this machine can reach them"
        return failed(name, f"cannot reach SPS: {problem_text(exc)}", fix)
    if isinstance(exc, CredentialError):
        return failed(name, problem_text(exc), "provide the credential it names")
    return failed(name, problem_text(exc), "qbsps connect sps, or set sps.client_id and sps.client_secret")
