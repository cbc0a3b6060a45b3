"""The RSX 7.7.7 Shipment constraints derived from SPS's generated classes, applied to a document.

SPS has not published the v7.7.7 ``Shipments.json``; the derived file
(``sps_samples/derived/rsx777_orders_shipments_constraints.json``) lists, per generated class,
the fields with their types, enums, formats and lengths, the required fields and the ``oneOf``
rules. It is SPS-derived data: it is read at run time from where the operator keeps it, never
copied into qbsps. Every object is closed, as in SPS's schemas: an unknown element is a problem.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..codes import is_rsx_date

CONSTRAINTS_NAME = "rsx777_orders_shipments_constraints.json"
ROOT_CLASS = "Shipment"
# HH:MM:SS, optional fraction, optional Z or ±HH:MM offset (RSX "time", per SPS's samples).
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$")

Classes = dict[str, dict[str, Any]]


def constraints_file_near(folder: Path | None) -> Path | None:
    """The derived constraints file in `folder`, ``folder/derived`` or the ``derived`` folder of a
    parent (``QBSPS_RSX_SCHEMA_DIR`` usually names ``sps_samples/schemas/v777``); None if absent."""
    if folder is None:
        return None
    for base in (folder, *list(folder.parents)[:3]):
        for candidate in (base / CONSTRAINTS_NAME, base / "derived" / CONSTRAINTS_NAME):
            if candidate.is_file():
                return candidate
    return None


def load_shipment_classes(path: Path) -> Classes:
    stat = path.stat()
    return _load(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load(path: str, _mtime_ns: int, _size: int) -> Classes:
    root = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    try:
        classes = root["documents"]["Shipments"]
    except (KeyError, TypeError):
        raise ValueError(f"{path}: no documents.Shipments constraints in this file") from None
    if ROOT_CLASS not in classes:
        raise ValueError(f"{path}: the Shipments constraints have no {ROOT_CLASS!r} class")
    return classes


def constraint_problems(data: dict[str, Any], classes: Classes) -> list[tuple[str, str]]:
    """``(RSX path, reason)`` for every way `data` breaks the v7.7.7 Shipment constraints."""
    problems: list[tuple[str, str]] = []
    _object(data, ROOT_CLASS, "", classes, problems)
    return problems


def _object(value: Any, class_name: str, path: str, classes: Classes, out: list[tuple[str, str]]) -> None:
    where = path or "(document)"
    if not isinstance(value, dict):
        out.append((where, f"expected a group of elements, got {type(value).__name__}"))
        return
    spec = classes[class_name]
    fields: dict[str, Any] = spec["fields"]
    for name in spec.get("required", []):
        if value.get(name) is None:
            out.append((_join(path, name), "required element is missing"))
    present = [names for names in spec.get("oneOf_required_sets", []) if all(n in value for n in names)]
    if len(present) > 1:
        listed = " and ".join("/".join(names) for names in present)
        out.append((where, f"may hold only one of {listed}"))
    for name, item in value.items():
        child = _join(path, name)
        if name not in fields:
            out.append((child, "unknown element (not in the RSX 7.7.7 Shipment)"))
            continue
        if item is None:
            continue
        _field(item, fields[name], child, classes, out)


def _field(value: Any, spec: dict[str, Any], path: str, classes: Classes, out: list[tuple[str, str]]) -> None:
    kind = spec.get("type")
    if kind == "arr":
        if not isinstance(value, list):
            out.append((path, f"expected a list, got {type(value).__name__}"))
            return
        for index, item in enumerate(value):
            _object(item, spec["items"], f"{path}[{index}]", classes, out)
    elif kind in classes:
        _object(value, kind, path, classes, out)
    elif kind == "string":
        _string(value, spec, path, out)
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            out.append((path, f"expected a number, got {value!r:.40}"))
    elif kind == "integer":
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, Decimal) and value == value.to_integral_value())
        ):
            out.append((path, f"expected a whole number, got {value!r:.40}"))
    elif kind == "boolean" and not isinstance(value, bool):
        out.append((path, f"expected true or false, got {value!r:.40}"))


def _string(value: Any, spec: dict[str, Any], path: str, out: list[tuple[str, str]]) -> None:
    if not isinstance(value, str):
        out.append((path, f"expected text, got {value!r:.40}"))
        return
    if "minLength" in spec and len(value) < int(spec["minLength"]):
        out.append((path, f"must have at least {spec['minLength']} characters"))
    if "maxLength" in spec and len(value) > int(spec["maxLength"]):
        out.append((path, f"must have at most {spec['maxLength']} characters, has {len(value)}"))
    if "enum" in spec and value not in spec["enum"]:
        shown = ", ".join(spec["enum"][:12]) + (", …" if len(spec["enum"]) > 12 else "")
        out.append((path, f"{value!r} is not an allowed code ({shown})"))
    fmt = spec.get("format")
    if fmt == "date" and not is_rsx_date(value):
        out.append((path, f"{value!r} is not a date YYYY-MM-DD"))
    elif fmt == "time" and not _TIME.match(value):
        out.append((path, f"{value!r} is not a time HH:MM:SS"))


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
