"""credentials: a refresh lease (holder, expiry) and the "reconnect needed" state.

The lease lets one process refresh a token without holding a database lock across the HTTP call;
the reconnect columns are plain text (never a secret) so `qbsps status` shows them without a key.

Revision ID: 0006_credential_leases
Revises: 0005_item_links
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_credential_leases"
down_revision: str | None = "0005_item_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("lease_holder", "lease_expires_at", "reconnect_reason", "reconnect_since")


def upgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(sa.Column("lease_holder", sa.String(128), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reconnect_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("reconnect_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        for column in reversed(_COLUMNS):
            batch.drop_column(column)
