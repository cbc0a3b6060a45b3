"""One receiver for every company of one Intuit app: each event lands in the ledger of the company
whose realm it names, over real HTTP into real SQLite ledgers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qbsps_orchestration.lib.ledger import Ledger
from qbsps_orchestration.lib.secrets import SecretCipher
from qbsps_orchestration.lib.webhooks import WebhookRoute, routed_webhook_app, signature_of
from qbsps_orchestration.sandbox.server import ServedApp

from .test_receiver import OTHER_REALM, REALM, TOKEN, cloudevents

THIRD_REALM = "123145725813579"  # a company of the same app this deployment does not serve


def events_of_three_companies() -> bytes:
    events = [
        *json.loads(cloudevents("145", realm=REALM)),
        *json.loads(cloudevents("7", "8", realm=OTHER_REALM)),
        *json.loads(cloudevents("9", realm=THIRD_REALM)),
    ]
    return json.dumps(events).encode()


def _ledger(url: str, cipher: SecretCipher, *, migrated: bool = True) -> Ledger:
    ledger = Ledger(url, cipher=cipher)
    if migrated:
        ledger.migrate()
    return ledger


@pytest.fixture
def two_ledgers(tmp_path: Path) -> Iterator[tuple[dict[str, str], SecretCipher]]:
    urls = {realm: f"sqlite:///{tmp_path / f'{realm}.sqlite'}" for realm in (REALM, OTHER_REALM)}
    yield urls, SecretCipher([SecretCipher.generate_key()])


def post(app: object, body: bytes) -> httpx.Response:
    served = ServedApp(app, name="routed-webhook-receiver").start()
    try:
        return httpx.post(
            f"{served.base_url}/webhooks/qbo",
            content=body,
            headers={"intuit-signature": signature_of(body, TOKEN), "content-type": "application/json"},
            trust_env=False,
            timeout=10,
        )
    finally:
        served.stop()


def stored(url: str, cipher: SecretCipher) -> list[tuple[str, str]]:
    ledger = _ledger(url, cipher)
    try:
        return sorted((row.realm_id, row.entity_id) for row in ledger.pending_changes())
    finally:
        ledger.close()


def test_each_event_goes_to_its_companys_ledger_and_others_companies_are_not_stored(
    two_ledgers: tuple[dict[str, str], SecretCipher],
) -> None:
    urls, cipher = two_ledgers
    routes = [
        WebhookRoute(frozenset([realm]), lambda url=url: _ledger(url, cipher)) for realm, url in urls.items()
    ]
    app = routed_webhook_app(routes, TOKEN)
    body = events_of_three_companies()

    assert post(app, body).json() == {"received": 4, "new": 3, "ignored": 1}
    assert stored(urls[REALM], cipher) == [(REALM, "145")]
    assert stored(urls[OTHER_REALM], cipher) == [(OTHER_REALM, "7"), (OTHER_REALM, "8")]
    # Intuit delivers the batch again: nothing twice in either ledger.
    assert post(app, body).json() == {"received": 4, "new": 0, "ignored": 1}
    assert len(stored(urls[OTHER_REALM], cipher)) == 2


def test_a_company_whose_ledger_fails_gets_its_events_on_intuits_retry_the_other_none_twice(
    two_ledgers: tuple[dict[str, str], SecretCipher],
) -> None:
    urls, cipher = two_ledgers
    healthy = WebhookRoute(frozenset([REALM]), lambda: _ledger(urls[REALM], cipher))
    # The second company's ledger was never migrated: storing its events fails.
    broken = WebhookRoute(
        frozenset([OTHER_REALM]), lambda: _ledger(urls[OTHER_REALM], cipher, migrated=False)
    )
    body = events_of_three_companies()

    answer = post(routed_webhook_app([healthy, broken], TOKEN), body)
    assert answer.status_code == 503 and "nothing was stored for its company" in answer.json()["error"]
    assert stored(urls[REALM], cipher) == [(REALM, "145")]

    fixed = WebhookRoute(frozenset([OTHER_REALM]), lambda: _ledger(urls[OTHER_REALM], cipher))
    assert post(routed_webhook_app([healthy, fixed], TOKEN), body).json()["new"] == 2
    assert stored(urls[REALM], cipher) == [(REALM, "145")]
    assert stored(urls[OTHER_REALM], cipher) == [(OTHER_REALM, "7"), (OTHER_REALM, "8")]


def test_a_realm_routed_to_two_ledgers_is_refused() -> None:
    route = WebhookRoute(frozenset([REALM]), lambda: Ledger("sqlite://"))
    with pytest.raises(ValueError, match=f"QBO realm {REALM} is routed to two ledgers"):
        routed_webhook_app([route, route], TOKEN)
