"""Small validated value types of the config file and the item cross-reference: QBO entity
references, URLs, identifiers. A leaf: imports no other lib package, so config and items both can."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, model_validator


def _digits_as_text(value: Any) -> Any:
    # YAML reads unquoted digits as a number; ids are text in QBO, so accept and convert.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _stripped_nonempty(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _http_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value.strip().rstrip("/")


def quoted_text(value: Any) -> Any:
    # Unquoted YAML digits lose leading zeros (YAML even reads 0123 as octal 83); refuse rather than guess.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{value} must be a quoted string (unquoted digits lose their leading zeros)")
    return value


Text = Annotated[str, AfterValidator(_stripped_nonempty)]
IdText = Annotated[str, BeforeValidator(_digits_as_text), AfterValidator(_stripped_nonempty)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
PartNumber = Annotated[str, BeforeValidator(quoted_text), AfterValidator(_stripped_nonempty)]


class QboRef(BaseModel):
    """A QBO entity by ``{id: "33"}`` or by ``{name: "Accounts Payable"}`` (exactly one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: IdText | None = None
    name: Text | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> QboRef:
        if (self.id is None) == (self.name is None):
            raise ValueError("a QBO reference needs exactly one of {id: ...} or {name: ...}")
        return self

    def __str__(self) -> str:
        return f"id={self.id}" if self.id is not None else f"name={self.name!r}"
