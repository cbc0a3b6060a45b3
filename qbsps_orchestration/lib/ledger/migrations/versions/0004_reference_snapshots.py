"""reference_entities: snapshots of QBO Vendors, Customers, Items and Accounts with their SyncTokens.

Revision ID: 0004_reference_snapshots
Revises: 0003_inbox_and_sequences
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_reference_snapshots"
down_revision: str | None = "0003_inbox_and_sequences"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AWARE = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reference_entities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("realm_id", sa.String(64), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("qbo_id", sa.String(64), nullable=False),
        sa.Column("sync_token", sa.String(32), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("last_updated", _AWARE, nullable=False),
        sa.Column("deleted_at", _AWARE, nullable=True),
        sa.Column("refreshed_at", _AWARE, nullable=False),
        sa.UniqueConstraint("realm_id", "entity", "qbo_id", name="uq_reference_entities_identity"),
    )
    op.create_index("ix_reference_entities_name", "reference_entities", ["realm_id", "entity", "name"])


def downgrade() -> None:
    op.drop_index("ix_reference_entities_name", table_name="reference_entities")
    op.drop_table("reference_entities")
