"""item_links: retailer identifiers linked to QBO Items that qbsps created for them.

Revision ID: 0005_item_links
Revises: 0004_reference_snapshots
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_item_links"
down_revision: str | None = "0004_reference_snapshots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("trading_partner_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.String(128), nullable=False),
        sa.Column("qbo_item_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("trading_partner_id", "kind", "value", name="uq_item_links_identifier"),
    )


def downgrade() -> None:
    op.drop_table("item_links")
