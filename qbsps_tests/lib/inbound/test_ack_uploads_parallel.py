"""The 855s of a group of files are uploaded several at a time, yet each exactly once: a lost answer
is settled by asking SPS (the version's own path, then its history), never by a second upload, and
an upload SPS refuses fails only its own file. Real HTTP to the sandbox's SPS and QBO, faults
injected through the sandbox's fault API, real SQLite ledger."""

from __future__ import annotations

import json
import threading
from collections import Counter
from urllib.parse import quote

from qbsps_orchestration.lib.documents.schemas import RsxSchemas
from qbsps_orchestration.lib.inbound.batch import process_files
from qbsps_orchestration.lib.ledger import Direction
from qbsps_orchestration.lib.outbound.uploads import PARALLEL
from qbsps_orchestration.lib.sps import SpsClient
from qbsps_orchestration.lib.sps.client import DATA
from qbsps_orchestration.sandbox.faults import FaultRule
from qbsps_tests.faults.world import orders_in_qbo
from qbsps_tests.lib.outbound.landed_orders import order_bytes
from qbsps_tests.sandboxed import SandboxedConnector

GROUP = 30


def deliver(c: SandboxedConnector, count: int) -> list[str]:
    names = [f"PO-A-{n:03d}.json" for n in range(count)]
    for name in names:
        c.box.sps.put_file(c.orders_folder + name, order_bytes(name.removesuffix(".json"), ship_to=False))
    return names


def ack_path(c: SandboxedConnector, name: str) -> str:
    """Where the 855 of the order in ``name`` goes: its deterministic path in SPS `in/`."""
    return f"{c.config.sps.folders.outbound}PR{name.removesuffix('.json')}-SPSALLTESTID-v7.7.json"


def uploads_seen_by_sps(c: SandboxedConnector) -> tuple[Counter[str], Counter[str]]:
    """Per 855 name: how many uploads SPS accepted into `in/`, and how many its history shows."""
    history = Counter(
        e["path"].rsplit("/", 1)[1]
        for e in c.box.sps.history()
        if e["direction"] == "inbound" and e["path"].rsplit("/", 1)[1].startswith("PR")
    )
    accepted = Counter(
        {name: len(c.box.sps.accepted(c.config.sps.folders.outbound + name)) for name in history}
    )
    return accepted, history


def fault_on(c: SandboxedConnector, name: str, **rule: object) -> None:
    path = ack_path(c, name).lstrip("/")
    c.box.sps_faults.add(FaultRule(method="POST", path_prefix=DATA + quote(path), **rule))  # type: ignore[arg-type]


class UploadsInFlight:
    """Wraps a real client's upload (real HTTP still), noting how many were in flight at once."""

    def __init__(self, sps: SpsClient) -> None:
        self._upload = sps.upload
        self._lock = threading.Lock()
        self.now = self.most = 0
        self.threads: set[str] = set()
        sps.upload = self  # type: ignore[method-assign]

    def __call__(self, path: str, content: bytes, *, meta: dict[str, str] | None = None) -> dict:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.threads.add(threading.current_thread().name)
        try:
            return self._upload(path, content, meta=meta)
        finally:
            with self._lock:
                self.now -= 1


def test_a_group_of_30_orders_gets_30_acks_each_uploaded_once_several_at_a_time(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    names = deliver(c, GROUP)
    c.box.sps_faults.latency_ms = 50  # each upload takes a while, so the pool's overlap shows
    sps = c.sps()
    uploads = UploadsInFlight(sps)
    outcomes = process_files(c.config, c.ledger, sps, c.qbo(), names, acknowledge_with=RsxSchemas(None))
    assert [o.error for o in outcomes] == [None] * GROUP
    assert [[a.outcome for a in o.acks] for o in outcomes] == [["sent"]] * GROUP
    assert [o.acks[0].path for o in outcomes] == [ack_path(c, n) for n in names]  # in the order named
    accepted, history = uploads_seen_by_sps(c)
    expected = Counter({ack_path(c, n).rsplit("/", 1)[1]: 1 for n in names})
    assert accepted == expected and history == expected
    assert 1 < uploads.most <= PARALLEL
    assert all(t.startswith("sps-ack") for t in uploads.threads)  # the calling thread never uploads
    assert orders_in_qbo(c) == {n.removesuffix(".json"): 1 for n in names}


def test_lost_answers_are_settled_from_sps_and_a_refused_upload_fails_only_its_file(
    empty_connector: SandboxedConnector,
) -> None:
    c = empty_connector
    names = deliver(c, GROUP)
    lost_502, lost_drop, refused = names[3:6], names[10:12], names[20]
    for name in lost_502:  # SPS took the upload, its answer was an error
        fault_on(c, name, status=502, after_apply=True)
    for name in lost_drop:  # SPS took the upload, the connection was cut before the answer
        fault_on(c, name, drop=True, after_apply=True)
    fault_on(c, refused, status=400)

    outcomes = process_files(c.config, c.ledger, c.sps(), c.qbo(), names, acknowledge_with=RsxSchemas(None))
    failed = {o.name: o.error for o in outcomes if o.error}
    assert list(failed) == [refused] and "400" in (failed[refused] or ""), failed
    by_name = {o.name: o.acks for o in outcomes}
    assert all(by_name[n][0].adopted and by_name[n][0].outcome == "sent" for n in lost_502 + lost_drop)
    assert [a.outcome for a in by_name[refused]] == ["failed"]
    accepted, history = uploads_seen_by_sps(c)
    expected = Counter({ack_path(c, n).rsplit("/", 1)[1]: 1 for n in names if n != refused})
    assert accepted == expected and history == expected  # the lost ones landed once, not twice
    assert orders_in_qbo(c) == {n.removesuffix(".json"): 1 for n in names}  # the refused ack's order too

    [again] = process_files(
        c.config, c.ledger, c.sps(), c.qbo(), [names[3]], acknowledge_with=RsxSchemas(None)
    )
    assert [a.outcome for a in again.acks] == ["unchanged"]  # adopted: never sent a second time
    assert uploads_seen_by_sps(c) == (accepted, history)


def test_an_order_and_its_replacement_in_one_group_each_ack_once(
    empty_connector: SandboxedConnector,
) -> None:
    """Both files name the same order: the second 855 is decided only once the first is recorded,
    so it never meets the first one's intent still open."""
    c = empty_connector
    names = deliver(c, 4)
    replacement = json.loads(order_bytes("PO-A-001", ship_to=False))
    replacement["Header"]["OrderHeader"]["TsetPurposeCode"] = "05"
    replacement["LineItem"][0]["OrderLine"]["OrderQty"] = 6
    c.box.sps.put_file(c.orders_folder + "PO-A-001-05.json", json.dumps(replacement).encode())
    names.append("PO-A-001-05.json")

    outcomes = process_files(c.config, c.ledger, c.sps(), c.qbo(), names, acknowledge_with=RsxSchemas(None))
    assert [o.error for o in outcomes] == [None] * len(names), [o.error for o in outcomes]
    accepted, history = uploads_seen_by_sps(c)
    assert set(accepted.values()) == {1} and accepted == history
    ack = c.ledger.find_document(Direction.OUTBOUND, "OrderAck", "SPSALLTESTID", "PO-A-001")
    assert ack is not None and c.ledger.pending_action(ack.id).value != "send"
    assert orders_in_qbo(c)["PO-A-001"] == 1
