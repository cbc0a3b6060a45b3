import dagster as dg

# One partition per SPS mailbox file (the key is the file name). A storage key: never rename.
purchase_order_files = dg.DynamicPartitionsDefinition(name="sps_purchase_order_files")
