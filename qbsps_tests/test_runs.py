from __future__ import annotations

from qbsps_orchestration.defs.retry_requests import contiguous_ranges


def test_selected_keys_group_into_contiguous_ranges() -> None:
    ordered = ["a", "b", "c", "d", "e", "f"]
    assert contiguous_ranges(ordered, {"a", "b", "d", "f"}) == [("a", "b"), ("d", "d"), ("f", "f")]
    assert contiguous_ranges(ordered, set()) == []
    assert contiguous_ranges(ordered, set(ordered)) == [("a", "f")]


def test_ranges_are_cut_at_the_run_size() -> None:
    ordered = [f"k{n}" for n in range(7)]
    selected = set(ordered) - {"k3"}
    assert contiguous_ranges(ordered, selected, 2) == [("k0", "k1"), ("k2", "k2"), ("k4", "k5"), ("k6", "k6")]
    assert contiguous_ranges(ordered, selected) == [("k0", "k2"), ("k4", "k6")]
