"""One partition of sps_item_registries per trading partner that receives item registries, so one
partner's catalog can be re-sent alone. The key is the partner's SPS TradingPartnerId: a storage
key, never renamed. The partition list follows the config (schedules bring it up to date)."""

import dagster as dg

from ...dagster_support.names import RANGE_END, RANGE_START, partitions_name
from ...lib.config import QbspsConfig
from ..retention import busy_partitions

item_registry_partners = dg.DynamicPartitionsDefinition(name=partitions_name("item_registry_partners"))


def registry_partner_ids(config: QbspsConfig) -> list[str]:
    return [p.trading_partner_id for p in config.trading_partners if p.item_registries]


def sync_partner_partitions(instance: dg.DagsterInstance, config: QbspsConfig) -> list[str]:
    """Adds the configured partners' partitions, removes those of partners no longer configured
    (never one a run is on), and returns the partition list."""
    name = item_registry_partners.name
    wanted = registry_partner_ids(config)
    known = instance.get_dynamic_partitions(name)
    if missing := [key for key in wanted if key not in known]:
        instance.add_dynamic_partitions(name, missing)
    busy = busy_partitions(instance, known)
    for key in known:
        if key not in wanted and key not in busy:
            instance.delete_dynamic_partition(name, key)
    return instance.get_dynamic_partitions(name)


def all_partners_tags(keys: list[str]) -> dict[str, str]:
    """One run over every partner's partition (single-run backfill policy: one QBO items query)."""
    return {RANGE_START: keys[0], RANGE_END: keys[-1]} if keys else {}
