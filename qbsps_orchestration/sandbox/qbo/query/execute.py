"""Running a parsed query against the store, with QBO's typing, paging and name-list defaults."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from .. import faults
from ..books.schema import FIELDS, NAME_LISTS, QUERYABLE
from ..books.store import RealmStore
from ..timefmt import parse_datetime
from .parse import Condition, Query, parse_query

MAX_RESULTS_LIMIT = 1000
DEFAULT_MAX_RESULTS = 100
DATETIME_FIELDS = {"createtime", "lastupdatedtime"}


def run_query(store: RealmStore, text: str) -> dict:
    """The ``QueryResponse`` object for one query statement (raises QboError 4000/4001)."""
    query = parse_query(text)
    if query.entity not in QUERYABLE:
        raise faults.query_validation_error(f"Invalid entity {query.entity!r} (names are case-sensitive)")
    for path in [c.path for c in query.conditions] + [o.path for o in query.ordering]:
        _check_property(query.entity, path)
    rows = [row for row in _rows(store, query.entity) if _matches(query, row)]
    if query.count:
        return {"totalCount": len(rows)}
    for ordering in reversed(query.ordering):
        present = [r for r in rows if _sort_key(r, ordering.path) is not None]
        missing = [r for r in rows if _sort_key(r, ordering.path) is None]
        present.sort(key=lambda r, p=ordering.path: _sort_key(r, p), reverse=ordering.descending)
        rows = present + missing  # rows without the property sort last either way
    page_size = min(query.max_results or DEFAULT_MAX_RESULTS, MAX_RESULTS_LIMIT)
    start = 1 if store.ignore_start_position else query.start_position
    page = rows[start - 1 : start - 1 + page_size]
    if not page:
        return {}
    # maxResults reports how many came back, not the page size that was asked for.
    return {query.entity: page, "startPosition": start, "maxResults": len(page)}


def _rows(store: RealmStore, entity: str) -> list[dict]:
    if entity == "CompanyInfo":  # the company file's one profile row
        row = store.company_info()
        return [row] if row is not None else []
    return store.rows(entity)


def _check_property(entity: str, path: tuple[str, ...]) -> None:
    head = path[0].lower()
    if head == "metadata":
        if len(path) != 2 or path[1].lower() not in DATETIME_FIELDS:
            raise faults.query_validation_error(f"property '{'.'.join(path)}' is not queryable")
        return
    if not any(head == name.lower() for name in FIELDS[entity]):
        raise faults.query_validation_error(f"property '{path[0]}' is not queryable for {entity}")


def _matches(query: Query, row: dict) -> bool:
    # Name-list queries only return active rows unless Active is filtered explicitly.
    filters_active = any(c.path[0].lower() == "active" for c in query.conditions)
    if query.entity in NAME_LISTS and not filters_active and row.get("Active") is False:
        return False
    return all(_holds(condition, row) for condition in query.conditions)


def _lookup(row: dict, path: tuple[str, ...]) -> object:
    value: object = row
    for part in path:
        if not isinstance(value, dict):
            return None
        key = next((k for k in value if k.lower() == part.lower()), None)
        if key is None:
            return None
        value = value[key]
    if isinstance(value, dict) and "value" in value:  # a ReferenceType filters on its Id
        value = value["value"]
    return value


def _holds(condition: Condition, row: dict) -> bool:
    actual = _lookup(row, condition.path)
    if actual is None:
        return False
    if condition.operator == "like":
        return _like(str(condition.values[0]), str(actual))
    is_datetime = condition.path[-1].lower() in DATETIME_FIELDS
    left = _typed(actual, actual, is_datetime)
    rights = [_typed(value, actual, is_datetime) for value in condition.values]
    if condition.operator == "in":
        return any(left == right for right in rights if right is not None)
    right = rights[0]
    if right is None:
        return False
    try:
        return {
            "=": left == right,
            "<": left < right,
            ">": left > right,
            "<=": left <= right,
            ">=": left >= right,
        }[condition.operator]
    except TypeError:
        return False


def _typed(value: object, like: object, is_datetime: bool) -> object:
    """Compare in the stored value's type: dates as datetimes, numbers as Decimal, bools as bools."""
    if is_datetime:
        try:
            return parse_datetime(str(value)) if not isinstance(value, datetime) else value
        except ValueError:
            raise faults.query_parse_error(f"Invalid date/time value {value!r}") from None
    if isinstance(like, bool):
        if isinstance(value, bool):
            return value
        return str(value).lower() == "true" if str(value).lower() in ("true", "false") else None
    if isinstance(like, int | Decimal | float):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    return str(value)


def _like(pattern: str, actual: str) -> bool:
    regex = ".*".join(re.escape(part) for part in pattern.split("%"))
    return re.fullmatch(regex, actual, flags=re.IGNORECASE | re.DOTALL) is not None


def _sort_key(row: dict, path: tuple[str, ...]) -> object:
    value = _lookup(row, path)
    if value is None:
        return None
    if path[-1].lower() in DATETIME_FIELDS:
        return parse_datetime(str(value))
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if path[-1] == "Id" or (isinstance(value, str) and value.isdigit() and path[-1].endswith("Id")):
        return int(value)
    return str(value).casefold()
