"""Turn pydantic's `ValidationError` into ``(dotted key, reason)`` pairs a person can act on."""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Sequence
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

_KEYED_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w.\[\]]*): (?P<reason>.+)$")


def dotted_key(loc: Sequence[str | int]) -> str:
    """``("trading_partners", 1, "rsx_format")`` → ``trading_partners[1].rsx_format``."""
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
    return key


def problems_from_validation_error(exc: ValidationError, root: type[BaseModel]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for error in exc.errors(include_url=False):
        key, reason = dotted_key(error["loc"]), _reason(error, root)
        if not key and error["type"] == "value_error":
            # Whole-model checks (duplicates across a list) report "key: reason" lines themselves.
            for line in reason.splitlines():
                keyed = _KEYED_LINE.match(line)
                problems.append((keyed["key"], keyed["reason"]) if keyed else ("", line))
        else:
            problems.append((key, reason))
    return problems


def _reason(error: Any, root: type[BaseModel]) -> str:
    kind, message, loc = error["type"], error["msg"], error["loc"]
    if kind == "missing":
        return "missing required key"
    if kind == "extra_forbidden":
        return _unknown_key(root, loc)
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if kind in ("literal_error", "enum") and isinstance(error.get("input"), str | int):
        # Safe to echo: the input of a choice field is a short word, never a credential.
        return f"{message} (got {error['input']!r})"
    return message


def _unknown_key(root: type[BaseModel], loc: Sequence[str | int]) -> str:
    name = str(loc[-1])
    model = _model_at(root, loc[:-1])
    if model is None:
        return "unknown key"
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown key; did you mean {close[0]!r}?"
    return f"unknown key; allowed here: {', '.join(allowed)}"


def _model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    annotation: Any = root
    for part in loc:
        annotation = _strip_optional(annotation)
        if isinstance(part, int):
            if get_origin(annotation) is not list:
                return None
            annotation = get_args(annotation)[0]
            continue
        model = _as_model(annotation)
        if model is None or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
    return _as_model(_strip_optional(annotation))


def _strip_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _as_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None
