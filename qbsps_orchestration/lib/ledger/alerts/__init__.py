"""`Ledger.alerts`: each alert sent once per cause, kept until delivered (see rows.py)."""
