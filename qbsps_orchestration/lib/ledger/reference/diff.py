"""What one refresh of a QBO reference snapshot changed, in counts, ids and a line for people."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ChangedEntity:
    qbo_id: str
    fields: tuple[str, ...]  # top-level QBO fields whose value differs, sorted


@dataclass(frozen=True)
class ReferenceDiff:
    """What one refresh did to the snapshot of one entity of one realm (ids are QBO Ids)."""

    realm_id: str
    entity: str
    added: tuple[str, ...] = ()
    changed: tuple[ChangedEntity, ...] = ()
    unchanged: tuple[str, ...] = ()
    deactivated: tuple[str, ...] = ()  # Active became false
    deleted: tuple[str, ...] = ()

    @property
    def removed(self) -> tuple[str, ...]:
        return self.deactivated + self.deleted

    @property
    def changed_fields(self) -> tuple[str, ...]:
        return tuple(sorted({name for change in self.changed for name in change.fields}))

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
            "deactivated": len(self.deactivated),
            "deleted": len(self.deleted),
        }

    @property
    def summary(self) -> str:
        """E.g. ``3 added, 1 changed (DisplayName), 0 removed``."""
        changed = f"{len(self.changed)} changed"
        if fields := self.changed_fields:
            changed += f" ({', '.join(fields)})"
        removed = f"{len(self.removed)} removed"
        if self.deactivated and self.deleted:
            removed += f" ({len(self.deactivated)} deactivated, {len(self.deleted)} deleted)"
        return f"{len(self.added)} added, {changed}, {removed}"

    def merge(self, later: ReferenceDiff) -> ReferenceDiff:
        """This diff followed by `later` (the next CDC page): an id keeps its first, strongest fate."""
        if (later.realm_id, later.entity) != (self.realm_id, self.entity):
            raise ValueError(f"cannot merge a {later.entity} diff into a {self.entity} diff")
        added = _ordered(self.added, later.added)
        deleted = _ordered(self.deleted, later.deleted)
        deactivated = [i for i in _ordered(self.deactivated, later.deactivated) if i not in deleted]
        settled = set(added) | set(deleted) | set(deactivated)
        changed: dict[str, set[str]] = {}
        for change in (*self.changed, *later.changed):
            if change.qbo_id not in settled:
                changed.setdefault(change.qbo_id, set()).update(change.fields)
        settled |= set(changed)
        return ReferenceDiff(
            self.realm_id,
            self.entity,
            added=tuple(added),
            changed=tuple(ChangedEntity(i, tuple(sorted(f))) for i, f in changed.items()),
            unchanged=tuple(i for i in _ordered(self.unchanged, later.unchanged) if i not in settled),
            deactivated=tuple(deactivated),
            deleted=tuple(deleted),
        )


def _ordered(*groups: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for group in groups for i in group))
