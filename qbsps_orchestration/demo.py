"""`make demo`: start the sandbox and prove, over real HTTP, that both APIs answer.

Until the inbound flow exists this is the sandbox self-check: QBO OAuth discovery and refresh, a
query of the seed company, SPS client-credentials auth and a cursor-paged listing of out/PO/.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from .sandbox.runtime import Sandbox
from .sandbox.settings import SandboxSettings, SpsSandboxSettings, default_samples_dir


def _qbo_token(client: httpx.Client, qbo: dict) -> str:
    discovery = client.get(qbo["discovery_url"]).raise_for_status().json()
    grant = {"grant_type": "refresh_token", "refresh_token": qbo["refresh_token"]}
    reply = client.post(
        discovery["token_endpoint"], data=grant, auth=(qbo["client_id"], qbo["client_secret"])
    )
    return reply.raise_for_status().json()["access_token"]


def _qbo_query(client: httpx.Client, qbo: dict, token: str, statement: str) -> list[dict]:
    url = f"{qbo['api_base_url']}/v3/company/{qbo['realm_id']}/query"
    reply = client.get(
        url,
        params={"query": statement, "minorversion": "75"},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    body = reply.raise_for_status().json()["QueryResponse"]
    return next((v for k, v in body.items() if isinstance(v, list)), [])


def _sps_listing(client: httpx.Client, sps: dict, folder: str) -> list[str]:
    body = {
        "grant_type": "client_credentials",
        "client_id": sps["client_id"],
        "client_secret": sps["client_secret"],
        "audience": "https://spscommerce.com",
    }
    token = client.post(sps["token_url"], json=body).raise_for_status().json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    url: str | None = f"{sps['api_base_url']}/transactions/v5/data/{folder}"
    params: dict[str, str] | None = {"limit": "2"}  # small pages so the demo shows cursor paging
    paths: list[str] = []
    while url:
        page = client.get(url, params=params, headers=headers).raise_for_status().json()
        paths += [entry["path"] for entry in page["results"] if entry["type"] == "file"]
        url, params = (page["paging"].get("next") or {}).get("url"), None
    return paths


def run_demo(echo: Callable[[str], None]) -> int:
    settings = SandboxSettings(sps=SpsSandboxSettings(samples_dir=default_samples_dir()))
    with Sandbox(settings) as box, httpx.Client(timeout=10) as client:
        info = box.info()
        echo(f"QuickBooks Online sandbox at {box.qbo_url}, SPS Commerce sandbox at {box.sps_url}")
        token = _qbo_token(client, info["qbo"])
        echo("QBO: refreshed an access token through the discovered token endpoint")
        for entity, column in (("Vendor", "DisplayName"), ("Customer", "DisplayName"), ("Item", "Name")):
            rows = _qbo_query(client, info["qbo"], token, f"select * from {entity}")
            echo(f"QBO {entity:<9} {len(rows):>2}: " + ", ".join(str(r.get(column)) for r in rows))
        orders = _sps_listing(client, info["sps"], settings.sps.orders_folder)
        echo(f"SPS {settings.sps.orders_folder} holds {len(orders)} purchase orders:")
        for path in orders:
            echo(f"  {path}")
        if not orders:
            echo("sandbox self-check FAILED: no purchase orders in the SPS mailbox")
            return 1
    echo("sandbox self-check passed (the inbound sync is not built yet; see README)")
    return 0
