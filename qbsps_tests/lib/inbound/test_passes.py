"""An inbound pass runs ahead of the thread that reports it: groups come in order, at most AHEAD
finished groups wait, what the pass raises reaches the reporter, and a reporter that stops early
stops the pass after its group. The next group's files download while the current group is written
to QBO (real HTTP to the sandbox, real SQLite ledger)."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator

import pytest

from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.inbound.batch import GROUP_FILES, Steps, process_groups
from qbsps_orchestration.lib.inbound.passes import ReportedGroup, inbound_pass, running_ahead
from qbsps_orchestration.lib.qbo import QboClient
from qbsps_orchestration.lib.sps import SpsClient
from qbsps_tests.faults.world import orders_in_qbo
from qbsps_tests.lib.inbound.test_ack_uploads_parallel import deliver
from qbsps_tests.sandboxed import SandboxedConnector


class Groups:
    """A producer of numbered groups that notes how far it got and whether it was closed."""

    def __init__(self, count: int, fail_at: int | None = None) -> None:
        self.count, self.fail_at = count, fail_at
        self.produced = 0
        self.closed = False

    def __call__(self) -> Generator[ReportedGroup, None, None]:
        try:
            for n in range(self.count):
                if n == self.fail_at:
                    raise RuntimeError(f"group {n}: the ledger went away")
                self.produced += 1
                yield ReportedGroup([], {str(n): []})
        finally:
            self.closed = True


def numbers(group: ReportedGroup) -> list[str]:
    return list(group.waiting)


def test_groups_arrive_in_order_at_most_two_ahead_of_a_slow_reporter() -> None:
    groups = Groups(8)
    seen, ahead = [], []
    with running_ahead(groups(), depth=2) as reported:
        for group in reported:
            time.sleep(0.05)  # the reporter is the slow side: the pass may run only so far ahead
            seen += numbers(group)
            ahead.append(groups.produced - len(seen))
    assert seen == [str(n) for n in range(8)]
    # The groups waiting in the hand-off, plus the one the pass holds while the hand-off is full.
    assert max(ahead) <= 3
    assert groups.closed


def test_what_the_pass_raises_is_raised_to_the_reporter_after_the_groups_before_it() -> None:
    groups = Groups(5, fail_at=2)
    seen = []
    with (
        pytest.raises(RuntimeError, match="group 2: the ledger went away"),
        running_ahead(groups()) as reported,
    ):
        for group in reported:
            seen += numbers(group)
    assert seen == ["0", "1"]
    assert groups.closed


def test_a_reporter_that_stops_early_stops_the_pass_and_waits_for_it() -> None:
    groups = Groups(1000)
    with pytest.raises(KeyError), running_ahead(groups(), depth=1) as reported:
        for _ in reported:
            raise KeyError("a Dagster event could not be stored")
    assert groups.closed  # closed on its own thread before running_ahead returned
    assert groups.produced <= 3
    assert not [t for t in threading.enumerate() if t.name == "inbound-pass"]


class Timeline:
    """When each SPS download began and each QBO /batch call ended (real calls still)."""

    def __init__(self, sps: SpsClient, qbo: QboClient) -> None:
        self.downloads: dict[str, float] = {}
        self.batches_done: list[float] = []
        download, batch = sps.download, qbo.batch

        def timed_download(path: str) -> bytes:
            self.downloads[path.rsplit("/", 1)[1]] = time.monotonic()
            return download(path)

        def timed_batch(*args: object, **kwargs: object) -> list:
            try:
                return batch(*args, **kwargs)  # type: ignore[arg-type]
            finally:
                self.batches_done.append(time.monotonic())

        sps.download = timed_download  # type: ignore[method-assign]
        qbo.batch = timed_batch  # type: ignore[method-assign]


def test_the_next_group_downloads_while_this_group_is_written_to_qbo(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    names = deliver(c, 2 * GROUP_FILES)
    c.box.sps_faults.latency_ms = 20
    sps, qbo = c.sps(), c.qbo()
    timeline = Timeline(sps, qbo)
    groups = list(
        process_groups(c.config, c.ledger, sps, qbo, names, Steps(acknowledge_with=RsxSchemas(None)))
    )
    assert [len(g.outcomes) for g in groups] == [GROUP_FILES, GROUP_FILES]
    assert [o.error for g in groups for o in g.outcomes] == [None] * len(names)
    first_batch_done = timeline.batches_done[0]
    second_group = names[GROUP_FILES:]
    assert all(timeline.downloads[name] < first_batch_done for name in second_group)
    assert groups[0].started < groups[1].started
    assert orders_in_qbo(c) == {n.removesuffix(".json"): 1 for n in names}  # counted in the sandbox's QBO


def test_a_pass_names_the_documents_of_a_failed_file_that_wait_for_a_person(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    [good] = deliver(c, 1)
    c.box.sps.put_file(c.orders_folder + "broken.json", b'{"Header": ')
    names = [good, "broken.json"]
    files = inbound_pass(c.config, c.ledger, c.sps(), c.qbo(), names, Steps())
    with running_ahead(files) as reported:
        [group] = list(reported)
    assert [o.error is None for o in group.outcomes] == [True, False]
    [waiting] = group.waiting["broken.json"]
    assert waiting.state == "quarantined" and "broken.json" in waiting.reason
    assert list(group.waiting) == ["broken.json"]  # a file that succeeded waits for no one
    assert orders_in_qbo(c) == {good.removesuffix(".json"): 1}
