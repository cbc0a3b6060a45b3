from __future__ import annotations

import base64
import logging
import socket
import time
from urllib.parse import urlsplit

import pytest

from qbsps_tests.support import wait_for

from .conftest import DATA, RunningSps

ORDER_XML = b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?>\n<Order><Header/></Order>\r\n"


def test_download_returns_the_exact_bytes(sps: RunningSps) -> None:
    sps.sandbox.put_file("out/PO/PO1-v7.7-x.xml", ORDER_XML)
    response = sps.api.get(DATA + "out/PO/PO1-v7.7-x.xml")
    assert response.status_code == 200 and response.content == ORDER_XML
    missing = sps.api.get(DATA + "out/PO/nope.xml")
    assert missing.status_code == 404 and missing.json()["detail"] == "File '/out/PO/nope.xml' not found."


def test_upload_needs_octet_stream(sps: RunningSps) -> None:
    for headers in ({"Content-Type": "application/json"}, {"Content-Type": "text/xml"}, {}):
        response = sps.api.post(DATA + "out/PO/x.json", content=b"{}", headers=headers)
        assert response.status_code == 415, headers
        assert "application/octet-stream" in response.json()["detail"]
    assert sps.sandbox.list_files("out/") == []


def test_upload_into_missing_folder_is_404(sps: RunningSps) -> None:
    response = sps.upload("testin/INV1.xml", b"<x/>")
    assert response.status_code == 404 and response.json()["detail"] == "Parent directory not found"
    assert sps.upload("in/nested/INV1.xml", b"<x/>").status_code == 404


def test_upload_to_a_folder_path_is_400(sps: RunningSps) -> None:
    response = sps.upload("out/PO/", b"<x/>")
    assert response.status_code == 400 and "file path" in response.json()["detail"]


def test_out_upload_is_201_with_path_and_url_and_overwrites(sps: RunningSps) -> None:
    """Sandbox only: POSTing into out/ stands in for SPS delivering a retailer document."""
    first = sps.upload("out/PO/PO9-1.json", b'{"v": 1}', **{"sps-meta-description": "first"})
    assert first.status_code == 201
    url = f"{sps.sandbox.base_url}{DATA}out/PO/PO9-1.json"
    assert first.json() == {"path": "/out/PO/PO9-1.json", "url": url}
    again = sps.upload("out/PO/PO9-1.json", b'{"v": 2}')
    assert again.status_code == 201
    assert sps.sandbox.read_file("out/PO/PO9-1.json") == b'{"v": 2}'
    assert sps.api.get(DATA + "out/PO/PO9-1.json").content == b'{"v": 2}'
    modes = [h["store_mode"] for h in sps.sandbox.history() if h["path"] == "/out/PO/PO9-1.json"]
    assert modes == ["create", "overwrite"]


def test_sps_meta_headers_are_kept(sps: RunningSps) -> None:
    sps.upload("out/PO/PO8-1.json", b"{}", **{"sps-meta-description": "weekly batch", "X-Other": "no"})
    download = sps.api.get(DATA + "out/PO/PO8-1.json")
    assert download.headers["sps-meta-description"] == "weekly batch"
    files = sps.http.get("/_sandbox/sps/files", params={"prefix": "out/PO/"}).json()["files"]
    assert files[0]["meta"] == {"description": "weekly batch"} and files[0]["size"] == 2


def test_delete_is_204_then_404_and_recorded_for_out(sps: RunningSps) -> None:
    sps.sandbox.put_file("out/PO/PO7-1.json", b"{}")
    assert sps.api.delete(DATA + "out/PO/PO7-1.json").status_code == 204
    assert sps.sandbox.list_files("out/PO/") == []
    again = sps.api.delete(DATA + "out/PO/PO7-1.json")
    assert again.status_code == 404
    (entry,) = [h for h in sps.sandbox.history() if h["path"] == "/out/PO/PO7-1.json"]
    assert entry["direction"] == "outbound"
    assert [s["status"] for s in entry["status_log"]] == ["delivered", "deleted"]
    assert sps.api.delete(DATA + "out/PO/").status_code == 400


def test_control_deliver_and_python_api(sps: RunningSps) -> None:
    content = b'{"Header": {"OrderHeader": {"TradingPartnerId": "T", "PurchaseOrderNumber": "PO5-1"}}}'
    delivered = sps.http.post(
        "/_sandbox/sps/deliver",
        json={
            "path": "out/IN/PO5-1.json",
            "content_base64": base64.b64encode(content).decode(),
        },
    )
    assert delivered.status_code == 201 and delivered.json()["path"] == "/out/IN/PO5-1.json"
    assert sps.sandbox.list_files("out") == ["out/IN/PO5-1.json"]  # folder created as SPS would
    assert sps.http.get("/_sandbox/sps/file", params={"path": "/out/IN/PO5-1.json"}).content == content
    (entry,) = sps.sandbox.history()
    assert entry["document_type"] == "Order" and entry["status_log"][0]["status"] == "delivered"
    bad = sps.http.post("/_sandbox/sps/deliver", json={"path": "out/x", "content_base64": "***"})
    assert bad.status_code == 400
    assert sps.http.post("/_sandbox/sps/mkdir", json={"path": "testin/"}).status_code == 201
    assert sps.upload("testin/a.json", b"{}").status_code == 201


def test_file_and_folder_names_cannot_collide(sps: RunningSps) -> None:
    response = sps.upload("out/PO", b"{}")
    assert response.status_code == 409 and "directory already exists" in response.json()["detail"]


def test_unsafe_paths_are_refused(sps: RunningSps) -> None:
    assert sps.upload("out/PO//x.json", b"{}").status_code == 400
    assert sps.api.get(DATA + "out/PO/./x.json").status_code in (400, 404)


def test_an_upload_cut_off_midway_stores_nothing_and_logs_no_error(
    sps: RunningSps, caplog: pytest.LogCaptureFixture
) -> None:
    """A client SIGKILLed mid-upload: its half a body is not a file, and the server says nothing."""
    url = urlsplit(str(sps.api.base_url))
    token = sps.api.headers["Authorization"]
    head = (
        f"POST {DATA}in/INV-CUT.json HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: {token}\r\n"
        "Content-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n"
    )
    with caplog.at_level(logging.ERROR), socket.create_connection((url.hostname, url.port), timeout=5) as cut:
        cut.sendall(head.encode() + b'{"partial": ')
        time.sleep(0.2)  # the server is reading the body when the client goes
    wait_for(lambda: sps.sandbox.list_files("in/") == [], 5, "nothing stored")
    time.sleep(0.3)
    assert sps.sandbox.list_files("in/") == []
    assert "Exception in ASGI application" not in caplog.text
