from datetime import date

import dagster as dg

from ...dagster_support.names import partitions_name
from ...lib.config import configured_go_live

# Without a go-live date in the config (qbo.go_live), the sweep's hours start here.
FIRST_CHANGE_DAY = date(2026, 1, 1)

# One partition per QBO Invoice ("invoice-<QBO Id>"). A storage key: never rename.
qbo_invoices = dg.DynamicPartitionsDefinition(name=partitions_name("qbo_invoices"))

# The hourly change sweep (UTC hours), from the connection's go-live day. Backfilling a range
# re-reads those hours from QBO. The keys are the hours themselves, so a later start renames none.
change_hours = dg.HourlyPartitionsDefinition(
    start_date=f"{configured_go_live() or FIRST_CHANGE_DAY:%Y-%m-%d}-00:00", timezone="UTC"
)
