from __future__ import annotations

import pytest

from qbsps_orchestration.lib.qbo.limiter import SlidingWindowLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_calls_within_limits_do_not_wait() -> None:
    t = FakeTime()
    limiter = SlidingWindowLimiter([(3, 1.0)], clock=t.clock, sleep=t.sleep)
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert t.slept == []


def test_the_next_call_waits_for_the_window_to_slide() -> None:
    t = FakeTime()
    limiter = SlidingWindowLimiter([(3, 1.0)], clock=t.clock, sleep=t.sleep)
    for _ in range(3):
        limiter.acquire()
        t.now += 0.1
    assert limiter.acquire() == pytest.approx(0.7)  # the first call leaves the 1 s window at 1001.0
    assert t.now == pytest.approx(1001.0)


def test_every_limit_holds_at_once() -> None:
    t = FakeTime()
    limiter = SlidingWindowLimiter([(10, 1.0), (15, 60.0)], clock=t.clock, sleep=t.sleep)
    stamps = []
    for _ in range(16):
        limiter.acquire()
        stamps.append(t.now)
    assert sum(1 for s in stamps if s < 1001.0) == 10  # per second
    assert stamps[15] >= stamps[0] + 60  # per minute: the 16th waits a full minute


def test_clients_of_one_company_share_one_budget() -> None:
    from qbsps_orchestration.lib.qbo.limiter import qbo_batch_limiter, qbo_request_limiter

    assert qbo_request_limiter("111") is qbo_request_limiter("111")
    assert qbo_request_limiter("111") is not qbo_request_limiter("222")
    assert qbo_batch_limiter("111") is not qbo_request_limiter("111")
