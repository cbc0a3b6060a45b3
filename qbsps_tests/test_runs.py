from __future__ import annotations

from qbsps_orchestration.defs.retry_requests import contiguous_ranges


def test_selected_keys_group_into_contiguous_ranges() -> None:
    ordered = ["a", "b", "c", "d", "e", "f"]
    assert contiguous_ranges(ordered, {"a", "b", "d", "f"}) == [("a", "b"), ("d", "d"), ("f", "f")]
    assert contiguous_ranges(ordered, set()) == []
    assert contiguous_ranges(ordered, set(ordered)) == [("a", "f")]
