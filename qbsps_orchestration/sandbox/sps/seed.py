"""What the SPS mailbox starts with: purchase orders waiting in ``out/PO/``.

With SPS's published samples on the machine (``settings.samples_dir`` = the ``sps_samples``
folder, never copied into this repository) the four RSX JSON sample orders are delivered, each
given the distinct PO number its file name carries (the published files all reuse
``PO584615-1``), plus the XML sample as published (partner 525GROMM). Without them, qbsps's own
demo orders are delivered instead (``demo_orders``).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from .demo_orders import demo_order_files
from .rsx_check import BOM
from .service import SpsMailboxService

JSON_ORDERS = Path("rsx_json_samples") / "Orders_850"
XML_ORDER = Path("rsx_xml_samples") / "PurchaseOrderTest.xml"
# Delivered under SPS's own naming (<prefix><PO>-v7.7-<scenario>), so prefix listings see it too.
XML_ORDER_NAME = "PO584615-1-v7.7-PurchaseOrderTest.xml"
PO_IN_FILE_NAME = re.compile(r"^(PO\d+-\d+)")


def published_samples(samples_dir: Path) -> dict[str, bytes]:
    """The four JSON sample orders exactly as SPS published them (all ``PO584615-1``)."""
    folder = Path(samples_dir) / JSON_ORDERS
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.json"))}


def with_po_number(raw: bytes, po_number: str, name: str = "sample") -> bytes:
    """The same order with ``Header.OrderHeader.PurchaseOrderNumber`` set; key order and a
    leading byte-order mark are kept, so only that value differs semantically."""
    has_bom = raw.startswith(BOM)
    document = json.loads(raw.decode("utf-8-sig"))
    try:
        header = document["Header"]["OrderHeader"]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{name}: no Header.OrderHeader to carry PurchaseOrderNumber") from exc
    header["PurchaseOrderNumber"] = po_number
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return (BOM if has_bom else b"") + text.encode("utf-8")


def sample_order_files(samples_dir: Path) -> dict[str, bytes]:
    """File name -> content for the published samples, each with its own PO number."""
    files: dict[str, bytes] = {}
    for name, raw in published_samples(samples_dir).items():
        match = PO_IN_FILE_NAME.match(name)
        if match is None:
            raise ValueError(f"{name}: the file name carries no PO number (expected PO<digits>-<n>…)")
        files[name] = with_po_number(raw, match.group(1), name)
    xml_sample = Path(samples_dir) / XML_ORDER
    if xml_sample.is_file():
        files[XML_ORDER_NAME] = xml_sample.read_bytes()
    return files


def seed_order_files(samples_dir: Path | None, today: date) -> dict[str, bytes]:
    if samples_dir is not None and (Path(samples_dir) / JSON_ORDERS).is_dir():
        return sample_order_files(Path(samples_dir))
    return demo_order_files(today)


def seed_mailbox(service: SpsMailboxService, samples_dir: Path | None, today: date) -> list[str]:
    """Deliver the starting orders into the orders folder; returns their paths."""
    return [
        service.deliver(service.orders_folder + name, content)
        for name, content in seed_order_files(samples_dir, today).items()
    ]
