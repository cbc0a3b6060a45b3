"""Names shared by the Dagster layer: pools, groups, run tags. Partition names are storage keys:
never rename them."""

POOL_QBO = "qbo_api"
POOL_SPS = "sps_api"
GROUP_INBOUND = "sps_inbound"
TAG_PREFIX = "qbsps/"
TAG_TRIGGER = f"{TAG_PREFIX}trigger"
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
TAG_RESEND = f"{TAG_PREFIX}resend"
TAG_FULL_REFRESH = f"{TAG_PREFIX}full_refresh"
