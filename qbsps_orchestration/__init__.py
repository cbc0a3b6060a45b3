"""qbsps: QuickBooks Online <-> SPS Commerce EDI, orchestrated by Dagster."""

__version__ = "0.1.0"
