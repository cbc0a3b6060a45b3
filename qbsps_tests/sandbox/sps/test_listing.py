from __future__ import annotations

import pytest

from .conftest import DATA, RunningSps


def _walk(sps: RunningSps, first_url: str) -> tuple[list[str], int]:
    """Follow next.url until the end; returns every path listed and the number of pages."""
    paths: list[str] = []
    url: str | None = first_url
    pages = 0
    while url:
        response = sps.api.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        paths += [r["path"] for r in body["results"]]
        pages += 1
        url = body["paging"].get("next", {}).get("url")
    return paths, pages


def test_root_lists_the_seeded_folders(sps: RunningSps) -> None:
    body = sps.api.get(DATA).json()
    assert body == {
        "results": [
            {"path": "/in/", "type": "directory", "url": f"{sps.sandbox.base_url}{DATA}in/"},
            {"path": "/out/", "type": "directory", "url": f"{sps.sandbox.base_url}{DATA}out/"},
        ],
        "paging": {"limit": 1000},
    }
    out = sps.api.get(DATA + "out/").json()["results"]
    assert out == [{"path": "/out/PO/", "type": "directory", "url": f"{sps.sandbox.base_url}{DATA}out/PO/"}]


def test_folders_and_files_sorted_case_sensitively(sps: RunningSps) -> None:
    for name in ("b.xml", "B.xml", "a.xml", "sub/c.xml"):
        sps.sandbox.put_file(f"out/PO/{name}", b"<x/>")
    results = sps.api.get(DATA + "out/PO/").json()["results"]
    assert [(r["path"], r["type"]) for r in results] == [
        ("/out/PO/B.xml", "file"),
        ("/out/PO/a.xml", "file"),
        ("/out/PO/b.xml", "file"),
        ("/out/PO/sub/", "directory"),
    ]
    assert sps.api.get(DATA + "out/po/").status_code == 404  # paths are case-sensitive


@pytest.mark.parametrize("limit", ["0", "1001", "-5", "ten"])
def test_limit_outside_1_to_1000_is_400(sps: RunningSps, limit: str) -> None:
    response = sps.api.get(DATA + "out/PO/", params={"limit": limit})
    assert response.status_code == 400
    assert "limit" in response.json()["detail"]


def test_limit_bounds_1_and_1000_are_accepted(sps: RunningSps) -> None:
    for n in range(3):
        sps.sandbox.put_file(f"out/PO/PO{n}.json", b"{}")
    one = sps.api.get(DATA + "out/PO/", params={"limit": 1}).json()
    assert len(one["results"]) == 1 and one["paging"]["limit"] == 1 and "next" in one["paging"]
    full = sps.api.get(DATA + "out/PO/", params={"limit": 1000}).json()
    assert len(full["results"]) == 3 and "next" not in full["paging"]


def test_more_than_1000_files_page_by_cursor(sps: RunningSps) -> None:
    names = [f"PO{n:05d}-1.json" for n in range(1500)]
    for name in names:
        sps.sandbox.put_file("out/PO/" + name, b"{}")
    first = sps.api.get(DATA + "out/PO/").json()
    assert len(first["results"]) == 1000
    cursor = first["paging"]["next"]["cursor"]
    second = sps.api.get(DATA + "out/PO/", params={"cursor": cursor}).json()
    assert len(second["results"]) == 500 and "next" not in second["paging"]
    listed = [r["path"] for r in first["results"] + second["results"]]
    assert listed == ["/out/PO/" + n for n in names]
    paths, pages = _walk(sps, DATA + "out/PO/?limit=400")
    assert pages == 4 and paths == listed


def test_entry_name_prefix_filters_and_survives_paging(sps: RunningSps) -> None:
    for name in ("PO1.xml", "PO2.xml", "PO3.xml", "IN1.xml", "po4.xml"):
        sps.sandbox.put_file("out/PO/" + name, b"<x/>")
    first = sps.api.get(DATA + "out/PO/", params={"entryNamePrefix": "PO", "limit": 2}).json()
    assert [r["path"] for r in first["results"]] == ["/out/PO/PO1.xml", "/out/PO/PO2.xml"]
    assert "entryNamePrefix=PO" in first["paging"]["next"]["url"]
    paths, _ = _walk(sps, first["paging"]["next"]["url"])
    assert paths == ["/out/PO/PO3.xml"]
    none = sps.api.get(DATA + "out/PO/", params={"entryNamePrefix": "ZZ"}).json()
    assert none == {"results": [], "paging": {"limit": 1000}}


def test_cursor_stays_correct_when_files_change_between_pages(sps: RunningSps) -> None:
    for n in range(10):
        sps.sandbox.put_file(f"out/PO/PO{n}.json", b"{}")
    first = sps.api.get(DATA + "out/PO/", params={"limit": 4}).json()
    assert [r["path"][-8:] for r in first["results"]] == ["PO0.json", "PO1.json", "PO2.json", "PO3.json"]
    # between pages: delete a listed file and an unlisted one, add one before and one after the cursor
    assert sps.api.delete(DATA + "out/PO/PO1.json").status_code == 204
    assert sps.api.delete(DATA + "out/PO/PO5.json").status_code == 204
    sps.sandbox.put_file("out/PO/PO0a.json", b"{}")
    sps.sandbox.put_file("out/PO/PO7a.json", b"{}")
    rest, _ = _walk(sps, first["paging"]["next"]["url"])
    assert [p.rsplit("/", 1)[1] for p in rest] == [
        "PO4.json",
        "PO6.json",
        "PO7.json",
        "PO7a.json",
        "PO8.json",
        "PO9.json",
    ]


def test_cursor_of_the_last_file_after_its_deletion_still_ends_cleanly(sps: RunningSps) -> None:
    for n in range(3):
        sps.sandbox.put_file(f"out/PO/PO{n}.json", b"{}")
    first = sps.api.get(DATA + "out/PO/", params={"limit": 2}).json()
    for n in range(3):
        sps.api.delete(DATA + f"out/PO/PO{n}.json")
    last = sps.api.get(first["paging"]["next"]["url"]).json()
    assert last == {"results": [], "paging": {"limit": 2}}


def test_missing_directory_is_404_with_sps_text(sps: RunningSps) -> None:
    response = sps.api.get(DATA + "testout/")
    assert response.status_code == 404
    assert response.json()["detail"] == "Directory '/testout/' not found."


def test_bad_or_foreign_cursor_is_400(sps: RunningSps) -> None:
    for n in range(3):
        sps.sandbox.put_file(f"out/PO/PO{n}.json", b"{}")
    cursor = sps.api.get(DATA + "out/PO/", params={"limit": 1}).json()["paging"]["next"]["cursor"]
    assert sps.api.get(DATA + "in/", params={"cursor": cursor}).status_code == 400
    assert sps.api.get(DATA + "out/PO/", params={"cursor": "%%%not-base64"}).status_code == 400
