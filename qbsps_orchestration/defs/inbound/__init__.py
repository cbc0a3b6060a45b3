"""Inbound purchase orders: SPS mailbox → ledger → QBO, one dynamic partition per SPS file."""
