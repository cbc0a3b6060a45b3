"""Optional JSON Schema validation of uploads against SPS's published RSX JSON Schemas.

The schemas are SPS's copyright, so they are never shipped with qbsps: point the environment
variable ``QBSPS_RSX_SCHEMA_DIR`` at a folder holding them (``Invoices.json``, ``OrderAcks.json``,
…), or at a folder of version folders (``v777/``, ``v770/``: the highest version that has the file
wins). XML documents are converted to the JSON form under the schema's guidance (arrays where the
schema has arrays, numbers where it has numbers), so both forms meet the same rules.
"""

from __future__ import annotations

import json
import os
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from jsonschema import Draft7Validator

SCHEMA_DIR_ENV = "QBSPS_RSX_SCHEMA_DIR"
SCHEMA_FILES = {
    "Order": "Orders.json",
    "OrderAck": "OrderAcks.json",
    "OrderChange": "OrderChanges.json",
    "Invoice": "Invoices.json",
    "Shipment": "Shipments.json",
    "ItemRegistry": "ItemRegistries.json",
}
MAX_REASONS = 10


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class RsxSchemas:
    """Validators per document type, loaded lazily (the files are several MiB) and cached."""

    def __init__(self, folder: Path | None) -> None:
        if folder is not None and not folder.is_dir():
            raise ValueError(f"{SCHEMA_DIR_ENV}={folder} is not a folder")
        self.folder = folder
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[Draft7Validator, dict] | None] = {}

    @classmethod
    def from_environment(cls) -> RsxSchemas:
        value = os.environ.get(SCHEMA_DIR_ENV)
        return cls(Path(value) if value else None)

    def schema_file(self, doc_type: str) -> Path | None:
        if self.folder is None or doc_type not in SCHEMA_FILES:
            return None
        name = SCHEMA_FILES[doc_type]
        direct = self.folder / name
        if direct.is_file():
            return direct
        versions = sorted((p for p in self.folder.iterdir() if p.is_dir()), key=lambda p: p.name)
        versions.reverse()  # v777 before v770
        return next((v / name for v in versions if (v / name).is_file()), None)

    def _validator(self, doc_type: str) -> tuple[Draft7Validator, dict] | None:
        with self._lock:
            if doc_type not in self._cache:
                path = self.schema_file(doc_type)
                if path is None:
                    self._cache[doc_type] = None
                else:
                    root = json.loads(path.read_text(encoding="utf-8-sig"))
                    root.pop("schema", None)  # SPS's non-standard top-level key
                    definitions = root.get("definitions", {})
                    single = {"definitions": definitions, "$ref": f"#/definitions/{doc_type}"}
                    validator = Draft7Validator(single, format_checker=Draft7Validator.FORMAT_CHECKER)
                    self._cache[doc_type] = (validator, single)
            return self._cache[doc_type]

    def validate(self, doc_type: str, document: Any) -> list[str]:
        """Schema violations of one JSON-form document; [] if valid or no schema is available."""
        found = self._validator(doc_type)
        if found is None:
            return []
        validator, _ = found
        errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
        return [f"{_where(e.absolute_path)}: {e.message}" for e in errors[:MAX_REASONS]]

    def validate_xml(self, doc_type: str, element: Element) -> list[str]:
        found = self._validator(doc_type)
        if found is None:
            return []
        _, single = found
        definitions = single["definitions"]
        return self.validate(doc_type, xml_to_json(element, definitions.get(doc_type, {}), definitions))


def _where(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def _resolve(node: dict, definitions: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        node = definitions.get(node["$ref"].rsplit("/", 1)[-1], {})
    return node if isinstance(node, dict) else {}


def xml_to_json(element: Element, node: dict, definitions: dict) -> Any:
    """Convert an RSX XML element to its JSON form, guided by the schema node it should match.

    Anything the schema does not know is kept as text (or a dict) so the validator reports it.
    """
    node = _resolve(node, definitions)
    if len(element) or node.get("type") == "object":
        props = node.get("properties", {})
        out: dict[str, Any] = {}
        for child in element:
            name = local_name(child.tag)
            child_node = _resolve(props.get(name, {}), definitions)
            if child_node.get("type") == "array":
                out.setdefault(name, []).append(xml_to_json(child, child_node.get("items", {}), definitions))
            elif name in out:  # repeated element where the schema allows one: let validation say so
                previous = out[name]
                out[name] = (previous if isinstance(previous, list) else [previous]) + [
                    xml_to_json(child, child_node, definitions)
                ]
            else:
                out[name] = xml_to_json(child, child_node, definitions)
        return out
    return _scalar((element.text or "").strip(), node.get("type"))


def _scalar(text: str, kind: Any) -> Any:
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return Decimal(text)  # Decimal, not float: money stays exact even just for checking
    except (ValueError, ArithmeticError):
        return text
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text
