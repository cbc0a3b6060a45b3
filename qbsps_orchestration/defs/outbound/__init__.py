"""Outbound documents: QBO Invoice → RSX Invoice (810) and Shipment (856) to SPS, one dynamic
partition per QBO invoice; change detection by webhook, CDC and an hourly sweep."""
