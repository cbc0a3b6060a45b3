"""Fixtures shared across the suite: a running sandbox (one per test process, reset for each test)
with a connector config pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qbsps_tests.sandboxed import SESSION_SANDBOX, SandboxedConnector, sandboxed_connector


@pytest.fixture(scope="session", autouse=True)
def _session_sandbox() -> Iterator[None]:
    """The per-process sandbox `sandboxed_connector` resets between tests, stopped at the end."""
    yield
    SESSION_SANDBOX.stop()


@pytest.fixture()
def connector(tmp_path, monkeypatch) -> Iterator[SandboxedConnector]:
    """Sandbox seeded with SPS's published samples (skips, or fails under CI, without ../shared)."""
    with sandboxed_connector(tmp_path, monkeypatch, samples=True) as running:
        yield running


@pytest.fixture()
def empty_connector(tmp_path, monkeypatch) -> Iterator[SandboxedConnector]:
    """Sandbox whose SPS mailbox starts empty, for tests that deliver their own documents."""
    with sandboxed_connector(tmp_path, monkeypatch, samples=False) as running:
        yield running


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first (a stable sort, so the rest keep their order): with the workers handed
    tests one or two at a time (`--maxschedchunk 1` in the Makefile), each long test starts while
    the short ones fill the other workers, instead of one starting last and running alone."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


MEASUREMENTS = pytest.StashKey[list[str]]()


@pytest.fixture()
def report_measurement(request: pytest.FixtureRequest):  # noqa: ANN201 - returns the recorder
    """Record a measured number for the end-of-run summary (reported, never asserted as a timing)."""
    measurements = request.config.stash.setdefault(MEASUREMENTS, [])
    return lambda text: measurements.append(f"{request.node.name}: {text}")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    lines = config.stash.get(MEASUREMENTS, [])
    if lines:
        terminalreporter.section("measurements")
        for line in lines:
            terminalreporter.write_line(line)
