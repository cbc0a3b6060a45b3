"""The initial ledger schema: documents, versions, audit events, cursors, credentials, sync intents.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AWARE = sa.DateTime(timezone=True)
_OPEN = sa.text("completed_at IS NULL")

_SQLITE_APPEND_ONLY = [
    f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
_POSTGRES_APPEND_ONLY = [
    """CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$""",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
       FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # documents <-> document_versions reference each other. SQLite accepts the forward reference
    # inline (and cannot ALTER one in); elsewhere the constraint is added once both tables exist.
    current_version_fk = sa.ForeignKeyConstraint(
        ["current_version_id"], ["document_versions.id"], name="fk_documents_current_version"
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("doc_type", sa.String(32), nullable=False),
        sa.Column("trading_partner_id", sa.String(64), nullable=False),
        sa.Column("business_key", sa.String(255), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("qbo_entity", sa.String(32), nullable=True),
        sa.Column("qbo_id", sa.String(64), nullable=True),
        sa.Column("qbo_sync_token", sa.String(32), nullable=True),
        sa.Column("qbo_doc_number", sa.String(64), nullable=True),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=True),
        sa.Column("created_at", _AWARE, nullable=False),
        sa.Column("updated_at", _AWARE, nullable=False),
        sa.UniqueConstraint(
            "direction", "doc_type", "trading_partner_id", "business_key", name="uq_documents_dedup_key"
        ),
        *([current_version_fk] if sqlite else []),
    )
    op.create_index("ix_documents_state", "documents", ["state"])
    op.create_table(
        "document_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("tset_purpose_code", sa.String(2), nullable=True),
        sa.Column("source_path", sa.String(1024), nullable=True),
        sa.Column("received_at", _AWARE, nullable=False),
        sa.Column("disposition", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name="fk_document_versions_document"),
        sa.UniqueConstraint("document_id", "content_hash", name="uq_document_versions_content"),
    )
    op.create_index("ix_document_versions_disposition", "document_versions", ["disposition"])
    if not sqlite:
        op.create_foreign_key(
            "fk_documents_current_version", "documents", "document_versions", ["current_version_id"], ["id"]
        )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("at", _AWARE, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=True),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name="fk_audit_events_document"),
    )
    op.create_index("ix_audit_events_document", "audit_events", ["document_id", "id"])
    for statement in _SQLITE_APPEND_ONLY if sqlite else _POSTGRES_APPEND_ONLY:
        op.execute(statement)
    op.create_table(
        "cursors",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", _AWARE, nullable=False),
    )
    op.create_table(
        "credentials",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", _AWARE, nullable=False),
    )
    op.create_table(
        "sync_intents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("requestid", sa.String(50), nullable=False),
        sa.Column("started_at", _AWARE, nullable=False),
        sa.Column("completed_at", _AWARE, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name="fk_sync_intents_document"),
        sa.ForeignKeyConstraint(["version_id"], ["document_versions.id"], name="fk_sync_intents_version"),
        sa.UniqueConstraint("requestid", name="uq_sync_intents_requestid"),
    )
    op.create_index(
        "uq_sync_intents_one_open",
        "sync_intents",
        ["document_id"],
        unique=True,
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.drop_table("sync_intents")
    op.drop_table("credentials")
    op.drop_table("cursors")
    op.drop_table("audit_events")
    if not sqlite:
        op.execute("DROP FUNCTION audit_events_append_only()")
        op.drop_constraint("fk_documents_current_version", "documents", type_="foreignkey")
    op.drop_table("document_versions")
    op.drop_table("documents")
