"""The retailer of the dev stack (`qbsps dev order`): a new purchase order delivered into SPS `out/PO/`.

SANDBOX ONLY: real SPS never lets a supplier's keys write into `out/`; the sandbox does, standing in
for SPS delivering a retailer's order, so the order arrives over the wire like any other. The order
reuses the lines of the partner's demo order (items the sandbox company knows) under a fresh PO
number, in the partner's configured RSX format.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from .lib.config import QbspsConfig, TradingPartner
from .lib.connector import sps_client
from .lib.sps import SpsClient
from .sandbox.seed_catalog import SeedPartner
from .sandbox.sps.demo_orders import DEMO_ORDERS, DemoOrder, order_file

SCENARIO = "Dev"  # in the file name, beside the PO number: `PO0612143015-v7.7-Dev.json`
HISTORY_PAGE = 1000


class UnknownPartnerError(LookupError):
    pass


@dataclass(frozen=True)
class DroppedOrder:
    partner: TradingPartner
    po_number: str
    path: str  # where it sits in the mailbox, e.g. out/PO/PO0612143015-v7.7-Dev.json


def choose_partner(config: QbspsConfig, trading_partner_id: str | None) -> TradingPartner:
    """The named partner, or the config's first one."""
    if trading_partner_id is None:
        return config.trading_partners[0]
    for partner in config.trading_partners:
        if partner.trading_partner_id == trading_partner_id:
            return partner
    known = ", ".join(p.trading_partner_id for p in config.trading_partners)
    raise UnknownPartnerError(f"no trading partner {trading_partner_id!r} in the config (it has: {known})")


def fresh_po_number(now: datetime, used: Iterable[str]) -> str:
    """A PO number from the time (readable, sortable), suffixed only if that second is taken."""
    base = f"PO{now.astimezone(UTC):%m%d%H%M%S}"
    taken = set(used)
    number, n = base, 1
    while number in taken:
        n += 1
        number = f"{base}-{n}"
    return number


def delivered_po_numbers(sps: SpsClient, folder: str) -> set[str]:
    """PO numbers of every order file SPS has delivered into ``folder`` (history keeps the ones
    the connector already fetched and deleted), plus those still waiting there."""
    paths = [entry.relative_path for entry in sps.iter_files(folder)]
    offset = 0
    while True:
        page = sps.history(limit=HISTORY_PAGE, offset=offset)
        paths += [str(item.get("path", "")).lstrip("/") for item in page.get("results", [])]
        if "next" not in page.get("paging", {}):
            break
        offset += HISTORY_PAGE
    names = [path.removeprefix(folder) for path in paths if path.startswith(folder)]
    return {name.split("-v7.7-")[0] for name in names}


def retailer_order(partner: TradingPartner, po_number: str) -> DemoOrder:
    """The partner's demo order (or the first one, for a partner without its own) renumbered."""
    template = next(
        (o for o in DEMO_ORDERS if o.partner.trading_partner_id == partner.trading_partner_id), None
    )
    seed = SeedPartner(partner.trading_partner_id, partner.vendor_number, partner.name, partner.rsx_format)
    return replace(template or DEMO_ORDERS[0], partner=seed, po_number=po_number, scenario=SCENARIO)


def drop_order(config: QbspsConfig, trading_partner_id: str | None = None) -> DroppedOrder:
    partner = choose_partner(config, trading_partner_id)
    folder = config.sps.folders.orders
    now = datetime.now(UTC)
    sps = sps_client(config)
    try:
        order = retailer_order(partner, fresh_po_number(now, delivered_po_numbers(sps, folder)))
        path = folder + order.file_name
        sps.upload(path, order_file(order, now.date()))
    finally:
        sps.close()
    return DroppedOrder(partner, order.po_number, path)
