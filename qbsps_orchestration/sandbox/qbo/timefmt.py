"""Times on the QBO wire: MetaData and the `time` stamp carry the company's local UTC offset."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

COMPANY_TIME_ZONE = ZoneInfo("America/Los_Angeles")  # sandbox companies default to US Pacific


def meta_time(when: datetime) -> str:
    """MetaData stamps: whole seconds with the company's offset, e.g. 2025-01-15T10:45:00-08:00."""
    return when.astimezone(COMPANY_TIME_ZONE).replace(microsecond=0).isoformat()


def response_time(when: datetime) -> str:
    """The envelope `time`: milliseconds with the company's offset, e.g. 2025-01-15T10:45:00.891-08:00."""
    return when.astimezone(COMPANY_TIME_ZONE).isoformat(timespec="milliseconds")


def company_date(when: datetime) -> str:
    """Today's date where the company is (the default TxnDate)."""
    return when.astimezone(COMPANY_TIME_ZONE).date().isoformat()


def parse_datetime(text: str) -> datetime:
    """Parse the datetime forms QBO accepts in queries and CDC: ISO 8601 with an offset such as
    ``-07:00``, ``-0700`` or ``Z``; a bare date means midnight in the company's time zone."""
    value = text.strip()
    if not value:
        raise ValueError("empty datetime")
    if len(value) == 10:
        day = date.fromisoformat(value)
        return datetime(day.year, day.month, day.day, tzinfo=COMPANY_TIME_ZONE)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=COMPANY_TIME_ZONE)
    return parsed
