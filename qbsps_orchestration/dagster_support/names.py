"""Names shared by the Dagster layer: pools, groups, run tags, asset keys, partition sets.
Partition names and asset keys are storage keys: never rename them.

In a deployment serving several companies, each company's code location (QBSPS_COMPANY) puts its
name in front of every asset key and dynamic partition set it owns, and after its pools: the
Dagster instance is shared, so materializations, partitions and pool slots of two companies must
never share a key. One company alone keeps the bare names.
"""

import os
from functools import cache

import dagster as dg

from ..lib.config import ConfigError, load_config
from ..lib.config.companies import current_company

QBO_API, SPS_API = "qbo", "sps"  # the resource keys of the two API clients


def api_pool(apis: set[str], company: str | None) -> str:
    """The pool of an op that calls ``apis``: ``qbo_api``, ``qbo_sps_api`` or ``sps_api``, then
    ``:<company>``. A Dagster op holds one pool, so an op calling both APIs has a pool of its own:
    each pool's limit (dagster.yaml) bounds how many such ops of one company call the APIs at once,
    and the QBO request budget itself is shared through the ledger (lib/qbo/limiter.py)."""
    if not apis or not apis <= {QBO_API, SPS_API}:
        raise ValueError(f"a pool names the APIs an op calls (qbo, sps), got {sorted(apis)}")
    name = "_".join(sorted(apis)) + "_api"
    return f"{name}:{company}" if company else name


@cache
def company_at_load() -> str | None:
    """The company this code location serves: its name in a deployment of several, else the QBO
    company the config names, when it can be read at load time (Dagster fixes pools per
    definition); None when the company comes from `qbsps connect` (one company per instance)."""
    if (name := current_company()) is not None:
        return name
    try:
        return load_config(os.environ.get("QBSPS_CONFIG") or None).qbo.realm_id
    except (ConfigError, OSError):
        return None


def asset_key(name: str) -> dg.AssetKey:
    """``name``, under the company's prefix when this location serves one of several companies."""
    company = current_company()
    return dg.AssetKey([company, name] if company else [name])


def partitions_name(name: str) -> str:
    """A dynamic partition set's name; the instance keeps one list per name, so each company has its own."""
    company = current_company()
    return f"{company}__{name}" if company else name


def company_tags() -> dict[str, str]:
    """Run tags naming the company, on every job of a location that serves one of several."""
    company = current_company()
    return {TAG_COMPANY: company} if company else {}


def pool_for(*apis: str) -> str:
    return api_pool(set(apis), company_at_load())


GROUP_INBOUND = "sps_inbound"
TAG_PREFIX = "qbsps/"
TAG_TRIGGER = f"{TAG_PREFIX}trigger"
TAG_COMPANY = f"{TAG_PREFIX}company"
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
TAG_RESEND = f"{TAG_PREFIX}resend"
TAG_FULL_REFRESH = f"{TAG_PREFIX}full_refresh"
