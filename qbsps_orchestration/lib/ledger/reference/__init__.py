"""QBO reference snapshots (Vendors, Customers, Items, Accounts) and the Items qbsps created."""
