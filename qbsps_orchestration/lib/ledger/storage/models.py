"""ORM tables of the ledger. The migrations create exactly this schema (a test compares them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on every backend.

    PostgreSQL keeps the offset (timestamptz); SQLite has no zone, so values are stored as naive UTC
    and made aware again on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"the ledger only stores timezone-aware datetimes, got naive {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Document(Base):
    """One business document per dedup key, however often it is fetched or replayed."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint(
            "direction", "doc_type", "trading_partner_id", "business_key", name="uq_documents_dedup_key"
        ),
        Index("ix_documents_state", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    direction: Mapped[str] = mapped_column(String(16))
    doc_type: Mapped[str] = mapped_column(String(32))
    trading_partner_id: Mapped[str] = mapped_column(String(64))
    business_key: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16))
    qbo_entity: Mapped[str | None] = mapped_column(String(32))
    qbo_id: Mapped[str | None] = mapped_column(String(64))
    qbo_sync_token: Mapped[str | None] = mapped_column(String(32))
    qbo_doc_number: Mapped[str | None] = mapped_column(String(64))
    # Circular with document_versions.document_id; the migration adds it after both tables exist.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_versions.id", name="fk_documents_current_version", use_alter=True)
    )
    reason: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DocumentVersion(Base):
    """Every distinct payload received for a document, raw, so any of them can be replayed."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "content_hash", name="uq_document_versions_content"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", name="fk_document_versions_document"))
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    format: Mapped[str] = mapped_column(String(16))
    tset_purpose_code: Mapped[str | None] = mapped_column(String(2))
    source_path: Mapped[str | None] = mapped_column(String(1024))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    disposition: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(Text)


class AuditEvent(Base):
    """Append-only (the migration adds triggers that refuse UPDATE and DELETE)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_document", "document_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", name="fk_audit_events_document")
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    run_id: Mapped[str | None] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    detail: Mapped[str | None] = mapped_column(Text)


class Cursor(Base):
    __tablename__ = "cursors"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Credential(Base):
    __tablename__ = "credentials"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    ciphertext: Mapped[str] = mapped_column(Text)  # a Fernet token: never the plaintext
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # A refresh in flight: who holds it and until when (no database lock is held meanwhile).
    lease_holder: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Set when the stored refresh token is dead (invalid_grant); cleared by a new value.
    reconnect_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    reconnect_since: Mapped[datetime | None] = mapped_column(nullable=True)


class SyncIntent(Base):
    """A remote write announced before it is made; open (completed_at NULL) means "reconcile first"."""

    __tablename__ = "sync_intents"
    __table_args__ = (
        # At most one remote write in flight per document, enforced by the database itself.
        Index(
            "uq_sync_intents_one_open",
            "document_id",
            unique=True,
            sqlite_where=text("completed_at IS NULL"),
            postgresql_where=text("completed_at IS NULL"),
        ),
        UniqueConstraint("requestid", name="uq_sync_intents_requestid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", name="fk_sync_intents_document"))
    version_id: Mapped[int] = mapped_column(
        ForeignKey("document_versions.id", name="fk_sync_intents_version")
    )
    operation: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column(Integer)
    requestid: Mapped[str] = mapped_column(String(50))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)


class ReceivedFile(Base):
    """Which documents a mailbox file held. A partition is a file; this finds its documents again
    after the file left the mailbox, duplicates included (they add no version of their own)."""

    __tablename__ = "received_files"
    __table_args__ = (Index("ix_received_files_source_path", "source_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_path: Mapped[str] = mapped_column(String(1024))
    content_hash: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChangeRecord(Base):
    """The change inbox: one row per QBO change, however many paths (webhook, CDC, sweep) saw it.

    The unique identity is (realm, entity, id, LastUpdatedTime in whole UTC seconds); a row is
    pending until a run marks it handled."""

    __tablename__ = "change_inbox"
    __table_args__ = (
        UniqueConstraint("realm_id", "entity", "entity_id", "changed_at", name="uq_change_inbox_identity"),
        Index("ix_change_inbox_pending", "handled_at", "entity", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column()
    operation: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))  # the path that saw it first
    event_id: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column()
    run_id: Mapped[str | None] = mapped_column(String(64))


class SequenceCounter(Base):
    """Named counters (e.g. SSCC serial references per GS1 company prefix); `value` is the last
    number handed out, so a value is never given twice."""

    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReferenceEntity(Base):
    """The latest known copy of one QBO name-list row (Vendor, Customer, Item, Account), so syncs
    look reference data up without reading QBO. `data` is the row as QBO sent it, with exact
    decimal numbers stored as their text (JSON has no Decimal)."""

    __tablename__ = "reference_entities"
    __table_args__ = (
        UniqueConstraint("realm_id", "entity", "qbo_id", name="uq_reference_entities_identity"),
        Index("ix_reference_entities_name", "realm_id", "entity", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    qbo_id: Mapped[str] = mapped_column(String(64))
    sync_token: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    last_updated: Mapped[datetime] = mapped_column()  # QBO MetaData.LastUpdatedTime
    deleted_at: Mapped[datetime | None] = mapped_column()  # a CDC "Deleted" stub, or gone from a full refresh
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ItemLink(Base):
    """A retailer's identifier that qbsps linked to a QBO Item it created (partner policy "create"):
    the next order with the same code finds that item instead of creating another."""

    __tablename__ = "item_links"
    __table_args__ = (
        UniqueConstraint("trading_partner_id", "kind", "value", name="uq_item_links_identifier"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trading_partner_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))  # upc | gtin | buyer_part_number | vendor_part_number
    value: Mapped[str] = mapped_column(String(128))
    qbo_item_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
