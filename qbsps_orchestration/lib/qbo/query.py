"""Safe QBO query building: values are quoted, never pasted into the statement."""

from __future__ import annotations

from datetime import datetime


def quote(value: str | int | bool | datetime) -> str:
    """A literal for the QBO query language: strings in single quotes with backslash escapes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("QBO query times must be timezone-aware")
        value = value.isoformat()
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def select(entity: str, where: dict[str, str | int | bool | datetime] | None = None) -> str:
    """``SELECT * FROM entity WHERE a = 'x' AND b = 'y'`` with every value quoted."""
    if not entity.isidentifier():
        raise ValueError(f"not a QBO entity name: {entity!r}")
    statement = f"SELECT * FROM {entity}"
    if where:
        for field in where:
            if not all(part.isidentifier() for part in field.split(".")):
                raise ValueError(f"not a QBO field name: {field!r}")
        statement += " WHERE " + " AND ".join(f"{field} = {quote(v)}" for field, v in where.items())
    return statement


def select_in(entity: str, field: str, values: list[str]) -> str:
    """``SELECT * FROM entity WHERE field IN ('a', 'b')`` with every value quoted."""
    if not values:
        raise ValueError("IN needs at least one value")
    base = select(entity)
    if not all(part.isidentifier() for part in field.split(".")):
        raise ValueError(f"not a QBO field name: {field!r}")
    return f"{base} WHERE {field} IN ({', '.join(quote(v) for v in values)})"


def updated_between(entity: str, start: datetime, end: datetime) -> str:
    """The rows of ``entity`` whose ``MetaData.LastUpdatedTime`` is in [start, end)."""
    if not entity.isidentifier():
        raise ValueError(f"not a QBO entity name: {entity!r}")
    return (
        f"SELECT * FROM {entity} WHERE Metadata.LastUpdatedTime >= {quote(start)} "
        f"AND Metadata.LastUpdatedTime < {quote(end)}"
    )
