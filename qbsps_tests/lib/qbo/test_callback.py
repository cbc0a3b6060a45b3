"""The one-shot loopback listener that receives Intuit's redirect, over real HTTP."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest

from qbsps_orchestration.lib.qbo.callback import CallbackListener, CallbackListenerError


def _get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=10, trust_env=False)


def test_the_redirect_is_handed_over_and_the_browser_sees_the_outcome(capfd: pytest.CaptureFixture) -> None:
    with CallbackListener(0) as listener:
        assert listener.redirect_uri == f"http://localhost:{listener.port}/callback"
        base = f"http://127.0.0.1:{listener.port}"
        assert _get(f"{base}/favicon.ico").status_code == 404
        assert _get(f"{base}/callback").status_code == 400  # no query: not a redirect

        answers: list[httpx.Response] = []
        browser = threading.Thread(target=lambda: answers.append(_get(f"{base}/callback?code=AB11x&state=s")))
        browser.start()
        assert listener.wait(timeout=10) == "code=AB11x&state=s"
        listener.finish(True, "qbsps is connected to QuickBooks company 123.")
        browser.join(10)
        assert answers[0].status_code == 200 and "connected to QuickBooks company 123" in answers[0].text

        assert _get(f"{base}/callback?code=again&state=s").status_code == 409  # one shot
    with pytest.raises(httpx.ConnectError):
        _get(f"{base}/callback")
    assert "AB11x" not in "".join(capfd.readouterr())  # requests are never logged: they hold the code


def test_no_redirect_in_time_is_a_plain_error() -> None:
    with CallbackListener(0) as listener, pytest.raises(CallbackListenerError, match="within 0.2 s"):
        listener.wait(timeout=0.2)


def test_a_taken_port_names_the_option_to_change() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(CallbackListenerError, match="choose another port with --port"):
            CallbackListener(taken.getsockname()[1])
