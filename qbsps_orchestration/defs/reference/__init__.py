"""Reference data: QBO Vendors, Customers, Items and Accounts snapshotted in the ledger, and the
supplier's items sent to each trading partner as RSX ItemRegistry documents (832 catalog, 846
inventory advice)."""
