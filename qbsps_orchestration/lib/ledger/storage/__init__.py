"""The database: engine and transactions, ORM tables, where it stands against the migrations."""
