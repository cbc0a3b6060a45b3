"""Where a credential comes from: ``{env: NAME}``, ``{file: path}`` or ``{value: "..."}``.

Sources are resolved lazily (at the moment a client needs the secret), so loading a config never
reads secrets, and a missing environment variable only matters to the code that needs it. Values
are held as `SecretStr` and never appear in repr, logs or exception messages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    SecretStr,
    SerializationInfo,
    field_serializer,
    model_validator,
)

from .errors import CredentialError

_SHAPE = 'a credential must be one of {env: NAME}, {file: path} or {value: "..."}'


class CredentialSource(BaseModel):
    """Exactly one of `env`, `file` (relative to the config file) or `value`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    env: str | None = None
    file: str | None = None
    value: SecretStr | None = None

    # Set by the loader: the config key (for messages) and the folder relative `file` paths use.
    _key: str = PrivateAttr(default="credential")
    _base_dir: Path | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _mapping_only(cls, data: Any) -> Any:
        # A bare string would invite secrets pasted into the file without saying so; ask for the shape.
        if not isinstance(data, dict | CredentialSource):
            raise ValueError(_SHAPE)
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> CredentialSource:
        given = [name for name in ("env", "file", "value") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"{_SHAPE}; got {', '.join(given) or 'none'}")
        if self.env is not None and not self.env.strip():
            raise ValueError("env: the variable name is empty")
        if self.file is not None and not self.file.strip():
            raise ValueError("file: the path is empty")
        return self

    @field_serializer("value")
    def _serialize_value(self, value: SecretStr | None, info: SerializationInfo) -> str | None:
        if value is None:
            return None
        # Only dump_config asks to reveal (the sandbox writes literal credentials into its file).
        if info.context and info.context.get("reveal_secrets"):
            return value.get_secret_value()
        return str(value)

    def bind(self, key: str, base_dir: Path | None) -> None:
        """Record where this source sits in the config, for messages and relative `file` paths."""
        self._key = key
        self._base_dir = base_dir

    @property
    def key(self) -> str:
        return self._key

    @property
    def path(self) -> Path | None:
        """The file a ``{file: ...}`` source reads (a relative path resolved), else None."""
        return self._file_path() if self.file is not None else None

    def describe(self) -> str:
        """Where the secret comes from, safe to log."""
        if self.env is not None:
            return f"environment variable {self.env}"
        if self.file is not None:
            return f"file {self._file_path()}"
        return "a literal value in the config file"

    def resolve(self) -> str:
        """The secret itself. Raises `CredentialError` naming the source, never the value."""
        if self.env is not None:
            found = os.environ.get(self.env)
            if not found:
                raise CredentialError(f"{self._key}: environment variable {self.env} is not set or empty")
            return found
        if self.file is not None:
            path = self._file_path()
            try:
                found = path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise CredentialError(f"{self._key}: cannot read {path}: {exc.strerror}") from None
            if not found:
                raise CredentialError(f"{self._key}: {path} is empty")
            return found
        assert self.value is not None  # guaranteed by _exactly_one
        return self.value.get_secret_value()

    def _file_path(self) -> Path:
        assert self.file is not None
        path = Path(self.file).expanduser()
        if not path.is_absolute() and self._base_dir is not None:
            path = self._base_dir / path
        return path
