"""Names shared by the Dagster layer: pools, groups, run tags. Partition names are storage keys:
never rename them."""

import os
from functools import cache

from ..lib.config import ConfigError, load_config

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
    """The QBO company the config names, when it can be read at load time (Dagster fixes pools
    per definition); None when the company comes from `qbsps connect` (one company per instance)."""
    try:
        return load_config(os.environ.get("QBSPS_CONFIG") or None).qbo.realm_id
    except (ConfigError, OSError):
        return None


def pool_for(*apis: str) -> str:
    return api_pool(set(apis), company_at_load())


GROUP_INBOUND = "sps_inbound"
TAG_PREFIX = "qbsps/"
TAG_TRIGGER = f"{TAG_PREFIX}trigger"
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
TAG_RESEND = f"{TAG_PREFIX}resend"
TAG_FULL_REFRESH = f"{TAG_PREFIX}full_refresh"
