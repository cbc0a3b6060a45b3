"""Deadlines in the UI: every document a trading partner is owed by a deadline, hourly and on demand."""
