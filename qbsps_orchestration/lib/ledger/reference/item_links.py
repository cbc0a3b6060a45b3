"""Identifiers linked to QBO Items that qbsps created (see models.ItemLink)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit import AuditContext, record_event
from ..storage.models import ItemLink


def find_item_link(
    session: Session, trading_partner_id: str, identifiers: list[tuple[str, str]]
) -> str | None:
    for kind, value in identifiers:
        found = session.scalar(
            select(ItemLink.qbo_item_id).where(
                ItemLink.trading_partner_id == trading_partner_id,
                ItemLink.kind == kind,
                ItemLink.value == value,
            )
        )
        if found is not None:
            return found
    return None


def add_item_links(
    session: Session,
    context: AuditContext,
    trading_partner_id: str,
    identifiers: list[tuple[str, str]],
    qbo_item_id: str,
) -> None:
    for kind, value in identifiers:
        exists = session.scalar(
            select(ItemLink.id).where(
                ItemLink.trading_partner_id == trading_partner_id,
                ItemLink.kind == kind,
                ItemLink.value == value,
            )
        )
        if exists is None:
            session.add(
                ItemLink(
                    trading_partner_id=trading_partner_id, kind=kind, value=value, qbo_item_id=qbo_item_id
                )
            )
    session.flush()
    record_event(
        session,
        context,
        "item_linked",
        after={
            "trading_partner_id": trading_partner_id,
            "identifiers": identifiers,
            "qbo_item_id": qbo_item_id,
        },
    )
