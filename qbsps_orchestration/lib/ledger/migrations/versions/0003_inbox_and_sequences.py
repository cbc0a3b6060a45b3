"""change_inbox (QBO changes from webhooks, CDC and sweeps, deduplicated) and sequences.

Revision ID: 0003_inbox_and_sequences
Revises: 0002_received_files
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_inbox_and_sequences"
down_revision: str | None = "0002_received_files"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AWARE = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "change_inbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("realm_id", sa.String(64), nullable=False),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("changed_at", _AWARE, nullable=False),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=True),
        sa.Column("received_at", _AWARE, nullable=False),
        sa.Column("handled_at", _AWARE, nullable=True),
        sa.Column("run_id", sa.String(64), nullable=True),
        sa.UniqueConstraint("realm_id", "entity", "entity_id", "changed_at", name="uq_change_inbox_identity"),
    )
    op.create_index("ix_change_inbox_pending", "change_inbox", ["handled_at", "entity", "id"])
    op.create_table(
        "sequences",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", _AWARE, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sequences")
    op.drop_index("ix_change_inbox_pending", table_name="change_inbox")
    op.drop_table("change_inbox")
