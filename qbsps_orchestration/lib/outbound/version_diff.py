"""Which two versions of a document to compare, and what changed between them: the last version
sent against a newer one (held, or re-sent), for `qbsps diff` and a re-sent document's metadata."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..documents.diff import FieldChange, document_diff
from ..ledger import Direction, Disposition, Ledger, VersionRecord


@dataclass(frozen=True)
class VersionDiff:
    before: VersionRecord
    after: VersionRecord
    changes: tuple[FieldChange, ...]


def sent_before(versions: Sequence[VersionRecord], version_id: int) -> VersionRecord | None:
    """The last version written to the other side before ``version_id`` (versions in id order)."""
    sent = [v for v in versions if v.id < version_id and v.disposition is Disposition.APPLIED]
    return sent[-1] if sent else None


def default_pair(versions: Sequence[VersionRecord]) -> tuple[VersionRecord, VersionRecord] | None:
    """The last version sent against the newest one (else the one before it); None for one version."""
    if len(versions) < 2:
        return None
    newest = versions[-1]
    return sent_before(versions, newest.id) or versions[-2], newest


def diff_versions(before: VersionRecord, after: VersionRecord) -> VersionDiff:
    return VersionDiff(before, after, tuple(document_diff(before.payload, after.payload)))


def diff_against_sent(ledger: Ledger, document_id: int, version_id: int) -> VersionDiff | None:
    """What ``version_id`` changes against the version sent before it; None when none was."""
    if ledger.revision(version_id) < 2:  # the first version: nothing was sent before it
        return None
    versions = ledger.versions(document_id)
    before = sent_before(versions, version_id)
    after = next((v for v in versions if v.id == version_id), None)
    if before is None or after is None:
        return None
    return diff_versions(before, after)


def diff_against_hash(
    ledger: Ledger, doc_type: str, trading_partner_id: str, content_hash: str, version_id: int
) -> VersionDiff | None:
    """A document that follows another under a new number (a changed item registry gets a new
    DocumentId): what changed against the one sent with ``content_hash``; None if not found."""
    for doc in ledger.recent_documents(Direction.OUTBOUND, doc_type, limit=200):
        if doc.trading_partner_id != trading_partner_id or doc.current_version_id in (None, version_id):
            continue
        before = ledger.version(doc.current_version_id or 0)
        if before.content_hash == content_hash:
            return diff_versions(before, ledger.version(version_id))
    return None
