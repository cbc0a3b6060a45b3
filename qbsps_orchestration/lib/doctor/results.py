"""What one doctor check found: data only, so the CLI just prints it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    PASS = "PASS"
    WARN = "WARN"  # advice: works now, needs attention soon
    FAIL = "FAIL"  # broken: a sync would fail
    SKIP = "SKIP"  # could not run because an earlier check failed; `detail` says which


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    detail: str  # what was found; never a secret
    fix: str | None = None  # what to do, for WARN and FAIL


def passed(name: str, detail: str) -> CheckResult:
    return CheckResult(name, Status.PASS, detail)


def warned(name: str, detail: str, fix: str) -> CheckResult:
    return CheckResult(name, Status.WARN, detail, fix)


def failed(name: str, detail: str, fix: str | None = None) -> CheckResult:
    return CheckResult(name, Status.FAIL, detail, fix)


def skipped(name: str, reason: str) -> CheckResult:
    return CheckResult(name, Status.SKIP, reason)


def problem_text(exc: BaseException) -> str:
    """An error's own message (qbsps errors never carry secrets), or its type when it has none."""
    return str(exc).strip() or type(exc).__name__
