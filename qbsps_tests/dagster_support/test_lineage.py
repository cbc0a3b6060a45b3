"""The lineage tags are Dagster's own, and several documents share one version."""

from __future__ import annotations

import hashlib

from dagster._core.definitions import data_version as dagster_tags

from qbsps_orchestration.dagster_support import lineage


def test_tag_names_are_dagsters() -> None:
    assert lineage.DATA_VERSION_TAG == dagster_tags.DATA_VERSION_TAG
    assert lineage.USER_PROVIDED_TAG == dagster_tags.DATA_VERSION_IS_USER_PROVIDED_TAG
    assert lineage.CODE_VERSION_TAG == dagster_tags.CODE_VERSION_TAG
    assert lineage.INPUT_VERSION_PREFIX == dagster_tags.INPUT_DATA_VERSION_TAG_PREFIX + "/"
    assert lineage.INPUT_POINTER_PREFIX == dagster_tags.INPUT_EVENT_POINTER_TAG_PREFIX + "/"
    assert lineage.NULL_POINTER == dagster_tags.NULL_EVENT_POINTER


def test_one_document_keeps_its_version_several_share_the_hash_of_theirs() -> None:
    assert lineage.combined(["abc"]) == "abc"
    assert lineage.combined(["abc", "def"]) == hashlib.sha256(b"abc\ndef").hexdigest()
    assert lineage.combined(["abc", "def"]) != lineage.combined(["def", "abc"])
