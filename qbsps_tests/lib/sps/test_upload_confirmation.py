"""Uploads are never repeated once they may have landed, and SPS can be asked whether one did:
the deterministic path (file_if_present) and the history (uploads_of). Real HTTP to the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qbsps_orchestration.lib.sps import SpsError, UploadUnconfirmedError
from qbsps_orchestration.sandbox.faults import FaultRule
from qbsps_tests.lib.sps.conftest import Sps

UPLOADS = "/transactions/v5/data/in/"
BAD_RSX = b"not an RSX document"  # rejected by SPS, so it stays in in/ where it can be looked at


def uploads(sps: Sps) -> int:
    return sum(1 for h in sps.sandbox.history() if h["direction"] == "inbound")


def test_a_throttled_upload_is_retried_and_lands_once(sps: Sps) -> None:
    client = sps.client()
    sps.faults.add(FaultRule(status=429, count=2, path_prefix=UPLOADS))
    client.upload("in/IN1.json", BAD_RSX)
    assert uploads(sps) == 1


@pytest.mark.parametrize(
    "rule",
    [
        FaultRule(status=503, count=1, path_prefix=UPLOADS),
        FaultRule(status=503, count=1, path_prefix=UPLOADS, after_apply=True),
        FaultRule(drop=True, after_apply=True, count=1, path_prefix=UPLOADS),
    ],
    ids=["503-before", "503-after-apply", "answer-dropped"],
)
def test_an_upload_without_an_answer_is_not_repeated(sps: Sps, rule: FaultRule) -> None:
    client = sps.client()
    client.tokens.token()
    sps.faults.add(rule)
    with pytest.raises(UploadUnconfirmedError) as caught:
        client.upload("in/IN2.json", BAD_RSX)
    assert isinstance(caught.value, SpsError) and "in/IN2.json" in str(caught.value)
    assert uploads(sps) == (1 if rule.after_apply else 0)  # sent at most once, never retried


def test_file_if_present_and_uploads_of_tell_whether_an_upload_landed(sps: Sps) -> None:
    client = sps.client()
    before = datetime.now(UTC) - timedelta(seconds=5)
    assert client.file_if_present("in/IN3.json") is None
    assert client.uploads_of("in/IN3.json", after=before) == []
    client.upload("in/IN3.json", BAD_RSX)
    client.upload("in/OTHER.json", BAD_RSX)
    assert client.file_if_present("in/IN3.json") == BAD_RSX
    (entry,) = client.uploads_of("in/IN3.json", after=before)
    assert entry.path == "/in/IN3.json" and entry.statuses == ("received", "rejected")
    assert client.uploads_of("in/IN3.json", after=datetime.now(UTC) + timedelta(minutes=5)) == []


def test_uploads_of_pages_through_a_long_history(sps: Sps) -> None:
    client = sps.client()
    before = datetime.now(UTC) - timedelta(seconds=5)
    for n in range(230):
        sps.sandbox.put_file(f"out/PO/PO{n:03d}.json", b"{}")
    client.upload("in/LAST.json", BAD_RSX)
    (entry,) = client.uploads_of("in/LAST.json", after=before)
    assert entry.direction == "inbound"
