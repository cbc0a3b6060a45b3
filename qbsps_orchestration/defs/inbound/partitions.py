import dagster as dg

from ...dagster_support.names import partitions_name

# One partition per SPS mailbox file (the key is the file name). A storage key: never rename.
purchase_order_files = dg.DynamicPartitionsDefinition(name=partitions_name("sps_purchase_order_files"))
