"""Checking outbound documents against SPS's RSX JSON Schemas, when the operator has them.

The schemas are SPS's copyright and never ship with qbsps: ``QBSPS_RSX_SCHEMA_DIR`` names a folder
holding them (``Invoices.json``, ``OrderAcks.json``, …) or a folder of version folders (``v777/``,
``v770/``: the highest version that has the file wins; a version folder also falls back to its
older siblings, so ``…/v777`` finds ``Shipments.json`` in ``…/v770``). Documents are checked in
their JSON form (the same element tree is written as XML for XML partners), money as Decimal.
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

SCHEMA_DIR_ENV = "QBSPS_RSX_SCHEMA_DIR"
SCHEMA_FILES = {
    "Order": "Orders.json",
    "OrderAck": "OrderAcks.json",
    "Invoice": "Invoices.json",
    "Shipment": "Shipments.json",
    "ItemRegistry": "ItemRegistries.json",
}
MAX_PROBLEMS = 20


class RsxSchemas:
    """One validator per document type, loaded on first use (the files are several MiB) and cached."""

    def __init__(self, folder: Path | None) -> None:
        if folder is not None and not folder.is_dir():
            raise ValueError(f"{SCHEMA_DIR_ENV}={folder} is not a folder")
        self.folder = folder
        self._lock = threading.Lock()
        self._validators: dict[str, Draft7Validator | None] = {}

    @classmethod
    def from_environment(cls) -> RsxSchemas:
        value = os.environ.get(SCHEMA_DIR_ENV)
        return cls(Path(value) if value else None)

    def schema_file(self, doc_type: str) -> Path | None:
        if self.folder is None or doc_type not in SCHEMA_FILES:
            return None
        name = SCHEMA_FILES[doc_type]
        if (self.folder / name).is_file():
            return self.folder / name
        versions = _version_folders(self.folder)
        if _VERSION.match(self.folder.name):  # e.g. v777 lacks Shipments.json: an older sibling has it
            versions += [v for v in _version_folders(self.folder.parent) if v.name < self.folder.name]
        return next((v / name for v in versions if (v / name).is_file()), None)

    def available(self, doc_type: str) -> bool:
        return self._validator(doc_type) is not None

    def problems(self, doc_type: str, document: dict[str, Any]) -> list[str]:
        """Schema violations as ``dotted.path: message``; [] when valid or no schema is available."""
        validator = self._validator(doc_type)
        if validator is None:
            return []
        errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
        return [f"{_path(e.absolute_path)}: {e.message}" for e in errors[:MAX_PROBLEMS]]

    def _validator(self, doc_type: str) -> Draft7Validator | None:
        with self._lock:
            if doc_type not in self._validators:
                path = self.schema_file(doc_type)
                validator = None
                if path is not None:
                    root = json.loads(path.read_text(encoding="utf-8-sig"))
                    root.pop("schema", None)  # SPS's non-standard top-level key
                    single = {"definitions": root.get("definitions", {}), "$ref": f"#/definitions/{doc_type}"}
                    validator = Draft7Validator(single, format_checker=Draft7Validator.FORMAT_CHECKER)
                self._validators[doc_type] = validator
            return self._validators[doc_type]


_VERSION = re.compile(r"^v\d+$")


def _version_folders(folder: Path) -> list[Path]:
    """Version folders (v777, v770, …), newest first."""
    return sorted(
        (p for p in folder.iterdir() if p.is_dir() and _VERSION.match(p.name)),
        key=lambda p: p.name,
        reverse=True,
    )


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"
