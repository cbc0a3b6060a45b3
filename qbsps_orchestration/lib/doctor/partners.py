"""Each trading partner: its QBO Vendor and Customer exist and are active, and every row of its
item cross-reference names an existing, active QBO Item."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..config import QboRef, QbspsConfig, TradingPartner
from ..qbo import QboClient, QboError
from ..qbo.refs import QboRefResolver, UnknownReferenceError
from .results import CheckResult, failed, passed, problem_text

OBJECT_NOT_FOUND = "610"
ALL_ITEMS = "SELECT * FROM Item WHERE Active IN (true, false)"


def partner_check_name(partner: TradingPartner) -> str:
    return f"partner {partner.trading_partner_id}"


def partner_checks(config: QbspsConfig, qbo: QboClient) -> Iterator[CheckResult]:
    resolver = QboRefResolver(qbo)  # names looked up in QBO itself, not in a ledger snapshot
    items = _ItemsOnce(qbo)
    for index, partner in enumerate(config.trading_partners):
        name = partner_check_name(partner)
        try:
            problems, found = _partner_problems(config, qbo, resolver, items, index, partner)
        except Exception as exc:  # QBO down halfway: this partner fails, the next one is still tried
            yield failed(name, problem_text(exc), "run qbsps doctor again once QuickBooks answers")
            continue
        if problems:
            fix = (
                f"qbsps partners add {partner.trading_partner_id} finds or creates its Vendor and "
                "Customer; make an inactive QBO record active again, or point the config keys named "
                "at the right ones"
            )
            yield failed(name, "; ".join(problems), fix)
        else:
            yield passed(name, found)


def _partner_problems(
    config: QbspsConfig,
    qbo: QboClient,
    resolver: QboRefResolver,
    items: Callable[[], dict[str, dict]],
    index: int,
    partner: TradingPartner,
) -> tuple[list[str], str]:
    where = f"trading_partners[{index}]"
    problems: list[str] = []
    found: list[str] = []
    for entity, key, ref in (
        ("Vendor", "qbo_vendor", partner.qbo_vendor),
        ("Customer", "qbo_customer", partner.qbo_customer),
    ):
        row, problem = _name_entity(qbo, resolver, entity, ref)
        if problem:
            problems.append(f"{where}.{key}: {problem}")
        elif row is not None:
            found.append(f"{entity} {row['Id']} {row.get('DisplayName')!r}")
    rows = config.item_crossref.items_for_partner(partner.trading_partner_id)
    by_id = items()
    by_name = {row.get("Name"): row for row in by_id.values()}
    for source, ref in rows:
        item = by_id.get(ref.id) if ref.id is not None else by_name.get(ref.name)
        if item is None:
            problems.append(f"{source}: QBO Item {ref} does not exist")
        elif not item.get("Active", True):
            problems.append(f"{source}: QBO Item {ref} ({item.get('Name')}) is inactive")
    found.append(f"{len(rows)} item row(s) map to active QBO Items")
    return problems, ", ".join(found)


def _name_entity(
    qbo: QboClient, resolver: QboRefResolver, entity: str, ref: QboRef
) -> tuple[dict | None, str | None]:
    """The QBO row the reference names, or what is wrong with it. A QBO name entity is never
    deleted: "deleted" in QuickBooks makes it inactive."""
    try:
        entity_id = resolver(entity, ref)  # by name: only an active record answers
        row = qbo.read(entity, entity_id)
    except UnknownReferenceError as exc:
        return None, f"{exc} (or it is inactive)"
    except QboError as exc:
        if exc.code == OBJECT_NOT_FOUND:
            return None, f"QBO {entity} {ref} does not exist"
        raise
    if not row.get("Active", True):
        return row, f"QBO {entity} {row['Id']} {row.get('DisplayName')!r} is inactive (deleted in QuickBooks)"
    return row, None


class _ItemsOnce:
    """Every QBO Item, active or not, read once for all partners."""

    def __init__(self, qbo: QboClient) -> None:
        self._qbo = qbo
        self._items: dict[str, dict] | None = None

    def __call__(self) -> dict[str, dict]:
        if self._items is None:
            self._items = {str(row["Id"]): row for row in self._qbo.query_all("Item", ALL_ITEMS)}
        return self._items
