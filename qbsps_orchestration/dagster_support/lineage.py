"""Lineage as the audit trail: every document materialization carries its content hash as its
Dagster data version, and the version of the document it was built from as that upstream's input
data version; a QuickBooks document a run read is observed on its source asset with its SyncToken.
So the UI shows which QuickBooks version produced which SPS document: a re-send of the same content
is the same version, a changed document a new one.

These are Dagster's own data-version tags (what it writes for an Output), set on each event here
because one step reports many partitions, each with a version of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass

import dagster as dg

from ..lib.outbound.send import QboVersion

# Dagster's tag names (dagster._core.definitions.data_version; a test keeps them equal).
DATA_VERSION_TAG = "dagster/data_version"
USER_PROVIDED_TAG = "dagster/data_version_is_user_provided"
CODE_VERSION_TAG = "dagster/code_version"
INPUT_VERSION_PREFIX = "dagster/input_data_version/"
INPUT_POINTER_PREFIX = "dagster/input_event_pointer/"
NULL_POINTER = "NULL"


@dataclass(frozen=True)
class Upstream:
    """The version of an upstream document, and the event that recorded it (None: not recorded)."""

    key: dg.AssetKey
    version: str
    storage_id: int | None = None


def qbo_version(version: QboVersion) -> str:
    return f"{version.entity} {version.id} SyncToken {version.sync_token}"


def combined(versions: Sequence[str]) -> str:
    """One document's version is its own; several (a file of orders, a partner's catalog and
    inventory advice) share the sha256 of theirs, one a line, in order."""
    if len(versions) == 1:
        return versions[0]
    return hashlib.sha256("\n".join(versions).encode()).hexdigest()


def rows_version(lines: Iterable[str]) -> str:
    """The version of a table (QBO rows by Id and SyncToken, a cross-reference): the sha256 of its
    lines in sorted order, so the same rows are the same version whatever order they came in."""
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


def document_tags(
    context: dg.AssetExecutionContext, version: str, upstream: Iterable[Upstream | None]
) -> dict:
    """Tags of one partition's materialization: its data version and what it was built from."""
    tags = {DATA_VERSION_TAG: version, USER_PROVIDED_TAG: "true", CODE_VERSION_TAG: context.run.run_id}
    for source in upstream:
        if source is None:
            continue
        name = source.key.to_user_string()
        tags[INPUT_VERSION_PREFIX + name] = source.version
        tags[INPUT_POINTER_PREFIX + name] = (
            NULL_POINTER if source.storage_id is None else str(source.storage_id)
        )
    return tags


def latest(
    instance: dg.DagsterInstance, key: dg.AssetKey, partition: str | None, *, observed: bool
) -> Upstream | None:
    """The latest recorded version of an asset (partition): its last observation or materialization."""
    record = instance.get_latest_data_version_record(key, observed, partition)
    if record is None:
        return None
    event = record.asset_observation if observed else record.asset_materialization
    version = event.tags.get(DATA_VERSION_TAG) if event is not None else None
    return Upstream(key, version, record.storage_id) if version else None


def recorded(instance: dg.DagsterInstance, key: dg.AssetKey, partition: str | None, version: str) -> Upstream:
    """An upstream of this version, pointing at the event that recorded it (e.g. this step's own
    materialization just reported: Dagster stores an event before the step goes on)."""
    found = latest(instance, key, partition, observed=False)
    return found if found is not None and found.version == version else Upstream(key, version)


def recorded_by_partition(
    instance: dg.DagsterInstance, key: dg.AssetKey, versions: Mapping[str, str]
) -> dict[str, Upstream]:
    """recorded() for many partitions (partition -> version) in two queries, not two per partition:
    a step that reports a group of files looks up the group's upstream events at once."""
    if not versions:
        return {}
    kind = dg.DagsterEventType.ASSET_MATERIALIZATION
    ids = instance.get_latest_storage_id_by_partition(key, kind, set(versions))
    tags = instance.event_log_storage.get_latest_tags_by_partition(
        key, kind, [DATA_VERSION_TAG], list(versions)
    )
    return {
        partition: Upstream(key, version, ids.get(partition))
        if tags.get(partition, {}).get(DATA_VERSION_TAG) == version
        else Upstream(key, version)
        for partition, version in versions.items()
    }


def latest_storage_ids(
    instance: dg.DagsterInstance, key: dg.AssetKey, partitions: Iterable[str]
) -> Mapping[str, int]:
    """Each partition's latest materialization event (partitions never materialized are left out)."""
    wanted = set(partitions)
    if not wanted:
        return {}
    return instance.get_latest_storage_id_by_partition(key, dg.DagsterEventType.ASSET_MATERIALIZATION, wanted)


def observe(
    context: dg.AssetExecutionContext,
    key: dg.AssetKey,
    partition: str,
    version: str,
    metadata: Mapping[str, dg.MetadataValue],
) -> Generator[dg.AssetObservation, None, Upstream]:
    """Observe a source document's version, once per version: ``upstream = yield from observe(...)``."""
    seen = latest(context.instance, key, partition, observed=True)
    if seen is not None and seen.version == version:
        return seen
    yield dg.AssetObservation(
        key,
        partition=partition,
        metadata=metadata,
        tags={DATA_VERSION_TAG: version, USER_PROVIDED_TAG: "true"},
    )
    stored = latest(context.instance, key, partition, observed=True)
    return stored if stored is not None and stored.version == version else Upstream(key, version)
