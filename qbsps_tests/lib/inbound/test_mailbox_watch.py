from __future__ import annotations

import json

from qbsps_orchestration.lib.inbound.mailbox_watch import plan_poll


def test_first_poll_requests_everything_present() -> None:
    plan = plan_poll(None, ["a", "b"], set(), {}, now=100.0)
    assert (plan.new_keys, plan.redelivered, plan.sequence) == (["a", "b"], [], 1)
    assert json.loads(plan.cursor)["requested"] == {"a": 100.0, "b": 100.0}


def test_in_flight_or_failed_files_are_not_requested_again() -> None:
    first = plan_poll(None, ["a"], set(), {}, now=100.0)
    again = plan_poll(first.cursor, ["a"], {"a"}, {}, now=200.0)
    assert again.new_keys == again.redelivered == []


def test_a_name_present_again_after_its_fetch_is_a_redelivery() -> None:
    first = plan_poll(None, ["a"], set(), {}, now=100.0)
    later = plan_poll(first.cursor, ["a", "b"], {"a"}, {"a": 150.0}, now=300.0)
    assert (later.new_keys, later.redelivered) == (["b"], ["a"])
    assert json.loads(later.cursor)["requested"] == {"a": 300.0, "b": 300.0}


def test_cursor_forgets_files_that_left_and_defers_beyond_the_limit() -> None:
    first = plan_poll(None, ["a", "b", "c"], set(), {}, now=1.0, limit=2)
    assert first.new_keys == ["a", "b"] and first.deferred == 1
    second = plan_poll(first.cursor, ["c"], {"a", "b"}, {}, now=2.0, limit=2)
    assert second.new_keys == ["c"] and json.loads(second.cursor)["requested"] == {"c": 2.0}
