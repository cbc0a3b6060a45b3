import dagster as dg

# One partition per QBO Invoice ("invoice-<QBO Id>"). A storage key: never rename.
qbo_invoices = dg.DynamicPartitionsDefinition(name="qbo_invoices")

# The hourly change sweep (UTC hours). Backfilling a range re-reads those hours from QBO.
change_hours = dg.HourlyPartitionsDefinition(start_date="2026-01-01-00:00", timezone="UTC")
