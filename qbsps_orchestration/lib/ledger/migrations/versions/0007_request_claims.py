"""request_claims: the API calls a shared request budget allowed (one row per call, kept for the
longest window), so every process of one company draws from one QBO throttle budget.

Revision ID: 0007_request_claims
Revises: 0006_credential_leases
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_request_claims"
down_revision: str | None = "0006_credential_leases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_claims",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("budget", sa.String(128), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_request_claims_budget_time", "request_claims", ["budget", "claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_request_claims_budget_time", table_name="request_claims")
    op.drop_table("request_claims")
