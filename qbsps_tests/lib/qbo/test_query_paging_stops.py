"""query_all stops on a repeated page or the page limit, naming the position (sandbox over HTTP)."""

from __future__ import annotations

import httpx
import pytest

from qbsps_orchestration.lib.qbo import QboClient
from qbsps_orchestration.lib.qbo.client import QueryPagingError

from .conftest import QboEnv

STATEMENT = "SELECT * FROM Item"


def test_a_page_limit_stops_paging_and_names_the_position(qbo: QboClient) -> None:
    assert len(list(qbo.query_all("Item", STATEMENT, page_size=1))) >= 4  # the seed has enough rows
    with pytest.raises(QueryPagingError, match=r"STARTPOSITION 4 after 3 pages of 1"):
        list(qbo.query_all("Item", STATEMENT, page_size=1, max_pages=3))


def test_a_backend_repeating_the_first_page_is_noticed(qbo_env: QboEnv, qbo: QboClient) -> None:
    answer = httpx.post(f"{qbo_env.base_url}/_sandbox/qbo/query-paging", json={"ignore_start_position": True})
    assert answer.json() == {"ignore_start_position": True}
    rows = []
    with pytest.raises(QueryPagingError, match=r"STARTPOSITION 3 with the same rows as STARTPOSITION 1"):
        rows.extend(qbo.query_all("Item", STATEMENT, page_size=2))
    assert len(rows) == 2  # the first page once, never again
